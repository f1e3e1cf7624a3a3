"""Retention rules that need the schema (domain/privacy/retention.py, docs/privacy.md).

- `users.last_active_at` (the last sign-in or session refresh, written at most once a day)
  and `users.inactivity_warned_at` (when the warning before closure was emailed). Existing
  accounts get their last refresh token's date, if any (the job falls back on `created_at`).
- The audit trail stays append-only, with the one deletion and the one update retention
  needs, each let through by the trigger only from inside its purge:
  - `purge_audit_before(cutoff)` deletes the entries of a staff member's access to a young
    person's record (DATA_ACCESS_ACTIONS) made before `cutoff`;
  - `forget_audit_addresses_before(cutoff)` sets `client_address` to NULL on the entries
    made before `cutoff`, changing nothing else.
  PostgreSQL: each function sets a transaction-local setting (`cjeune.audit_purge_before`,
  `cjeune.audit_addresses_before`) the trigger reads, and clears it before returning.
  SQLite has no functions: the purge writes its cutoff in `audit_purge_gate` inside its
  transaction and deletes it before committing; the triggers read it. Either way the
  trigger checks each row itself: older than the cutoff, a data-access action, and for the
  update nothing changed but the address. TRUNCATE stays refused.
"""

from tortoise import fields, migrations

from migrations._dialect import AddColumn, per_dialect

# Frozen here as domain/core/audit.py DATA_ACCESS_ACTIONS was when this ran; a new kind of
# data-access entry needs a migration that widens the trigger and the function.
DATA_ACCESS_ACTIONS = ("young_person.record_opened",)
_ACTIONS_SQL = ", ".join(f"'{action}'" for action in DATA_ACCESS_ACTIONS)
_REFUSED = "audit_entries is append-only"

_LAST_ACTIVE = (
    "UPDATE users SET last_active_at = (SELECT MAX(t.created_at) FROM refresh_tokens t "
    "JOIN auth_sessions s ON s.id = t.session_id WHERE s.user_id = users.id)"
)

_POSTGRES_TRIGGER = f"""
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  purge_before timestamptz := NULLIF(current_setting('cjeune.audit_purge_before', true), '');
  addresses_before timestamptz :=
    NULLIF(current_setting('cjeune.audit_addresses_before', true), '');
BEGIN
  IF TG_OP = 'DELETE' AND purge_before IS NOT NULL THEN
    IF OLD.occurred_at < purge_before AND OLD.action IN ({_ACTIONS_SQL}) THEN
      RETURN OLD;
    END IF;
  ELSIF TG_OP = 'UPDATE' AND addresses_before IS NOT NULL THEN
    IF OLD.occurred_at < addresses_before AND NEW.client_address IS NULL
       AND (to_jsonb(NEW) - 'client_address') = (to_jsonb(OLD) - 'client_address') THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION '{_REFUSED}';
END
$$
"""

_POSTGRES_ORIGINAL_TRIGGER = (
    "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql "
    f"AS $$ BEGIN RAISE EXCEPTION '{_REFUSED}'; END $$"
)

_POSTGRES_FUNCTIONS = [
    # Constants only: the action names frozen above.
    f"""
CREATE FUNCTION purge_audit_before(cutoff timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  purged bigint;
BEGIN
  PERFORM set_config('cjeune.audit_purge_before', cutoff::text, true);
  DELETE FROM audit_entries WHERE occurred_at < cutoff AND action IN ({_ACTIONS_SQL});
  GET DIAGNOSTICS purged = ROW_COUNT;
  PERFORM set_config('cjeune.audit_purge_before', '', true);
  RETURN purged;
END
$$
""",  # noqa: S608
    """
CREATE FUNCTION forget_audit_addresses_before(cutoff timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  forgotten bigint;
BEGIN
  PERFORM set_config('cjeune.audit_addresses_before', cutoff::text, true);
  UPDATE audit_entries SET client_address = NULL
  WHERE occurred_at < cutoff AND client_address IS NOT NULL;
  GET DIAGNOSTICS forgotten = ROW_COUNT;
  PERFORM set_config('cjeune.audit_addresses_before', '', true);
  RETURN forgotten;
END
$$
""",
]

_AUDIT_COLUMNS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_kind",
    "partner_id",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
)


def _gate(purpose: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM audit_purge_gate g WHERE g.purpose = '{purpose}' "  # noqa: S608
        "AND julianday(OLD.occurred_at) < julianday(g.before))"
    )


_UNCHANGED = " AND ".join(f'NEW."{column}" IS OLD."{column}"' for column in _AUDIT_COLUMNS)

_SQLITE = [
    "CREATE TABLE audit_purge_gate (purpose VARCHAR(16) NOT NULL PRIMARY KEY "
    "CHECK (purpose IN ('delete', 'address')), before VARCHAR(40) NOT NULL)",
    "DROP TRIGGER audit_entries_append_only_update",
    "DROP TRIGGER audit_entries_append_only_delete",
    "CREATE TRIGGER audit_entries_append_only_delete BEFORE DELETE ON audit_entries "
    f"WHEN NOT ({_gate('delete')} AND OLD.action IN ({_ACTIONS_SQL})) "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSED}'); END",
    "CREATE TRIGGER audit_entries_append_only_update BEFORE UPDATE ON audit_entries "
    f"WHEN NOT ({_gate('address')} AND NEW.client_address IS NULL AND {_UNCHANGED}) "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSED}'); END",
]

_SQLITE_REVERSE = [
    "DROP TRIGGER audit_entries_append_only_update",
    "DROP TRIGGER audit_entries_append_only_delete",
    *(
        f"CREATE TRIGGER audit_entries_append_only_{event.lower()} BEFORE {event} "
        f"ON audit_entries BEGIN SELECT RAISE(ABORT, '{_REFUSED}'); END"
        for event in ("UPDATE", "DELETE")
    ),
    "DROP TABLE audit_purge_gate",
]


class Migration(migrations.Migration):
    dependencies = [("models", "0039_card_photos")]

    initial = False

    operations = [
        AddColumn(
            model_name="User",
            name="last_active_at",
            field=fields.DatetimeField(null=True),
        ),
        AddColumn(
            model_name="User",
            name="inactivity_warned_at",
            field=fields.DatetimeField(null=True),
        ),
        per_dialect(
            postgres=[_LAST_ACTIVE, _POSTGRES_TRIGGER, *_POSTGRES_FUNCTIONS],
            sqlite=[_LAST_ACTIVE, *_SQLITE],
            reverse_postgres=[
                "DROP FUNCTION forget_audit_addresses_before(timestamptz)",
                "DROP FUNCTION purge_audit_before(timestamptz)",
                _POSTGRES_ORIGINAL_TRIGGER,
            ],
            reverse_sqlite=_SQLITE_REVERSE,
        ),
    ]
