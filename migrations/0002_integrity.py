"""What must never happen, stopped by the database: see migrations/_dialect.py."""

from tortoise import migrations

from migrations._dialect import append_only, check_constraint, partial_unique_index


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [
        check_constraint(
            "users",
            "users_email_lowercase",
            "email = lower(email)",
            "NEW.email = lower(NEW.email)",
        ),
        check_constraint(
            "users",
            "users_young_person_has_birth_date",
            "kind <> 'young_person' OR birth_date IS NOT NULL",
            "NEW.kind <> 'young_person' OR NEW.birth_date IS NOT NULL",
        ),
        check_constraint(
            "users",
            "users_staff_only_have_staff_roles",
            "kind = 'staff' OR staff_roles::text = '[]'",
            "NEW.kind = 'staff' OR NEW.staff_roles = '[]'",
        ),
        partial_unique_index(
            "delegates", "delegates_one_principal_per_partner", "partner_id", "is_principal"
        ),
        append_only("audit_entries"),
    ]
