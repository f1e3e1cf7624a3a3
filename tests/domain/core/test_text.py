"""clean_text: what a person typed, as others will see it."""

from __future__ import annotations

import pytest

from domain.accounts.users import normalize_email
from domain.core.errors import DomainError, ErrorCode
from domain.core.text import EMPTY_TEXT_MESSAGE, clean_text, visible_text
from domain.partners.profiles import clean_email, clean_website

SPOOFING = [
    "\u202a",  # left-to-right embedding
    "\u202b",
    "\u202c",  # pop directional formatting
    "\u202d",
    "\u202e",  # right-to-left override: "txt.exe" shown as "exe.txt"
    "\u2066",  # isolates
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",  # left-to-right mark
    "\u200f",
    "\u061c",  # Arabic letter mark
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner (outside an emoji sequence)
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space (BOM)
    "\u00ad",  # soft hyphen
    "\x07",  # C0 control
    "\x1b",
    "\x7f",
    "\x80",  # C1 controls (U+0085, next line, is a line break)
    "\x9b",
    "\u3164",  # Hangul filler, shown as a blank
    "\ud800",  # a lone surrogate (PostgreSQL cannot store it)
]


@pytest.mark.parametrize("char", SPOOFING, ids=lambda c: f"U+{ord(c):04X}")
def test_hidden_and_reordering_characters_are_dropped(char):
    assert clean_text("body", f"Ciné{char}ma", max_length=100) == "Cinéma"


@pytest.mark.parametrize("char", SPOOFING, ids=lambda c: f"U+{ord(c):04X}")
def test_a_text_of_only_hidden_characters_is_refused(char):
    with pytest.raises(DomainError) as refused:
        clean_text("body", f" {char}{char}\u200b ", max_length=100, multiline=True)
    assert (refused.value.code, refused.value.field, refused.value.message) == (
        ErrorCode.INVALID_INPUT,
        "body",
        EMPTY_TEXT_MESSAGE,
    )


def test_an_optional_field_of_hidden_characters_becomes_empty():
    assert clean_text("notes", "\u200b\u202e", max_length=10, required=False) == ""
    assert clean_text("notes", None, max_length=10, required=False) == ""


@pytest.mark.parametrize(
    "text",
    [
        "Été à l'Alcazar : théâtre, cinéma… « gratuit » !",
        "Festival\u00a0: jazz\u202fà 20\u00a0h",  # French non-breaking spaces
        "مرحبا بكم في المكتبة",  # Arabic without override controls
        "שלום לכולם",  # Hebrew
        "Soirée 🎉🍕 ❤️",
        "👩🏽\u200d💻 et 🏳️\u200d🌈 et 👨\u200d👩\u200d👧",  # ZWJ sequences
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland's flag
        "Ça coûte 5 € — 50 % de réduction",
    ],
)
def test_legitimate_text_is_kept_as_typed(text):
    assert clean_text("body", text, max_length=200) == text


def test_a_zero_width_joiner_is_kept_only_between_emoji():
    assert visible_text("👩\u200d💻") == "👩\u200d💻"
    assert visible_text("a\u200db") == "ab"
    assert visible_text("👩\u200d") == "👩"
    assert visible_text("\u200d💻") == "💻"
    assert visible_text("x\U000e0067y") == "xy"  # a tag outside a flag


def test_a_single_line_field_turns_line_breaks_into_spaces():
    assert clean_text("title", "  Ciné\r\nclub\t du  \u2028jeudi  ", max_length=100) == (
        "Ciné club du jeudi"
    )


def test_a_multi_line_field_keeps_its_lines_and_tabs():
    typed = "Bonjour,\r\n\r\nÀ demain\u2028\tau cinéma.  \n"
    assert clean_text("body", typed, max_length=100, multiline=True) == (
        "Bonjour,\n\nÀ demain\n\tau cinéma."
    )


def test_text_is_composed_and_counted_after_cleaning():
    decomposed = "Cafe\u0301"  # e + combining acute
    assert clean_text("title", decomposed, max_length=4) == "Café"
    assert clean_text("title", "abc" + "\u200b" * 50, max_length=3) == "abc"
    with pytest.raises(DomainError) as too_long:
        clean_text("title", "abcd", max_length=3)
    assert (too_long.value.field, too_long.value.message) == (
        "title",
        "3 caractères au plus (4 saisis).",
    )


@pytest.mark.parametrize("check", [normalize_email, clean_email])
def test_an_email_address_with_hidden_characters_is_refused(check):
    with pytest.raises(DomainError):
        check("contact\u200b@cinema.fr")
    with pytest.raises(DomainError):
        check("contact@ciné\u202ema.fr")


def test_a_web_address_with_hidden_characters_is_refused():
    assert clean_website("www.cinema-prado.fr") == "https://www.cinema-prado.fr"
    with pytest.raises(DomainError):
        clean_website("https://www.cinema\u202e-prado.fr")
