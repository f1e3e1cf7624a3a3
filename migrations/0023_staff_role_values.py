"""The database knows the staff roles: a staff account holds only roles that exist.

`users.staff_roles` is a JSON array; a role the code does not know (a typo in SQL, a role
removed from `StaffRole`) would be silently ignored by the permission rules. Adding a role
means a migration that replaces this check with the new list (docs/architecture.md, "How to
add a staff role").
"""

from tortoise import migrations

from migrations._dialect import check_constraint

ROLES = ("moderation", "support", "finance", "marketing", "administrator")
_JSON_LIST = ", ".join(f'"{role}"' for role in ROLES)
_SQL_LIST = ", ".join(f"'{role}'" for role in ROLES)
_UNKNOWN = f"SELECT 1 FROM json_each(NEW.staff_roles) WHERE value NOT IN ({_SQL_LIST})"  # noqa: S608
_SQLITE_CONDITION = f"json_type(NEW.staff_roles) = 'array' AND NOT EXISTS ({_UNKNOWN})"


class Migration(migrations.Migration):
    dependencies = [("models", "0022_viewer_changes")]

    operations = [
        check_constraint(
            "users",
            "users_staff_roles_known",
            f"jsonb_typeof(staff_roles::jsonb) = 'array' "
            f"AND staff_roles::jsonb <@ '[{_JSON_LIST}]'::jsonb",
            _SQLITE_CONDITION,
        ),
    ]
