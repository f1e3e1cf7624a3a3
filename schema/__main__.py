"""Print the schema's SDL (`python -m schema > schema.graphql`)."""

from infra.settings import Settings
from schema import build_schema

print(build_schema(Settings()).as_str())
