"""The one search interface behind the `search` query, whatever the backend.

A `SearchQuery` says what to find (text, filters, a circle or a map box, a page); a backend
answers a `SearchPage` of `SearchHit`s in a stable order: by distance then id when `near` is
given (cursor = distance and id), otherwise by id (cursor = id). The `Audience` says whether
the themes reserved to 18-25s may be shown; the caller computes it from the birth date.

Each filter applies to the kinds that carry it; while it is set, the other kinds are left
out: themes -> deals and events; deal types -> deals; partner categories, accessibility,
open now -> partners. `valid_on` (default: today in Paris) applies to deals and events only.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

from domain.core import clock
from domain.core.errors import invalid
from models.accounts import User, UserKind
from models.offers import DealType, OfferTheme
from models.partners import PartnerCategory

EARTH_RADIUS_KM = 6371.0088
MAX_RADIUS_KM = 100.0
MAX_PAGE = 100
ADULT_THEMES = frozenset({OfferTheme.TOURISME, OfferTheme.INSERTION_PROFESSIONNELLE})
ADULT_AGE, OLDEST_AGE = 18, 25  # as domain/offer_visibility.sees_adult_themes


class HitKind(StrEnum):
    DEAL = "deal"
    EVENT = "event"
    PARTNER = "partner"
    SERVICE = "service"


@dataclass(frozen=True)
class Near:
    latitude: float
    longitude: float
    radius_km: float


@dataclass(frozen=True)
class BoundingBox:
    south: float
    west: float
    north: float
    east: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    kinds: frozenset[HitKind] = frozenset(HitKind)
    themes: frozenset[OfferTheme] = frozenset()
    deal_types: frozenset[DealType] = frozenset()
    partner_categories: frozenset[PartnerCategory] = frozenset()
    accessibility: frozenset[str] = frozenset()
    valid_on: date | None = None  # None: today in Paris
    open_now: bool = False
    near: Near | None = None
    bbox: BoundingBox | None = None
    first: int = 20
    after: str | None = None

    def kinds_asked(self) -> frozenset[HitKind]:
        """The kinds left once each filter has dropped the kinds it does not apply to."""
        kinds = set(self.kinds or HitKind)
        if self.themes:
            kinds &= {HitKind.DEAL, HitKind.EVENT}
        if self.deal_types:
            kinds &= {HitKind.DEAL}
        if self.partner_categories or self.accessibility or self.open_now:
            kinds &= {HitKind.PARTNER}
        return frozenset(kinds)

    def checked(self) -> SearchQuery:
        """Refuses what no backend should run (a huge circle, an inverted box)."""
        if not 1 <= self.first <= MAX_PAGE:
            raise invalid("first", f"Entre 1 et {MAX_PAGE} résultats par page.")
        if self.near is not None:
            n = self.near
            if not (-90 <= n.latitude <= 90 and -180 <= n.longitude <= 180):
                raise invalid("near", "Position invalide.")
            if not 0 < n.radius_km <= MAX_RADIUS_KM:
                raise invalid("near.radiusKm", f"Rayon entre 0 et {MAX_RADIUS_KM:.0f} km.")
        if self.bbox is not None:
            b = self.bbox
            if not (-90 <= b.south <= b.north <= 90 and -180 <= b.west <= b.east <= 180):
                raise invalid("bbox", "Cadre de carte invalide (sud ≤ nord, ouest ≤ est).")
        return self

    def day(self) -> date:
        return self.valid_on or clock.paris_today()


@dataclass(frozen=True)
class Audience:
    """Who the results are for: may the 18-25-only themes be shown?"""

    adult_themes: bool = False

    @classmethod
    def of(cls, user: User | None, today: date | None = None) -> Audience:
        """Anonymous: themes for everyone. Young people: per their age today (Paris).
        Staff see everything; delegates, who hold no card, see what anyone sees."""
        if user is None:
            return cls(False)
        if user.kind == UserKind.STAFF:
            return cls(True)
        if user.kind == UserKind.YOUNG_PERSON and user.birth_date is not None:
            age = clock.age_on(user.birth_date, today or clock.paris_today())
            return cls(ADULT_AGE <= age <= OLDEST_AGE)
        return cls(False)

    def may_see(self, theme: OfferTheme | str | None, adults_only: bool) -> bool:
        return self.adult_themes or (not adults_only and theme not in ADULT_THEMES)


@dataclass(slots=True)
class SearchHit:
    """One hit, treated as a value: never changed once made (a changed copy is a new one).
    Not frozen: a map page builds a few hundred of them, and a frozen dataclass's
    `__init__` costs 7 µs each here against 1.6 µs."""

    kind: HitKind
    id: str
    title: str
    subtitle: str = ""
    distance_km: float | None = None  # exact: the order and the cursor need it (see shown_km)
    latitude: float | None = None
    longitude: float | None = None
    theme: str | None = None
    is_super: bool = False


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit] = field(default_factory=list)
    next_cursor: str | None = None
    # A text search without hits: partner names and communes spelt like the query.
    suggestions: list[str] = field(default_factory=list)


class SearchBackend(Protocol):
    async def search(self, query: SearchQuery, audience: Audience) -> SearchPage:
        """One page of hits in the documented order; `next_cursor` None on the last page."""


# --- shared by the backends -------------------------------------------------------------

DISPLAYED_KM_DECIMALS = 1


def shown_km(distance_km: float | None) -> float | None:
    """A distance as a map shows it, to 0.1 km: the one rounding of every distance the API
    gives (the hits keep the exact figure, which orders them and makes their cursor)."""
    return None if distance_km is None else round(distance_km, DISPLAYED_KM_DECIMALS)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distances_from(latitude: float, longitude: float) -> Callable[[float, float], float]:
    """`haversine_km` from one fixed point, its own trigonometry done once (a page
    measures a few hundred rows from the same point)."""
    phi1, cos_phi1, lon1 = math.radians(latitude), math.cos(math.radians(latitude)), longitude
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt

    def to(lat2: float, lon2: float) -> float:
        phi2 = radians(lat2)
        h = sin((phi2 - phi1) / 2) ** 2 + cos_phi1 * cos(phi2) * sin(radians(lon2 - lon1) / 2) ** 2
        return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))

    return to


@dataclass(frozen=True)
class Position:
    """Where the previous page stopped: (distance, id) in distance order, else (None, id)."""

    distance_km: float | None
    id: str

    def encode(self) -> str:
        distance = "" if self.distance_km is None else repr(self.distance_km)
        return base64.urlsafe_b64encode(f"{distance}|{self.id}".encode()).decode()

    @classmethod
    def decode(cls, cursor: str, by_distance: bool) -> Position:
        try:
            distance, identifier = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
            position = cls(float(distance) if distance else None, identifier)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise invalid("after", "Curseur de pagination invalide.") from None
        if (position.distance_km is not None) != by_distance or not identifier:
            raise invalid("after", "Curseur d'une autre recherche : recommencez au début.")
        return position

    def key(self) -> tuple[float, str]:
        return (self.distance_km or 0.0, self.id)


def order_key(hit: SearchHit) -> tuple[float, str]:
    return (hit.distance_km or 0.0, hit.id)
