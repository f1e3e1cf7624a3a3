"""The till's card field: a QR URL typed by a QWERTY-configured USB reader on an AZERTY
keyboard is recognised and restored; a code typed by hand is left to the API."""

from __future__ import annotations

import pytest

from domain.cards import codes as card_codes
from web.partners.card_input import card_text, is_azerty_garbled

# The two layouts' keys, row by row: (unshifted, shifted) characters of each physical key.
QWERTY_KEYS = [
    ("1234567890-=", "!@#$%^&*()_+"),
    ("qwertyuiop", "QWERTYUIOP"),
    ("asdfghjkl;", "ASDFGHJKL:"),
    ("zxcvbnm,./", "ZXCVBNM<>?"),
]
AZERTY_KEYS = [
    ("&é\"'(-è_çà)=", "1234567890°+"),
    ("azertyuiop", "AZERTYUIOP"),
    ("qsdfghjklm", "QSDFGHJKLM"),
    ("wxcvbn,;:!", "WXCVBN?./§"),
]


def typed_on_azerty(text: str) -> str:
    """What a reader set up for QWERTY prints on an AZERTY layout: the same keys pressed."""
    keys = {}
    for (q_plain, q_shift), (a_plain, a_shift) in zip(QWERTY_KEYS, AZERTY_KEYS, strict=True):
        keys.update(zip(q_plain, a_plain, strict=True))
        keys.update(zip(q_shift, a_shift, strict=True))
    return "".join(keys.get(c, c) for c in text)


def test_the_field_notes_garbling_is_what_the_simulated_reader_types():
    assert typed_on_azerty("https://") == "httpsM!!"
    assert typed_on_azerty("cjeunedeprovence.fr/carte/") == "cjeunedeprovence:fr!cqrte!"
    assert typed_on_azerty("1234567890") == "&é\"'(-è_çà"
    assert typed_on_azerty("aqzwmM") == "qawz,?"


@pytest.mark.parametrize("attempt", range(200))
def test_a_garbled_qr_url_is_restored_for_any_card(attempt):
    code = card_codes.new_code()
    url = card_codes.qr_payload(code)
    garbled = typed_on_azerty(url)

    assert is_azerty_garbled(garbled)
    assert card_text(garbled) == url
    assert card_codes.normalize_code(card_text(garbled)) == code


def test_codes_full_of_moved_keys_are_restored():
    for body in ("AQWMA01234567", "MMMMAAAAQQQQW", "9876543210WAQ"):
        code = body + card_codes.check_symbol(body)
        assert card_text(typed_on_azerty(card_codes.qr_payload(code))).endswith(code)


def test_what_a_person_types_goes_through_untouched():
    code = card_codes.new_code()
    for typed in (
        card_codes.format_code(code),
        card_codes.format_code(code).lower().replace("-", " "),
        card_codes.qr_payload(code),  # a reader on a QWERTY layout
        f"  {code}  ",
    ):
        assert not is_azerty_garbled(typed)
        assert card_text(typed) == typed.strip()
    assert card_text("azerty-AQWZ,;:!") == "azerty-AQWZ,;:!"  # no URL start: not garbled
