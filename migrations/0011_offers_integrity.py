"""What the database enforces for deals, events and their moderation (see _dialect.py)."""

from tortoise import migrations

from migrations._dialect import append_only, check_constraint


class Migration(migrations.Migration):
    dependencies = [("models", "0010_offer_revision_links")]

    operations = [
        check_constraint(
            "offer_revisions",
            "offer_revisions_consistent",
            "valid_until >= valid_from"
            " AND (discount_percent IS NULL OR discount_percent BETWEEN 1 AND 100)"
            " AND (discount_cents IS NULL OR discount_cents > 0)"
            " AND (status <> 'rejected' OR rejection_reason IS NOT NULL)",
            "NEW.valid_until >= NEW.valid_from"
            " AND (NEW.discount_percent IS NULL OR NEW.discount_percent BETWEEN 1 AND 100)"
            " AND (NEW.discount_cents IS NULL OR NEW.discount_cents > 0)"
            " AND (NEW.status <> 'rejected' OR NEW.rejection_reason IS NOT NULL)",
        ),
        check_constraint(
            "offers",
            "offers_super_deals_only",
            "NOT is_super OR kind = 'deal'",
            "NOT NEW.is_super OR NEW.kind = 'deal'",
        ),
        check_constraint(
            "moderation_decisions",
            "moderation_decisions_rejection_has_a_reason",
            "approved OR reason IS NOT NULL",
            "NEW.approved OR NEW.reason IS NOT NULL",
        ),
        append_only("moderation_decisions"),
    ]
