"""The `search` query: deals, events, partners and the département's services, by text,
filters, around a point or inside the map's box, one cursor over all of them.

`SearchQueries` is composed into the root Query (schema/root.py). Anyone may search:
anonymous visitors see the themes for everyone; young people what their age allows,
computed on the server from the birth date (resolvers/search.py).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from resolvers import search as search_resolvers
from resolvers.context import Info
from resolvers.permissions import ANYONE, allow
from schema.errors import UserError, user_errors
from schema.offers import DealType, OfferTheme
from schema.partner_profiles import AccessibilityType
from schema.partners import PartnerCategory
from search import backend
from search.backend import HitKind

SearchKind = strawberry.enum(HitKind, name="SearchKind")


@strawberry.input(description="Around a point: hits sorted by distance, nearest first.")
class NearInput:
    latitude: float
    longitude: float
    radius_km: float = strawberry.field(description="Up to 100 km.")


@strawberry.input(description="The map's visible box, in degrees.")
class BoundingBoxInput:
    south: float
    west: float
    north: float
    east: float


@strawberry.input(
    description=(
        "Each filter keeps the kinds it applies to and leaves the others out: themes (deals, "
        "events), deal types (deals), partner categories, accessibility, open now (partners)."
    )
)
class SearchInput:
    text: str = strawberry.field(
        default="",
        description=(
            "French words, accents and case ignored; each must match, as a word, the start of "
            "one (while typing) or, on PostgreSQL, after stemming or a typo's correction. "
            "With text, hits come best first (docs/search.md)."
        ),
    )
    kinds: list[SearchKind] | None = None
    themes: list[OfferTheme] | None = None
    deal_types: list[DealType] | None = None
    partner_categories: list[PartnerCategory] | None = None
    accessibility: list[AccessibilityType] | None = strawberry.field(
        default=None, description="Places accessible to all the types given."
    )
    valid_on: date | None = strawberry.field(
        default=None, description="Deals and events valid that day; default today (Paris)."
    )
    open_now: bool = False
    near: NearInput | None = None
    bbox: BoundingBoxInput | None = None
    first: int = strawberry.field(default=20, description="1 to 100.")
    after: str | None = None


@strawberry.type(description="One pin or line of the results.")
class SearchHit:
    kind: SearchKind
    id: strawberry.ID
    title: str
    subtitle: str = strawberry.field(description="The partner (deals, events), or the city.")
    distance_km: float | None = strawberry.field(
        description="From `near`, in km to the nearest 0.1 km; null without it."
    )
    latitude: float | None
    longitude: float | None
    theme: OfferTheme | None
    is_super: bool = strawberry.field(description="A « super bon plan », highlighted on the map.")

    @classmethod
    def from_backend(cls, hit: backend.SearchHit) -> SearchHit:
        return cls(
            kind=hit.kind,
            id=strawberry.ID(hit.id),
            title=hit.title,
            subtitle=hit.subtitle,
            distance_km=backend.shown_km(hit.distance_km),
            latitude=hit.latitude,
            longitude=hit.longitude,
            theme=hit.theme,
            is_super=hit.is_super,
        )


@strawberry.type
class SearchPage:
    hits: list[SearchHit]
    next_cursor: str | None = strawberry.field(description="Null on the last page.")
    suggestions: list[str] = strawberry.field(
        extensions=allow(ANYONE),
        description=(
            "« Vouliez-vous dire… » : when a text search finds nothing, the active partners' "
            "names and the communes spelt most like it (best first); empty otherwise. Public "
            "names only, so anyone who may search may read them."
        ),
    )


SearchResult = Annotated[SearchPage | UserError, strawberry.union("SearchResult")]


def _answer(result: backend.SearchPage) -> SearchResult:
    return SearchPage(
        hits=[SearchHit.from_backend(hit) for hit in result.hits],
        next_cursor=result.next_cursor,
        suggestions=result.suggestions,
    )


@strawberry.type
class SearchQueries:
    @strawberry.field(
        extensions=allow(ANYONE),
        description=(
            "Deals, events, partners and services. With `text`: best first (every word as "
            "typed, then as a prefix, then corrected; then relevance, with the distance when "
            "`near` is given; then freshness; super bons plans boosted). Without text, with "
            "`near`: nearest first, each hit with its distance; otherwise a stable order for "
            "the map. Deals and events: published, valid on the day, and of the themes the "
            "viewer's age allows."
        ),
    )
    @user_errors
    async def search(self, info: Info, query: SearchInput) -> SearchResult:
        return _answer(await search_resolvers.search(info, search_resolvers.search_query(query)))
