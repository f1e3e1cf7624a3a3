"""The feed reads each followed partner's newest published posts from this index alone."""

from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0012_department_services")]

    operations = [
        ops.RunSQL(
            "CREATE INDEX posts_published_by_partner ON posts (partner_id, created_at, id) "
            "WHERE status = 'published'",
            reverse_sql="DROP INDEX posts_published_by_partner",
        ),
    ]
