"""What the till's card field received, made into what `lookupCard` reads.

A USB QR-code reader is a keyboard: it types the QR's content (the card's URL,
`https://cjeunedeprovence.fr/carte/<code>`) and presses Enter. Readers are set up for a
US QWERTY layout; on a French AZERTY computer each key it presses prints the AZERTY
character of that key, so the URL arrives garbled: `httpsM!!cjeunedeprovence:fr!cqrte!…`
(`:` is Shift plus the key AZERTY prints `m` on, `/` and `.` are the keys of `!` and `:`,
a/q and z/w are swapped, m is where `,` is, and the digits, unshifted on QWERTY, print
`&é"'(-è_çà`). The garbling is recognised by the URL's start, and undone key by key.

A code typed by hand goes through unchanged: the API forgives case, spaces, separators
and look-alike letters itself (domain/cards/codes.py).
"""

from __future__ import annotations

import re

# The AZERTY character printed -> the character a QWERTY reader meant, key by key
# (unshifted, then shifted).
_AZERTY_TO_QWERTY = str.maketrans(
    {
        # the number row: &é"'(-è_çà print where QWERTY has its digits; ) and ° where - and _
        "&": "1",
        "é": "2",
        '"': "3",
        "'": "4",
        "(": "5",
        "-": "6",
        "è": "7",
        "_": "8",
        "ç": "9",
        "à": "0",
        ")": "-",
        "°": "_",
        # letters that moved
        "a": "q",
        "q": "a",
        "z": "w",
        "w": "z",
        "A": "Q",
        "Q": "A",
        "Z": "W",
        "W": "Z",
        "m": ";",
        "M": ":",
        ",": "m",
        "?": "M",
        # the bottom row's punctuation
        ";": ",",
        ":": ".",
        "!": "/",
        "§": "?",
    }
)
# `https://` typed by a QWERTY reader on AZERTY, or the card site's address inside it.
_GARBLED = re.compile(r"^(?i:https?)M!!|cjeunedeprovence:fr!")


def is_azerty_garbled(typed: str) -> bool:
    return _GARBLED.search(typed.strip()) is not None


def card_text(typed: str) -> str:
    """The text to look the card up with: the reader's URL restored when it arrived
    garbled by an AZERTY layout, otherwise what was typed."""
    text = typed.strip()
    if is_azerty_garbled(text):
        return text.translate(_AZERTY_TO_QWERTY)
    return text
