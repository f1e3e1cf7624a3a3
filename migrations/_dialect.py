"""Hand-written SQL for what Tortoise's schema editor cannot express on every backend.

CHECK constraints cannot be added to an existing SQLite table, so on SQLite they become
BEFORE INSERT/UPDATE triggers that abort; partial unique indexes are native on both.
"""

from __future__ import annotations

from typing import Any

from tortoise.migrations import operations as ops


def _dialect(schema_editor: Any) -> str:
    return schema_editor.client.capabilities.dialect


def per_dialect(
    postgres: list[str], sqlite: list[str], reverse_postgres: list[str], reverse_sqlite: list[str]
) -> ops.RunPython:
    async def forward(_apps: Any, schema_editor: Any) -> None:
        for statement in postgres if _dialect(schema_editor) == "postgres" else sqlite:
            await schema_editor.client.execute_script(statement)

    async def backward(_apps: Any, schema_editor: Any) -> None:
        statements = reverse_postgres if _dialect(schema_editor) == "postgres" else reverse_sqlite
        for statement in statements:
            await schema_editor.client.execute_script(statement)

    return ops.RunPython(forward, backward)


def check_constraint(table: str, name: str, condition: str, sqlite_condition: str) -> ops.RunPython:
    """A CHECK on PostgreSQL; on SQLite, triggers with `sqlite_condition` written on NEW.*."""
    message = f"CHECK constraint failed: {name}"
    sqlite = [
        f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} "
        f"WHEN NOT ({sqlite_condition}) BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for event in ("INSERT", "UPDATE")
    ]
    return per_dialect(
        postgres=[f'ALTER TABLE "{table}" ADD CONSTRAINT {name} CHECK ({condition})'],
        sqlite=sqlite,
        reverse_postgres=[f'ALTER TABLE "{table}" DROP CONSTRAINT {name}'],
        reverse_sqlite=[f"DROP TRIGGER {name}_insert", f"DROP TRIGGER {name}_update"],
    )


def append_only(table: str) -> ops.RunPython:
    """Refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL) on `table`, whoever asks."""
    function = f"{table}_append_only"
    return per_dialect(
        postgres=[
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{table} is append-only'; END $$",
            f'CREATE TRIGGER {function}_row BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            f'CREATE TRIGGER {function}_truncate BEFORE TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ],
        sqlite=[
            f"CREATE TRIGGER {function}_{event.lower()} BEFORE {event} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            for event in ("UPDATE", "DELETE")
        ],
        reverse_postgres=[f"DROP FUNCTION {function}() CASCADE"],
        reverse_sqlite=[f"DROP TRIGGER {function}_update", f"DROP TRIGGER {function}_delete"],
    )


def partial_unique_index(table: str, name: str, columns: str, where: str) -> ops.RunSQL:
    return ops.RunSQL(
        f'CREATE UNIQUE INDEX {name} ON "{table}" ({columns}) WHERE {where}',
        reverse_sql=f"DROP INDEX {name}",
    )


async def _drop_column(state_editor: Any, model: Any, name: str) -> None:
    field = model._meta.fields_map[name]
    column = field.source_field or field.model_field_name
    await state_editor._run_sql(f'ALTER TABLE "{model._meta.db_table}" DROP COLUMN "{column}"')


class DropColumn(ops.RemoveField):
    """`RemoveField` as a plain `ALTER TABLE … DROP COLUMN`, on SQLite (3.35+) too.

    Tortoise's SQLite editor removes a field by rebuilding the table (copy, `DROP TABLE`,
    rename): dropping a table that other rows reference deletes them in cascade, and an
    append-only table among them aborts the migration. Not for a column that is indexed,
    unique or named by a trigger or a CHECK (SQLite refuses to drop those)."""

    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor:
            model = old_state.apps.get_model(f"{app_label}.{self.model_name}")
            await _drop_column(state_editor, model, self.name)


class AddColumn(ops.AddField):
    """`AddField` whose reverse is a plain `DROP COLUMN` (see `DropColumn`)."""

    async def database_backward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor:
            model = old_state.apps.get_model(f"{app_label}.{self.model_name}")
            await _drop_column(state_editor, model, self.name)


class DescribeField(ops.AlterField):
    """`AlterField` for a change only the migrations' state knows of: an enum column's new
    value, which changes its description (the list of values), not its type or length.

    On SQLite, Tortoise's editor alters a field by rebuilding the table (copy, `DROP TABLE`,
    rename), which loses the triggers that stand for its CHECK constraints there
    (`check_constraint`, `append_only`); the column being unchanged, the database is left
    as it is. On PostgreSQL the editor's own statement runs (it sets the column's comment)."""

    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor and _dialect(state_editor) == "postgres":
            await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor and _dialect(state_editor) == "postgres":
            await super().database_backward(app_label, old_state, new_state, state_editor)
