"""The search resolver: read the input, work out the audience from the viewer (the birth
date, on the server), ask the backend; schema/search.py shapes the page."""

from __future__ import annotations

from typing import Any

from infra.settings import get_settings
from resolvers.context import Info
from search.backend import (
    Audience,
    BoundingBox,
    HitKind,
    Near,
    SearchBackend,
    SearchPage,
    SearchQuery,
)
from search.database import DatabaseSearch

_backend: SearchBackend | None = None


def use_backend(backend: SearchBackend | None) -> None:
    """Replace the backend chosen from the settings (None: choose again at next use)."""
    global _backend
    _backend = backend


def current_backend() -> SearchBackend:
    """SEARCH_BACKEND, read at the first search of the process."""
    global _backend
    if _backend is None:
        settings = get_settings()
        if settings.search_backend == "meilisearch" and settings.meilisearch_url:
            from search.meilisearch import MeilisearchBackend, MeilisearchIndex

            index = MeilisearchIndex(settings.meilisearch_url, settings.meilisearch_key)
            _backend = MeilisearchBackend(index)
        else:
            _backend = DatabaseSearch()
    return _backend


def search_query(input: Any) -> SearchQuery:
    """The backend's query from a SearchInput."""
    near, box = input.near, input.bbox
    return SearchQuery(
        text=input.text,
        kinds=frozenset(HitKind(k) for k in input.kinds or HitKind),
        themes=frozenset(input.themes or ()),
        deal_types=frozenset(input.deal_types or ()),
        partner_categories=frozenset(input.partner_categories or ()),
        accessibility=frozenset(a.value for a in input.accessibility or ()),
        valid_on=input.valid_on,
        open_now=input.open_now,
        near=near and Near(near.latitude, near.longitude, near.radius_km),
        bbox=box and BoundingBox(box.south, box.west, box.north, box.east),
        first=input.first,
        after=input.after,
    )


async def search(info: Info, query: SearchQuery) -> SearchPage:
    audience = Audience.of(info.context.viewer.user)
    return await current_backend().search(query, audience)
