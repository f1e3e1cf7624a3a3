"""The money rules the database itself enforces (see migrations/_dialect.py)."""

from tortoise import migrations

from migrations._dialect import append_only, check_constraint, partial_unique_index, per_dialect

BALANCED = """
CREATE FUNCTION ledger_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries
      WHERE ledger_transaction_id = NEW.ledger_transaction_id) <> 0 THEN
    RAISE EXCEPTION 'ledger transaction % is not balanced', NEW.ledger_transaction_id;
  END IF;
  RETURN NULL;
END $$
"""


class Migration(migrations.Migration):
    dependencies = [("models", "0003_cards_ledger_transactions")]

    operations = [
        check_constraint(
            "ledger_accounts",
            "ledger_accounts_wallets_only_have_a_running_balance",
            "(kind = 'wallet') = (balance_cents IS NOT NULL)",
            "(NEW.kind = 'wallet') = (NEW.balance_cents IS NOT NULL)",
        ),
        check_constraint(
            "ledger_accounts",
            "ledger_accounts_wallet_never_negative",
            "balance_cents IS NULL OR balance_cents >= 0",
            "NEW.balance_cents IS NULL OR NEW.balance_cents >= 0",
        ),
        partial_unique_index(
            "ledger_accounts",
            "ledger_accounts_one_wallet",
            "school_year_id, beneficiary_id, wallet_kind",
            "kind = 'wallet'",
        ),
        partial_unique_index(
            "ledger_accounts", "ledger_accounts_one_funding", "school_year_id", "kind = 'funding'"
        ),
        partial_unique_index(
            "ledger_accounts",
            "ledger_accounts_one_payable",
            "partner_id",
            "kind = 'partner_payable'",
        ),
        check_constraint(
            "ledger_entries",
            "ledger_entries_amount_not_zero",
            "amount_cents <> 0",
            "NEW.amount_cents <> 0",
        ),
        append_only("ledger_transactions"),
        append_only("ledger_entries"),
        per_dialect(
            postgres=[
                "CREATE INDEX ledger_entries_by_transaction "
                "ON ledger_entries (ledger_transaction_id)",
                BALANCED,
                "CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT "
                "ON ledger_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION ledger_transaction_balanced()",
            ],
            sqlite=[
                "CREATE INDEX ledger_entries_by_transaction "
                "ON ledger_entries (ledger_transaction_id)",
            ],
            reverse_postgres=[
                "DROP FUNCTION ledger_transaction_balanced() CASCADE",
                "DROP INDEX ledger_entries_by_transaction",
            ],
            reverse_sqlite=["DROP INDEX ledger_entries_by_transaction"],
        ),
        check_constraint(
            "card_transactions",
            "card_transactions_amount_positive",
            "amount_cents > 0",
            "NEW.amount_cents > 0",
        ),
        check_constraint(
            "cards",
            "cards_pin_failures_between_0_and_3",
            "pin_failures BETWEEN 0 AND 3",
            "NEW.pin_failures BETWEEN 0 AND 3",
        ),
        partial_unique_index(
            "cards",
            "cards_one_usable_card_per_beneficiary_and_year",
            "beneficiary_id, school_year_id",
            "status IN ('not_activated', 'active')",
        ),
        partial_unique_index(
            "beneficiaries", "beneficiaries_one_per_user", "user_id", "user_id IS NOT NULL"
        ),
        check_constraint(
            "school_year_wallets",
            "school_year_wallets_amount_positive",
            "amount_cents > 0",
            "NEW.amount_cents > 0",
        ),
    ]
