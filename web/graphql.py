"""Pages run GraphQL operations in-process, as the signed-in person, like the apps do.

Each operation is a `.graphql` file in web/operations/ (one operation per file, named like
it; fragments in web/operations/fragments/ are appended to the operations that spread
them). `run(name, variables)` executes it with the visit's Context (the viewer, the
request's DataLoaders) through the schema the app serves on /graphql: the same
validation, limits, permission rules, audit entries and error masking. The answer's data
come back as plain dicts; a refusal becomes a typed exception the page layer turns into a
page: `NotSignedIn` (the sign-in page), `Forbidden` (403), `OperationFailed` (500, the
message already masked by the schema). A nested field refused to the viewer is null, as the
API answers it, and the rest of the answer is used. Expected failures of a mutation are not
errors here: they are the `UserError` member of its union, which `user_error()` reads.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strawberry import Schema

from resolvers.context import Context

logger = logging.getLogger("cjeune.web")

OPERATIONS = Path(__file__).parent / "operations"
_SPREAD = re.compile(r"\.\.\.\s*([A-Za-z_]\w*)")
_FRAGMENT = re.compile(r"fragment\s+([A-Za-z_]\w*)\s+on\b")


class NotSignedIn(Exception):
    """The API answered UNAUTHENTICATED: nobody (or nobody valid any more) is signed in."""


class Forbidden(Exception):
    """The API answered FORBIDDEN: the signed-in person may not see or do this."""


class OperationFailed(Exception):
    def __init__(self, message: str, code: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class UserError:
    code: str
    message: str
    field: str | None


def user_error(payload: dict[str, Any] | None) -> UserError | None:
    """The UserError of a union answer (selected with `__typename` and `code message
    field`), or None when the answer is its success member."""
    if payload is None or payload.get("__typename") != "UserError":
        return None
    return UserError(payload["code"], payload["message"], payload.get("field"))


def load_documents(root: Path = OPERATIONS) -> dict[str, str]:
    """Each operation's full document text, by the operation's file name."""
    fragments: dict[str, str] = {}
    for file in sorted((root / "fragments").glob("*.graphql")):
        text = file.read_text(encoding="utf-8")
        for name in _FRAGMENT.findall(text):
            fragments[name] = text
    documents = {}
    for file in sorted(root.glob("*.graphql")):
        text = file.read_text(encoding="utf-8")
        needed: list[str] = []
        pending = _SPREAD.findall(text)
        while pending:
            name = pending.pop()
            if name in fragments and fragments[name] not in needed:
                needed.append(fragments[name])
                pending += _SPREAD.findall(fragments[name])
        documents[file.stem] = "\n".join([text, *needed])
    return documents


def _nested_refusal(error: Any) -> bool:
    """A field below the root refused to this viewer (`partner.status` of a partner one is
    no longer an insider of): the API nulls it and answers the rest, as the apps read it."""
    code = (error.extensions or {}).get("code")
    return code == "FORBIDDEN" and len(error.path or []) > 1


class Operations:
    def __init__(self, schema: Schema, root: Path = OPERATIONS) -> None:
        self.schema = schema
        self.documents = load_documents(root)

    def has_field(self, type_name: str, field_name: str) -> bool:
        """Whether the schema has this field (a page wired to an API that lands separately)."""
        found = self.schema._schema.get_type(type_name)
        return found is not None and field_name in getattr(found, "fields", {})

    def enum_values(self, name: str) -> frozenset[str]:
        """The values of one of the schema's enums (to check a form's choice before asking)."""
        found = self.schema._schema.get_type(name)
        return frozenset(getattr(found, "values", None) or ())

    async def run(
        self, context: Context, name: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        result = await self.schema.execute(
            self.documents[name], variable_values=variables or {}, context_value=context
        )
        errors = [e for e in result.errors or [] if not _nested_refusal(e)]
        if errors:
            error = errors[0]
            code = (error.extensions or {}).get("code")
            if code == "UNAUTHENTICATED":
                raise NotSignedIn
            if code == "FORBIDDEN":
                raise Forbidden
            logger.warning("page operation %s failed: %s (%s)", name, error.message, code)
            raise OperationFailed(error.message, code)
        assert result.data is not None
        return result.data
