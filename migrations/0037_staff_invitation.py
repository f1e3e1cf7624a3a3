"""Staff members invited from the back office's team page choose their password with an
emailed link: a new purpose of `email_tokens` (`staff_invitation`, 7 days). The column is
text without a database check: only its description changes (`DescribeField`: SQLite's
table is not rebuilt)."""

from tortoise import fields, migrations
from migrations._dialect import DescribeField
from models.accounts import EmailTokenPurpose


class Migration(migrations.Migration):
    dependencies = [("models", "0034_partner_termination_bon_plan_reminders")]

    initial = False

    operations = [
        DescribeField(
            model_name="EmailToken",
            name="purpose",
            field=fields.CharEnumField(
                description="VERIFY_EMAIL: verify_email\nRESET_PASSWORD: reset_password\n"
                "DELEGATE_INVITATION: delegate_invitation\nSTAFF_INVITATION: staff_invitation",
                enum_type=EmailTokenPurpose,
                max_length=32,
            ),
        ),
    ]
