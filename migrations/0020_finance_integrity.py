"""The reimbursement rules the database itself enforces (see migrations/_dialect.py).

A debit is repaid once (unique on the transaction in reimbursement_lines, from 0016), a
line or an adjustment is never rewritten, a reimbursement's net is the sum of its parts,
its amounts are frozen once it leaves "pending", and its batch, once set, never changes:
a transaction can never be in two batches.
"""

from tortoise import migrations

from migrations._dialect import append_only, check_constraint, partial_unique_index, per_dialect

FROZEN_POSTGRES = """
CREATE FUNCTION reimbursements_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.batch_id IS NOT NULL AND NEW.batch_id IS DISTINCT FROM OLD.batch_id THEN
    RAISE EXCEPTION 'reimbursement % is already in payment batch %', OLD.id, OLD.batch_id;
  END IF;
  IF OLD.status <> 'pending' AND (NEW.amount_cents <> OLD.amount_cents
      OR NEW.lines_cents <> OLD.lines_cents OR NEW.adjustments_cents <> OLD.adjustments_cents
      OR NEW.carried_in_cents <> OLD.carried_in_cents) THEN
    RAISE EXCEPTION 'the amounts of reimbursement % are frozen', OLD.id;
  END IF;
  IF OLD.status IN ('paid', 'carried_over') AND NEW.status <> OLD.status THEN
    RAISE EXCEPTION 'reimbursement % is %', OLD.id, OLD.status;
  END IF;
  RETURN NEW;
END $$
"""
FROZEN_SQLITE = [
    "CREATE TRIGGER reimbursements_batch_frozen BEFORE UPDATE ON reimbursements "
    "WHEN OLD.batch_id IS NOT NULL AND (NEW.batch_id IS NULL OR NEW.batch_id <> OLD.batch_id) "
    "BEGIN SELECT RAISE(ABORT, 'reimbursement already in a payment batch'); END",
    "CREATE TRIGGER reimbursements_amounts_frozen BEFORE UPDATE ON reimbursements "
    "WHEN OLD.status <> 'pending' AND (NEW.amount_cents <> OLD.amount_cents "
    "OR NEW.lines_cents <> OLD.lines_cents OR NEW.adjustments_cents <> OLD.adjustments_cents "
    "OR NEW.carried_in_cents <> OLD.carried_in_cents) "
    "BEGIN SELECT RAISE(ABORT, 'the amounts of this reimbursement are frozen'); END",
    "CREATE TRIGGER reimbursements_final BEFORE UPDATE ON reimbursements "
    "WHEN OLD.status IN ('paid', 'carried_over') AND NEW.status <> OLD.status "
    "BEGIN SELECT RAISE(ABORT, 'this reimbursement is final'); END",
]
STATUSES = "'pending', 'in_batch', 'paid', 'rejected', 'carried_over'"


class Migration(migrations.Migration):
    dependencies = [("models", "0019_finance")]

    operations = [
        partial_unique_index(
            "bank_details",
            "bank_details_one_pending",
            "partner_id",
            "status = 'pending_validation'",
        ),
        partial_unique_index(
            "bank_details", "bank_details_one_validated", "partner_id", "status = 'validated'"
        ),
        check_constraint(
            "bank_details",
            "bank_details_decided",
            "(status = 'pending_validation') = (decided_at IS NULL)",
            "(NEW.status = 'pending_validation') = (NEW.decided_at IS NULL)",
        ),
        check_constraint(
            "reimbursement_periods",
            "reimbursement_periods_ordered",
            "ends_on >= starts_on",
            "NEW.ends_on >= NEW.starts_on",
        ),
        check_constraint(
            "reimbursements",
            "reimbursements_net_is_the_sum",
            "amount_cents = lines_cents + adjustments_cents + carried_in_cents "
            "AND lines_cents >= 0 AND lines_count >= 0 AND adjustments_cents <= 0",
            "NEW.amount_cents = NEW.lines_cents + NEW.adjustments_cents + NEW.carried_in_cents "
            "AND NEW.lines_cents >= 0 AND NEW.lines_count >= 0 AND NEW.adjustments_cents <= 0",
        ),
        check_constraint(
            "reimbursements",
            "reimbursements_status_consistent",
            f"status IN ({STATUSES}) "
            "AND ((status IN ('in_batch', 'paid')) <= (batch_id IS NOT NULL)) "
            "AND ((status = 'paid') = (paid_at IS NOT NULL AND payout_id IS NOT NULL)) "
            "AND ((status IN ('in_batch', 'paid')) <= (amount_cents > 0)) "
            "AND ((status = 'carried_over') <= (carried_over_to_id IS NOT NULL))",
            f"NEW.status IN ({STATUSES}) "
            "AND ((NEW.status IN ('in_batch', 'paid')) <= (NEW.batch_id IS NOT NULL)) "
            "AND ((NEW.status = 'paid') = (NEW.paid_at IS NOT NULL AND NEW.payout_id IS NOT NULL)) "
            "AND ((NEW.status IN ('in_batch', 'paid')) <= (NEW.amount_cents > 0)) "
            "AND ((NEW.status = 'carried_over') <= (NEW.carried_over_to_id IS NOT NULL))",
        ),
        per_dialect(
            postgres=[
                FROZEN_POSTGRES,
                "CREATE TRIGGER reimbursements_frozen BEFORE UPDATE ON reimbursements "
                "FOR EACH ROW EXECUTE FUNCTION reimbursements_frozen()",
            ],
            sqlite=FROZEN_SQLITE,
            reverse_postgres=["DROP FUNCTION reimbursements_frozen() CASCADE"],
            reverse_sqlite=[
                "DROP TRIGGER reimbursements_batch_frozen",
                "DROP TRIGGER reimbursements_amounts_frozen",
                "DROP TRIGGER reimbursements_final",
            ],
        ),
        check_constraint(
            "reimbursement_lines",
            "reimbursement_lines_amount_positive",
            "amount_cents > 0",
            "NEW.amount_cents > 0",
        ),
        check_constraint(
            "reimbursement_adjustments",
            "reimbursement_adjustments_amount_negative",
            "amount_cents < 0",
            "NEW.amount_cents < 0",
        ),
        # No row-by-row foreign-key checks on the million lines of a close (see the model):
        # Tortoise creates them whatever `db_constraint` says, so they are dropped here.
        per_dialect(
            postgres=[
                "ALTER TABLE reimbursement_lines "
                "DROP CONSTRAINT IF EXISTS reimbursement_lines_reimbursement_id_fkey",
                "ALTER TABLE reimbursement_lines "
                "DROP CONSTRAINT IF EXISTS reimbursement_lines_transaction_id_fkey",
            ],
            sqlite=[],  # SQLite cannot drop a constraint; its checks cost little there
            reverse_postgres=[
                "ALTER TABLE reimbursement_lines ADD CONSTRAINT "
                "reimbursement_lines_reimbursement_id_fkey FOREIGN KEY (reimbursement_id) "
                "REFERENCES reimbursements (id) ON DELETE RESTRICT",
                "ALTER TABLE reimbursement_lines ADD CONSTRAINT "
                "reimbursement_lines_transaction_id_fkey FOREIGN KEY (transaction_id) "
                "REFERENCES card_transactions (id) ON DELETE RESTRICT",
            ],
            reverse_sqlite=[],
        ),
        append_only("reimbursement_lines"),
        append_only("reimbursement_adjustments"),
        append_only("reimbursement_wallet_totals"),
        append_only("daily_collection_reports"),
        check_constraint(
            "payment_batches",
            "payment_batches_total_positive",
            "total_cents > 0 AND transfers_count > 0 AND status IN ('generated', 'sent', 'paid')",
            "NEW.total_cents > 0 AND NEW.transfers_count > 0 "
            "AND NEW.status IN ('generated', 'sent', 'paid')",
        ),
        partial_unique_index(
            "ledger_accounts", "ledger_accounts_one_disbursed", "kind", "kind = 'disbursed'"
        ),
        # The close looks for reimbursed debits reversed since: few rows, and a debit (never
        # reversed when inserted) does not touch this index.
        per_dialect(
            postgres=[
                "CREATE INDEX card_transactions_reversed ON card_transactions (reversed_at) "
                "WHERE reversed_at IS NOT NULL"
            ],
            sqlite=[
                "CREATE INDEX card_transactions_reversed ON card_transactions (reversed_at) "
                "WHERE reversed_at IS NOT NULL"
            ],
            reverse_postgres=["DROP INDEX card_transactions_reversed"],
            reverse_sqlite=["DROP INDEX card_transactions_reversed"],
        ),
    ]
