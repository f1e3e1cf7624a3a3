"""Every change that can alter who a request's viewer is, announced to the API processes.

Each process keeps the rows of the sessions it has seen (domain/accounts/viewer_cache.py) instead of
reading them on every request; these triggers NOTIFY the `cjeune_viewer` channel when a
session, a user, a delegation or a partner changes (by the API, a job, or by hand in psql),
and every listening process forgets what they describe (server/viewer_listener.py). A
notification is sent at commit and never for a transaction rolled back.

Payloads: `u:<user id>` (that user's sessions) or `p:<partner id>` (every session holding a
delegation to that partner). SQLite runs in one process and does not cache viewers.
"""

from tortoise import migrations

from migrations._dialect import per_dialect

FUNCTIONS = [
    """
CREATE FUNCTION cjeune_viewer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed record;
BEGIN
  IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
  IF TG_TABLE_NAME = 'users' THEN
    PERFORM pg_notify('cjeune_viewer', 'u:' || changed.id);
  ELSIF TG_TABLE_NAME = 'partners' THEN
    PERFORM pg_notify('cjeune_viewer', 'p:' || changed.id);
  ELSE  -- auth_sessions, delegates
    PERFORM pg_notify('cjeune_viewer', 'u:' || changed.user_id);
    IF TG_OP = 'UPDATE' AND OLD.user_id IS DISTINCT FROM NEW.user_id THEN
      PERFORM pg_notify('cjeune_viewer', 'u:' || OLD.user_id);
    END IF;
  END IF;
  RETURN NULL;
END
$$
""",
    # A new session is not in anyone's cache yet: only its later changes matter.
    "CREATE TRIGGER auth_sessions_viewer_changed AFTER UPDATE OR DELETE ON auth_sessions "
    "FOR EACH ROW EXECUTE FUNCTION cjeune_viewer_changed()",
    "CREATE TRIGGER users_viewer_changed AFTER UPDATE OR DELETE ON users "
    "FOR EACH ROW EXECUTE FUNCTION cjeune_viewer_changed()",
    "CREATE TRIGGER delegates_viewer_changed AFTER INSERT OR UPDATE OR DELETE ON delegates "
    "FOR EACH ROW EXECUTE FUNCTION cjeune_viewer_changed()",
    "CREATE TRIGGER partners_viewer_changed AFTER UPDATE OR DELETE ON partners "
    "FOR EACH ROW EXECUTE FUNCTION cjeune_viewer_changed()",
]


class Migration(migrations.Migration):
    dependencies = [("models", "0021_format_euros")]

    operations = [
        per_dialect(
            postgres=FUNCTIONS,
            sqlite=[],
            reverse_postgres=[
                *(
                    f"DROP TRIGGER {table}_viewer_changed ON {table}"
                    for table in ("auth_sessions", "users", "delegates", "partners")
                ),
                "DROP FUNCTION cjeune_viewer_changed()",
            ],
            reverse_sqlite=[],
        ),
    ]
