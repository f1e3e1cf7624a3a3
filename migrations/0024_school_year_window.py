"""School years never overlap, and wallets are only the guide's two kinds.

A card is spendable only within its school year (the debit's own UPDATE checks the day:
domain/cards/queries.py). For a pupil imported into next year while this year's card still
runs, that gives one spendable card at a time only if the years themselves never overlap:
PostgreSQL excludes overlapping date ranges, SQLite refuses them with triggers.

Wallet kinds are a fixed list (`WalletKind`, whose amounts are set per school year): a
year's wallet types, the wallets of the ledger and a partner's debitable wallets hold only
those. Adding a kind means a migration that replaces these checks.
"""

from tortoise import migrations

from migrations._dialect import check_constraint, per_dialect

WALLET_KINDS = ("SPORT_CULTURE_LOISIRS", "SOUTIEN_SCOLAIRE")
_SQL_LIST = ", ".join(f"'{kind}'" for kind in WALLET_KINDS)
_JSON_LIST = ", ".join(f'"{kind}"' for kind in WALLET_KINDS)
_UNKNOWN_DEBITABLE = (
    f"SELECT 1 FROM json_each(NEW.debitable_wallets) WHERE value NOT IN ({_SQL_LIST})"  # noqa: S608
)

_OVERLAP = "CHECK constraint failed: school_years_no_overlap"
_SQLITE_OVERLAPPING = (
    "EXISTS (SELECT 1 FROM school_years o WHERE o.id <> NEW.id "
    "AND o.starts_on <= NEW.ends_on AND NEW.starts_on <= o.ends_on)"
)


class Migration(migrations.Migration):
    dependencies = [("models", "0023_staff_role_values")]

    operations = [
        check_constraint(
            "school_years",
            "school_years_ordered_days",
            "starts_on <= ends_on",
            "NEW.starts_on <= NEW.ends_on",
        ),
        per_dialect(
            postgres=[
                "ALTER TABLE school_years ADD CONSTRAINT school_years_no_overlap "
                "EXCLUDE USING gist (daterange(starts_on, ends_on, '[]') WITH &&)"
            ],
            sqlite=[
                f"CREATE TRIGGER school_years_no_overlap_{event.lower()} BEFORE {event} "
                f"ON school_years WHEN {_SQLITE_OVERLAPPING} "
                f"BEGIN SELECT RAISE(ABORT, '{_OVERLAP}'); END"
                for event in ("INSERT", "UPDATE")
            ],
            reverse_postgres=["ALTER TABLE school_years DROP CONSTRAINT school_years_no_overlap"],
            reverse_sqlite=[
                "DROP TRIGGER school_years_no_overlap_insert",
                "DROP TRIGGER school_years_no_overlap_update",
            ],
        ),
        check_constraint(
            "school_year_wallets",
            "school_year_wallets_kind_known",
            f"kind IN ({_SQL_LIST})",
            f"NEW.kind IN ({_SQL_LIST})",
        ),
        check_constraint(
            "ledger_accounts",
            "ledger_accounts_wallet_kind_known",
            f"wallet_kind IS NULL OR wallet_kind IN ({_SQL_LIST})",
            f"NEW.wallet_kind IS NULL OR NEW.wallet_kind IN ({_SQL_LIST})",
        ),
        check_constraint(
            "partners",
            "partners_debitable_wallets_known",
            f"jsonb_typeof(debitable_wallets::jsonb) = 'array' "
            f"AND debitable_wallets::jsonb <@ '[{_JSON_LIST}]'::jsonb",
            f"json_type(NEW.debitable_wallets) = 'array' AND NOT EXISTS ({_UNKNOWN_DEBITABLE})",
        ),
    ]
