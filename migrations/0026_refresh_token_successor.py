"""A rotated refresh token remembers the token its rotation issued, so that the same token
presented again within the grace window (concurrent refreshes of an app waking up) gets that
one back instead of revoking the session (domain/accounts/sessions.py)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0025_pin_policy")]

    initial = False

    operations = [
        ops.AddField(
            model_name="RefreshToken",
            name="successor_id",
            field=fields.UUIDField(null=True),
        ),
    ]
