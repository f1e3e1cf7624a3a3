"""docs/privacy.md, the record of processing, stays true: every table of the models has its
section, and every column of a table is named in it. A column added to a model without a
word in the record (what it holds, why, who sees it, how long) fails here."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from tortoise.models import Model

import models

RECORD = Path(__file__).resolve().parents[1] / "docs" / "privacy.md"
_SECTION = re.compile(r"^### `([a-z_]+)`$", re.M)


def columns(model: type[Model]) -> list[str]:
    """The table's columns in declaration order: a foreign key by its `<name>_id` column."""
    meta = model._meta
    relations = set(meta.fk_fields) | set(getattr(meta, "o2o_fields", ()))
    found = []
    for name, field in meta.fields_map.items():
        if name in relations:
            found.append(getattr(field, "source_field", None) or f"{name}_id")
        elif name in meta.db_fields:
            found.append(name)
    return found


def tables() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for module_info in pkgutil.iter_modules(models.__path__):
        module = importlib.import_module(f"models.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Model)
                and value is not Model
                and value.__module__ == module.__name__
                and not value._meta.abstract
            ):
                found[value._meta.db_table] = columns(value)
    return found


def sections(text: str) -> dict[str, str]:
    parts = _SECTION.split(text)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def test_every_column_of_every_table_is_in_the_record_of_processing():
    record = sections(RECORD.read_text(encoding="utf-8"))
    missing = [
        f"{table}.{column}"
        for table, names in sorted(tables().items())
        for column in names
        if table not in record or f"`{column}`" not in record[table]
    ]
    assert missing == [], f"docs/privacy.md does not describe: {', '.join(missing)}"


def test_each_section_says_what_why_who_and_how_long():
    for table, section in sections(RECORD.read_text(encoding="utf-8")).items():
        for heading in ("Personal data:", "Why:", "Who sees it:", "Kept:"):
            assert heading in section, f"{table}: no « {heading} »"


def test_a_column_the_record_does_not_name_is_caught():
    record = sections(RECORD.read_text(encoding="utf-8"))
    assert "`email`" in record["users"]
    assert "`favourite_colour`" not in record["users"]  # what a new column would look like
