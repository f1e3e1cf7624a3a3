"""What the database enforces for deliveries and consent (see migrations/_dialect.py)."""

from tortoise import migrations

from migrations._dialect import append_only, check_constraint


class Migration(migrations.Migration):
    dependencies = [("models", "0005_notifications_devices_jobs")]

    operations = [
        check_constraint(
            "notification_deliveries",
            "notification_deliveries_sent_has_a_time",
            "(status = 'sent') = (sent_at IS NOT NULL) AND attempts >= 0",
            "(NEW.status = 'sent') = (NEW.sent_at IS NOT NULL) AND NEW.attempts >= 0",
        ),
        check_constraint(
            "marketing_consent_events",
            "marketing_consent_events_known_channel",
            "channel IN ('email', 'push')",
            "NEW.channel IN ('email', 'push')",
        ),
        append_only("marketing_consent_events"),
    ]
