"""The PIN rule becomes a policy per partner: the minimum the département imposes and the
level the principal delegate chose (domain/partners/pin_policy.py) replace `requires_pin`.

A partner that asked for the PIN asked for it on every debit: it keeps that as the
département's minimum (`every_till`), so its delegates cannot lower it. The database
refuses a level it does not know.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from migrations._dialect import AddColumn, DropColumn, check_constraint
from models.partners import PinPolicy

LEVELS = ", ".join(f"'{level.value}'" for level in PinPolicy)


def _level_field() -> fields.CharEnumField:
    return fields.CharEnumField(
        default=PinPolicy.NONE,
        description="NONE: none\nTERMINALS: terminals\nEVERY_TILL: every_till",
        db_default="none",
        enum_type=PinPolicy,
        max_length=16,
    )


def _known(column: str) -> ops.RunPython:
    return check_constraint(
        "partners",
        f"partners_{column}_known",
        f"{column} IN ({LEVELS})",
        f"NEW.{column} IN ({LEVELS})",
    )


class Migration(migrations.Migration):
    dependencies = [("models", "0024_school_year_window")]

    initial = False

    operations = [
        AddColumn(model_name="Partner", name="pin_policy_chosen", field=_level_field()),
        AddColumn(model_name="Partner", name="pin_policy_minimum", field=_level_field()),
        ops.RunSQL(
            "UPDATE partners SET pin_policy_minimum = 'every_till' WHERE requires_pin",
            reverse_sql="UPDATE partners SET requires_pin = TRUE "
            "WHERE 'every_till' IN (pin_policy_minimum, pin_policy_chosen)",
        ),
        DropColumn(model_name="Partner", name="requires_pin"),
        _known("pin_policy_minimum"),
        _known("pin_policy_chosen"),
    ]
