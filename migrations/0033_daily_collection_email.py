"""Each delegate who receives the evening report (« télécollecte »: the principal and the
finance delegates) may turn it off (`Delegate.daily_collection_email`, on by default, as it
was for everyone before)."""

from tortoise import fields, migrations

from migrations._dialect import AddColumn


class Migration(migrations.Migration):
    dependencies = [("models", "0031_terminal_changes")]

    initial = False

    operations = [
        AddColumn(
            model_name="Delegate",
            name="daily_collection_email",
            field=fields.BooleanField(default=True, db_default=True),
        ),
    ]
