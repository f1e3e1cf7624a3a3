"""Print the schema's SDL (`python -m schema > schema.graphql`)."""

from schema import build_schema
from server.settings import Settings

print(build_schema(Settings()).as_str())
