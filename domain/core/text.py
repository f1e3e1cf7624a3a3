"""Text: what people type, cleaned once for everyone (`clean_text`), and folded for search.

French text folded for search: lower case, accents removed, punctuation turned to spaces.

The same `fold` builds the stored `search_text` columns (offers, département services) and
reads the query, so "evenement" finds "Événement" and "theatre" finds "Théâtre" on SQLite
as on PostgreSQL, without `unaccent` or a collation.
"""

from __future__ import annotations

import re
import unicodedata

from domain.core.errors import invalid

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "’": " ", "'": " "})
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """ "L'Été du Théâtre — 2ᵉ édition!" -> "l ete du theatre 2e edition"."""
    lowered = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    # Accents are combining marks once decomposed; they, like every other non-ASCII
    # character, would become spaces below: drop them first (a search folds hundreds of rows).
    bare = lowered.encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub(" ", bare).strip()


def words(text: str) -> list[str]:
    """The distinct folded words of a query, in order; each must appear in a match."""
    return list(dict.fromkeys(fold(text).split()))


def matches(search_text: str, query_words: list[str]) -> bool:
    """Every word of the query appears in the folded text (as a word or the start of one,
    or anywhere inside: the database backend uses LIKE '%word%')."""
    return all(word in search_text for word in query_words)


# --- free text people type and others see --------------------------------------------------
#
# Every free-text field (posts, profiles, offers, campaigns, names, addresses, reasons…) goes
# through `clean_text`, so what is shown is what was typed, without characters that are
# invisible or that reorder the display:
# - control characters (C0 and C1) are dropped; a multi-line field keeps newlines (every
#   line break becomes "\n") and tabs, a single-line field turns them into spaces;
# - format characters (Unicode category Cf) are dropped: the bidirectional embeddings,
#   overrides and isolates (U+202A–U+202E, U+2066–U+2069), the marks U+200E, U+200F and
#   U+061C, the zero-width U+200B, U+200C, U+2060, U+FEFF, the soft hyphen…, with two
#   exceptions that emoji need: the zero-width joiner U+200D between two pictographs
#   (👩‍💻, 🏳️‍🌈) and the tag characters of a subdivision flag (🏴 + tags + U+E007F);
# - lone surrogates (which PostgreSQL cannot store) and the Hangul fillers, which render
#   as blanks, are dropped;
# - the text is put in Unicode NFC, so "é" typed as e + accent is one character.
# Letters of every script (accents, Arabic, Hebrew), emoji and their modifiers, and
# typographic spaces (the non-breaking spaces of French punctuation) are kept. What is
# left must contain a visible character unless the field is optional.

EMPTY_TEXT_MESSAGE = "Le texte ne peut pas être vide."

_ZWJ = "\u200d"
_BLACK_FLAG = "\U0001f3f4"
_CANCEL_TAG = "\U000e007f"
_HANGUL_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
_LINE_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_SPACE_RUNS = re.compile(" {2,}")
# Where an emoji ZWJ sequence may continue: pictographs and symbols, and what may follow
# one inside a sequence (variation selector 16, skin-tone modifiers).
_PICTOGRAPHS = re.compile(
    "[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2190-\u21ff\u2300-\u27bf\u2934\u2935"
    "\u2b00-\u2bff\u3030\u303d\u3297\u3299\U0001f000-\U0001faff]"
)
_EMOJI_TRAILERS = frozenset("\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")
_NOT_VISIBLE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Mn", "Me", "Mc"})


def _is_pictograph(char: str) -> bool:
    return bool(_PICTOGRAPHS.fullmatch(char))


def _keeps_zwj(kept: list[str], following: str) -> bool:
    """A ZWJ joins two pictographs: 👩 (skin tone, VS16) + ZWJ + 💻."""
    before = [c for c in kept[-2:] if c not in _EMOJI_TRAILERS][-1:] if kept else []
    return bool(before) and _is_pictograph(before[0]) and _is_pictograph(following)


def _in_flag_tags(kept: list[str]) -> bool:
    """After 🏴 or one of its tag characters, until the cancel tag."""
    if not kept:
        return False
    last = kept[-1]
    return last == _BLACK_FLAG or ("\U000e0020" <= last <= "\U000e007e")


def _without_hidden(text: str, *, multiline: bool) -> str:
    text = _LINE_BREAKS.sub("\n" if multiline else " ", text)
    kept: list[str] = []
    for position, char in enumerate(text):
        category = unicodedata.category(char)
        if char == "\n" or char == "\t":
            kept.append(char if multiline else " ")
        elif char == _ZWJ:
            following = text[position + 1 : position + 2]
            if following and _keeps_zwj(kept, following):
                kept.append(char)
        elif "\U000e0020" <= char <= _CANCEL_TAG:
            if _in_flag_tags(kept):
                kept.append(char)
        elif category in ("Cc", "Cf", "Cs") or char in _HANGUL_FILLERS:
            continue
        else:
            kept.append(char)
    return "".join(kept)


def has_visible_character(text: str) -> bool:
    return any(
        unicodedata.category(c) not in _NOT_VISIBLE and c != "\u2800" and c not in _HANGUL_FILLERS
        for c in text
    )


def has_hidden_character(text: str) -> bool:
    """A control or format character: identifiers (emails, links) refuse them outright."""
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in text)


def visible_text(value: str, *, multiline: bool = False) -> str:
    """`value` as `clean_text` keeps it, without checking it (for reading, not for saving)."""
    text = _without_hidden(unicodedata.normalize("NFC", value), multiline=multiline)
    if multiline:
        lines = [line.rstrip() for line in text.split("\n")]
        text = "\n".join(lines)
    else:
        text = _SPACE_RUNS.sub(" ", text)
    text = text.strip()
    return text if has_visible_character(text) else ""


def clean_text(
    field: str,
    value: str | None,
    *,
    max_length: int,
    multiline: bool = False,
    required: bool = True,
) -> str:
    """What a person typed in the free-text `field`, as others will see it.

    Hidden characters are dropped (see above); a required field with no visible character
    left is refused with "Le texte ne peut pas être vide.", an optional one becomes "";
    the length is counted in characters after cleaning."""
    text = visible_text(value or "", multiline=multiline)
    if not text and required:
        raise invalid(field, EMPTY_TEXT_MESSAGE)
    if len(text) > max_length:
        raise invalid(field, f"{max_length} caractères au plus ({len(text)} saisis).")
    return text
