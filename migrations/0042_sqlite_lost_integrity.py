"""SQLite only: the CHECK triggers, append-only triggers and partial unique indexes that
migrations 0016 and 0019 lost there, put back.

Their `AlterField` made Tortoise's SQLite editor rebuild `partner_profiles`,
`ledger_accounts` and `ledger_transactions` (copy, `DROP TABLE`, rename), and a trigger or an
index written by hand dies with its table: on SQLite a wallet could go negative, a holder have
two wallets of a kind, a ledger transaction be changed. Both now use `DescribeField`, which
leaves the table alone, so a new database never loses them and this migration finds them
there (`IF NOT EXISTS`); a database migrated before is repaired. PostgreSQL never lost them
(an `ALTER COLUMN` keeps the table's constraints). tests/migrations/test_sqlite_triggers_survive.py
checks that no migration loses one again.
"""

from tortoise import migrations

from migrations._dialect import per_dialect


def _check(table: str, name: str, condition: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name}_{event.lower()} BEFORE {event} ON {table} "
        f"WHEN NOT ({condition}) BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
        for event in ("INSERT", "UPDATE")
    ]


def _append_only(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_{event.lower()} BEFORE {event} "
        f"ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for event in ("UPDATE", "DELETE")
    ]


def _unique(table: str, name: str, columns: str, where: str) -> str:
    return f'CREATE UNIQUE INDEX IF NOT EXISTS {name} ON "{table}" ({columns}) WHERE {where}'


SQLITE = [
    # 0008_social_integrity
    *_check(
        "partner_profiles",
        "partner_profiles_counts_and_position_are_sane",
        "NEW.followers_count >= 0 AND (NEW.latitude IS NULL) = (NEW.longitude IS NULL)"
        " AND (NEW.latitude IS NULL OR NEW.latitude BETWEEN -90 AND 90)"
        " AND (NEW.longitude IS NULL OR NEW.longitude BETWEEN -180 AND 180)",
    ),
    # 0004_money_integrity
    *_check(
        "ledger_accounts",
        "ledger_accounts_wallets_only_have_a_running_balance",
        "(NEW.kind = 'wallet') = (NEW.balance_cents IS NOT NULL)",
    ),
    *_check(
        "ledger_accounts",
        "ledger_accounts_wallet_never_negative",
        "NEW.balance_cents IS NULL OR NEW.balance_cents >= 0",
    ),
    _unique(
        "ledger_accounts",
        "ledger_accounts_one_wallet",
        "school_year_id, beneficiary_id, wallet_kind",
        "kind = 'wallet'",
    ),
    _unique("ledger_accounts", "ledger_accounts_one_funding", "school_year_id", "kind = 'funding'"),
    _unique(
        "ledger_accounts", "ledger_accounts_one_payable", "partner_id", "kind = 'partner_payable'"
    ),
    *_append_only("ledger_transactions"),
]


class Migration(migrations.Migration):
    dependencies = [("models", "0041_retention_rules")]

    initial = False

    operations = [
        # Not undone: going back must not lose them again.
        per_dialect(postgres=[], sqlite=SQLITE, reverse_postgres=[], reverse_sqlite=[]),
    ]
