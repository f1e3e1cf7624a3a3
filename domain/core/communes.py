"""The département's communes and their centres (Marseille by arrondissement), from the
offline table infra/geocoding.py ships: what « near a commune » means when a young person
names one rather than sharing where they are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from infra.geocoding import COMMUNES


@dataclass(frozen=True)
class Commune:
    name: str
    postal_codes: tuple[str, ...]
    latitude: float
    longitude: float


@cache
def communes() -> tuple[Commune, ...]:
    """Each commune once, by name, with every postal code it has."""
    by_name: dict[str, tuple[list[str], float, float]] = {}
    for postal_code, entries in COMMUNES.items():
        for name, latitude, longitude in entries:
            codes, _, _ = by_name.setdefault(name, ([], latitude, longitude))
            codes.append(postal_code)
    return tuple(
        Commune(name, tuple(sorted(codes)), latitude, longitude)
        for name, (codes, latitude, longitude) in sorted(by_name.items(), key=_in_order)
    )


def _in_order(item: tuple[str, object]) -> tuple[str, int]:
    """Marseille 2e after Marseille 1er, not after Marseille 16e."""
    number = re.search(r"(\d+)", item[0])
    return re.sub(r"\d+\w*", "", item[0]), int(number.group(1)) if number else 0
