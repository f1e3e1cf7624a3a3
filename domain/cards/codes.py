"""Card codes: the 14 symbols printed under the QR code and typed by partners at the till.

A code is 13 random symbols (31**13 ≈ 2**64.4, too many to guess) and one check symbol. The
alphabet has 31 symbols, a prime, and the weights 1..14 are distinct and non-zero modulo 31, so
one wrong symbol or two swapped neighbours always change the weighted sum: a typing mistake is
refused at the till instead of being looked up as somebody else's card.
"""

from __future__ import annotations

import secrets

# Crockford's base 32 without Z: no I, L, O or U, which are read as 1, 1, 0 and V.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXY"
BODY_LENGTH = 13
CODE_LENGTH = BODY_LENGTH + 1
QR_PREFIX = "https://cjeunedeprovence.fr/carte/"

_BASE = len(ALPHABET)
_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
_CHECK_WEIGHT_INVERSE = pow(CODE_LENGTH, -1, _BASE)
# Separators people type or copy from the card, and letters they type for a look-alike symbol.
_TYPED_TO_SYMBOLS = str.maketrans(
    {"-": None, ".": None, "_": None, "O": "0", "I": "1", "L": "1", "U": "V"}
)


def new_code() -> str:
    """A fresh, valid card code, bare (no hyphens): the form stored and encoded in the QR."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_symbol(body)


def check_symbol(body: str) -> str:
    """The symbol that makes the weighted sum of body + symbol zero modulo 31."""
    if len(body) != BODY_LENGTH or not _in_alphabet(body):
        raise ValueError(f"a card code body is {BODY_LENGTH} symbols of {ALPHABET}")
    return ALPHABET[-_weighted_sum(body) * _CHECK_WEIGHT_INVERSE % _BASE]


def is_valid(code: str) -> bool:
    """True for a bare, canonical code with a matching check symbol.

    Strict on purpose: what a person typed goes through normalize_code first."""
    return len(code) == CODE_LENGTH and _in_alphabet(code) and _weighted_sum(code) == 0


def normalize_code(text: str) -> str | None:
    """The bare code behind what a partner typed or scanned, or None if it is not a card code.

    Case, separators and look-alike letters are forgiven; a wrong check symbol is not, so a
    typo never reaches the database as another young person's card."""
    text = text.strip()
    if not text.isascii():
        return None
    if text[: len(QR_PREFIX)].lower() == QR_PREFIX:
        text = text[len(QR_PREFIX) :].removesuffix("/")
    code = "".join(text.upper().split()).translate(_TYPED_TO_SYMBOLS)
    return code if is_valid(code) else None


def format_code(code: str) -> str:
    """The printed and displayed form, XXXX-XXXX-XXXX-XX, easier to read aloud and to type."""
    _require_valid(code)
    return _grouped(code)


def qr_payload(code: str) -> str:
    """What the QR encodes: a URL, so a phone camera opens the card page instead of raw text."""
    _require_valid(code)
    return QR_PREFIX + code


def mask_code(code: str) -> str:
    """The form on statements: the last four symbols tell cards apart without exposing them."""
    _require_valid(code)
    return _grouped("*" * (CODE_LENGTH - 4) + code[-4:])


def _weighted_sum(symbols: str) -> int:
    return sum(weight * _VALUES[symbol] for weight, symbol in enumerate(symbols, 1)) % _BASE


def _in_alphabet(symbols: str) -> bool:
    return all(symbol in _VALUES for symbol in symbols)


def _grouped(symbols: str) -> str:
    return "-".join(symbols[start : start + 4] for start in range(0, len(symbols), 4))


def _require_valid(code: str) -> None:
    # A malformed code here is a programming error: stored codes come from new_code.
    if not is_valid(code):
        raise ValueError(f"not a valid bare card code: {code!r}")
