"""French text folded for search: lower case, accents removed, punctuation turned to spaces.

The same `fold` builds the stored `search_text` columns (offers, département services) and
reads the query, so "evenement" finds "Événement" and "theatre" finds "Théâtre" on SQLite
as on PostgreSQL, without `unaccent` or a collation.
"""

from __future__ import annotations

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "’": " ", "'": " "})
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """ "L'Été du Théâtre — 2ᵉ édition!" -> "l ete du theatre 2e edition"."""
    lowered = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    bare = "".join(c for c in lowered if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", bare).strip()


def words(text: str) -> list[str]:
    """The distinct folded words of a query, in order; each must appear in a match."""
    return list(dict.fromkeys(fold(text).split()))


def matches(search_text: str, query_words: list[str]) -> bool:
    """Every word of the query appears in the folded text (as a word or the start of one,
    or anywhere inside: the database backend uses LIKE '%word%')."""
    return all(word in search_text for word in query_words)
