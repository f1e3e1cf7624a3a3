"""What the database enforces for deliveries and consent (see migrations/_dialect.py)."""

from tortoise import migrations

from migrations._dialect import append_only, check_constraint, partial_unique_index


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
        # A young person has at most one consent that is requested or given and not withdrawn.
        partial_unique_index(
            "parental_consents",
            "parental_consents_one_open_per_young_person",
            "young_person_id",
            "withdrawn_at IS NULL",
        ),
    ]
