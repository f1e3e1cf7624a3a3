from pathlib import Path

from infra.settings import Settings
from schema import build_schema

EXPORTED = Path(__file__).parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code():
    current = build_schema(Settings()).as_str() + "\n"
    assert EXPORTED.read_text() == current, (
        "schema.graphql is out of date: run `uv run python -m schema > schema.graphql`"
    )
