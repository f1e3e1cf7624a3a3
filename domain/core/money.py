"""Money at the edges: euros typed by a person -> integer cents -> French display."""

from __future__ import annotations

import re

from domain.core.errors import invalid

# Digits, optionally a comma or a point and one or two decimals: "10", "10,5", "10.55".
_EUROS = re.compile(r"([0-9]{1,6})(?:[.,]([0-9]{1,2}))?")
MAX_CENTS = 100_000_00  # nothing on this card comes close to 100 000 €


def parse_euros(text: str, field: str = "amount") -> int:
    """Integer cents from an amount in euros with at most two decimals, strictly positive."""
    cleaned = text.strip().removesuffix("€").strip() if isinstance(text, str) else ""
    match = _EUROS.fullmatch(cleaned)
    if match is None:
        raise invalid(
            field,
            "Montant invalide : saisissez un montant en euros avec au plus deux décimales "
            "(par exemple 10,55).",
        )
    euros, decimals = match.group(1), (match.group(2) or "").ljust(2, "0")
    cents = int(euros) * 100 + int(decimals)
    if cents <= 0:
        raise invalid(field, "Le montant doit être supérieur à zéro.")
    if cents > MAX_CENTS:
        raise invalid(field, "Montant trop élevé.")
    return cents


def format_euros(cents: int) -> str:
    """« 10,55 € », « 1 234,56 € »: French format with narrow no-break spaces, as Babel's
    fr_FR gives it (checked by the tests), without its cost on the debit path."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{rest:02d}\u00a0€"
