"""What the database enforces for campaigns (see _dialect.py): known statuses and channels,
a sent row stays sent (nobody receives a campaign twice because a row was reset), a failed
or skipped row says why, and the unsubscribes of a campaign are counted through an index."""

from tortoise import migrations

from migrations._dialect import check_constraint, per_dialect

_SENT_IS_FINAL = "campaign_recipients_sent_is_final"


class Migration(migrations.Migration):
    dependencies = [("models", "0017_campaigns")]

    operations = [
        check_constraint(
            "campaigns",
            "campaigns_consistent",
            "status IN ('draft', 'scheduled', 'sending', 'paused', 'completed', 'cancelled')"
            " AND targeted >= 0"
            " AND (status <> 'scheduled' OR scheduled_at IS NOT NULL)",
            "NEW.status IN ('draft', 'scheduled', 'sending', 'paused', 'completed', 'cancelled')"
            " AND NEW.targeted >= 0"
            " AND (NEW.status <> 'scheduled' OR NEW.scheduled_at IS NOT NULL)",
        ),
        check_constraint(
            "campaign_recipients",
            "campaign_recipients_consistent",
            "channel IN ('email', 'push', 'in_app')"
            " AND status IN ('pending', 'claimed', 'sent', 'failed', 'skipped')"
            " AND (status <> 'sent' OR sent_at IS NOT NULL)"
            " AND (status <> 'claimed' OR (claimed_by IS NOT NULL AND claimed_until IS NOT NULL))"
            " AND (status NOT IN ('failed', 'skipped') OR reason IS NOT NULL)",
            "NEW.channel IN ('email', 'push', 'in_app')"
            " AND NEW.status IN ('pending', 'claimed', 'sent', 'failed', 'skipped')"
            " AND (NEW.status <> 'sent' OR NEW.sent_at IS NOT NULL)"
            " AND (NEW.status <> 'claimed'"
            " OR (NEW.claimed_by IS NOT NULL AND NEW.claimed_until IS NOT NULL))"
            " AND (NEW.status NOT IN ('failed', 'skipped') OR NEW.reason IS NOT NULL)",
        ),
        per_dialect(
            postgres=[
                f"CREATE FUNCTION {_SENT_IS_FINAL}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'a sent campaign recipient stays sent'; END $$",
                f"CREATE TRIGGER {_SENT_IS_FINAL} BEFORE UPDATE ON campaign_recipients "
                "FOR EACH ROW WHEN (OLD.status = 'sent' AND NEW.status <> 'sent') "
                f"EXECUTE FUNCTION {_SENT_IS_FINAL}()",
            ],
            sqlite=[
                f"CREATE TRIGGER {_SENT_IS_FINAL} BEFORE UPDATE OF status ON campaign_recipients "
                "WHEN OLD.status = 'sent' AND NEW.status <> 'sent' "
                "BEGIN SELECT RAISE(ABORT, 'a sent campaign recipient stays sent'); END"
            ],
            reverse_postgres=[f"DROP FUNCTION {_SENT_IS_FINAL}() CASCADE"],
            reverse_sqlite=[f"DROP TRIGGER {_SENT_IS_FINAL}"],
        ),
        per_dialect(
            postgres=[
                "CREATE INDEX marketing_consent_events_campaign ON marketing_consent_events "
                "(campaign_id) WHERE campaign_id IS NOT NULL"
            ],
            sqlite=[
                "CREATE INDEX marketing_consent_events_campaign ON marketing_consent_events "
                "(campaign_id) WHERE campaign_id IS NOT NULL"
            ],
            reverse_postgres=["DROP INDEX marketing_consent_events_campaign"],
            reverse_sqlite=["DROP INDEX marketing_consent_events_campaign"],
        ),
    ]
