"""A terminal's change that alters who its requests are, announced to the API processes.

Each process keeps the terminals it has seen next to its viewers
(domain/accounts/viewer_cache.py) instead of reading them on every request; this trigger
NOTIFYs `cjeune_viewer` with `t:<terminal id>` when a terminal's state, credential, partner,
name or responsible delegate changes, or it is deleted, and every listening process forgets
it (server/viewer_listener.py). Its « last seen » is not announced: a process keeps its own.
A partner's change is already announced (`p:`), and drops that partner's terminals too.
SQLite runs in one process and does not cache.
"""

from tortoise import migrations

from migrations._dialect import per_dialect

FUNCTIONS = [
    """
CREATE FUNCTION cjeune_terminal_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cjeune_viewer', 't:' || OLD.id);
  RETURN NULL;
END
$$
""",
    # A new terminal is not in anyone's cache yet: only its later changes matter.
    "CREATE TRIGGER terminals_viewer_changed AFTER UPDATE ON terminals FOR EACH ROW "
    "WHEN (OLD.state IS DISTINCT FROM NEW.state"
    " OR OLD.credential_digest IS DISTINCT FROM NEW.credential_digest"
    " OR OLD.partner_id IS DISTINCT FROM NEW.partner_id"
    " OR OLD.name IS DISTINCT FROM NEW.name"
    " OR OLD.responsible_id IS DISTINCT FROM NEW.responsible_id)"
    " EXECUTE FUNCTION cjeune_terminal_changed()",
    "CREATE TRIGGER terminals_viewer_deleted AFTER DELETE ON terminals FOR EACH ROW "
    "EXECUTE FUNCTION cjeune_terminal_changed()",
]


class Migration(migrations.Migration):
    dependencies = [("models", "0030_terminals")]

    operations = [
        per_dialect(
            postgres=FUNCTIONS,
            sqlite=[],
            reverse_postgres=[
                "DROP TRIGGER terminals_viewer_changed ON terminals",
                "DROP TRIGGER terminals_viewer_deleted ON terminals",
                "DROP FUNCTION cjeune_terminal_changed()",
            ],
            reverse_sqlite=[],
        ),
    ]
