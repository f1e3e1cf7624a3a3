"""The Meilisearch search backend, for production: the same answers as the database backend
from an index kept in sync by search/sync.py.

One index (`cjeune`) holds every kind: one document per (offer, place) — Meilisearch keeps
one `_geo` per document —, one per partner with a position, one per published service. The
`id` of a hit is the document's `distinct` attribute, so an offer comes once, at the first
of its places in the order asked: its nearest within the circle, or one inside the box.

The order is the database backend's: with `near`, by distance (`_geoPoint`) then id;
otherwise by id. `sort` comes first among the ranking rules, so relevance never reorders a
page; text only narrows (every word must match, typos allowed on long words). Meilisearch
has no keyset pagination: the cursor carries an offset, so a document indexed between two
pages can shift the next page by one (a hit shown twice or skipped).

"Open now" depends on the instant, exceptional days and holidays, which a static document
cannot answer: those queries (partners only) are answered by the database backend.

The official client is synchronous (0.43 has no async client): calls run in a thread.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import meilisearch

from domain.core.errors import invalid
from domain.core.text import fold
from search.backend import (
    ADULT_THEMES,
    Audience,
    HitKind,
    SearchBackend,
    SearchHit,
    SearchPage,
    SearchQuery,
)

INDEX_UID = "cjeune"
PRIMARY_KEY = "doc_id"
OFFER_KINDS = (HitKind.DEAL, HitKind.EVENT)
TASK_TIMEOUT_MS = 60_000
RETRIEVED = ["id", "kind", "title", "subtitle", "theme", "is_super", "_geo"]

INDEX_SETTINGS: dict[str, Any] = {
    # Folded French text (search/text.fold), as the database backend matches it.
    "searchableAttributes": ["text_title", "text_partner", "text_city", "text_description"],
    "filterableAttributes": [
        "id",
        "doc_id",
        "generation",
        "kind",
        "theme",
        "deal_type",
        "categories",
        "accessibility",
        "adults_only",
        "valid_from",
        "valid_until",
        "_geo",
    ],
    "sortableAttributes": ["_geo", "id"],
    "rankingRules": ["sort", "words", "typo", "proximity", "attribute", "exactness"],
    "distinctAttribute": "id",
    "typoTolerance": {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
    },
    "localizedAttributes": [{"attributePatterns": ["text_*"], "locales": ["fra"]}],
    "pagination": {"maxTotalHits": 10_000},
}


def day_number(day: date) -> int:
    """2026-03-01 -> 20260301: a date Meilisearch can compare."""
    return day.year * 10_000 + day.month * 100 + day.day


def _quoted(value: str) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def _one_of(attribute: str, values: Iterable[str]) -> str:
    return f"{attribute} IN [{', '.join(_quoted(v) for v in sorted(values))}]"


def _not_one_of(attribute: str, values: Iterable[str]) -> str:
    """Also true of a document without the attribute (partners, services)."""
    return f"{attribute} NOT IN [{', '.join(_quoted(v) for v in sorted(values))}]"


def _number(value: float) -> str:
    return repr(float(value))


def filters_for(query: SearchQuery, audience: Audience) -> list[str]:
    """The filter expressions (ANDed) of a query: kinds, audience, validity on the day,
    the filters asked, the circle and the box."""
    kinds = query.kinds_asked()
    filters = [_one_of("kind", kinds)]
    others = [k for k in HitKind if k not in OFFER_KINDS]
    if any(k in kinds for k in OFFER_KINDS):
        day = day_number(query.day())
        valid = f"(valid_from <= {day} AND valid_until >= {day})"
        filters.append(f"({_one_of('kind', others)} OR {valid})")
    if not audience.adult_themes:
        filters.append(f"adults_only = false AND {_not_one_of('theme', ADULT_THEMES)}")
    if query.themes:
        filters.append(_one_of("theme", query.themes))
    if query.deal_types:
        filters.append(_one_of("deal_type", query.deal_types))
    if query.partner_categories:
        filters.append(_one_of("categories", query.partner_categories))
    filters += [f"accessibility = {_quoted(a)}" for a in sorted(query.accessibility)]
    if query.near is not None:
        n = query.near
        meters = _number(n.radius_km * 1000)
        filters.append(f"_geoRadius({_number(n.latitude)}, {_number(n.longitude)}, {meters})")
    if query.bbox is not None:
        b = query.bbox
        # [top right], [bottom left]
        filters.append(
            f"_geoBoundingBox([{_number(b.north)}, {_number(b.east)}], "
            f"[{_number(b.south)}, {_number(b.west)}])"
        )
    return filters


def sort_for(query: SearchQuery) -> list[str]:
    if query.near is None:
        return ["id:asc"]
    n = query.near
    return [f"_geoPoint({_number(n.latitude)}, {_number(n.longitude)}):asc", "id:asc"]


@dataclass(frozen=True)
class OffsetCursor:
    """Where the next page starts, as an offset in the ordered hits (no keyset here)."""

    offset: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"meili|{self.offset}".encode()).decode()

    @classmethod
    def decode(cls, cursor: str) -> OffsetCursor:
        try:
            tag, number = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
            offset = int(number)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise invalid("after", "Curseur de pagination invalide.") from None
        if tag != "meili" or offset < 0:
            raise invalid("after", "Curseur d'une autre recherche : recommencez au début.")
        return cls(offset)


def search_params(query: SearchQuery, audience: Audience, offset: int) -> dict[str, Any]:
    return {
        "filter": filters_for(query, audience),
        "sort": sort_for(query),
        "offset": offset,
        "limit": query.first + 1,
        "matchingStrategy": "all",  # every word, as the database backend
        "attributesToRetrieve": RETRIEVED,
    }


def hit_from(document: dict[str, Any], with_distance: bool) -> SearchHit:
    geo = document.get("_geo") or {}
    distance = document.get("_geoDistance")
    return SearchHit(
        kind=HitKind(document["kind"]),
        id=document["id"],
        title=document.get("title") or "",
        subtitle=document.get("subtitle") or "",
        distance_km=distance / 1000 if with_distance and distance is not None else None,
        latitude=geo.get("lat"),
        longitude=geo.get("lng"),
        theme=document.get("theme"),
        is_super=bool(document.get("is_super")),
    )


class MeilisearchIndex:
    """The `cjeune` index, through the official (synchronous) client run in a thread."""

    def __init__(self, url: str, key: str | None, uid: str = INDEX_UID) -> None:
        self.client = meilisearch.Client(url, key)
        self.uid = uid
        self.index = self.client.index(uid)

    async def _wait(self, task: Any) -> None:
        done = await asyncio.to_thread(
            self.client.wait_for_task, task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS
        )
        if done.status != "succeeded":
            raise RuntimeError(f"Meilisearch task {task.task_uid} {done.status}: {done.error}")

    async def configure(self) -> None:
        """Create the index if needed and apply INDEX_SETTINGS (idempotent)."""
        task = await asyncio.to_thread(
            self.client.create_index, self.uid, {"primaryKey": PRIMARY_KEY}
        )
        await asyncio.to_thread(self.client.wait_for_task, task.task_uid)  # may already exist
        await self._wait(await asyncio.to_thread(self.index.update_settings, INDEX_SETTINGS))

    async def put(self, documents: Sequence[dict[str, Any]]) -> None:
        if documents:
            task = await asyncio.to_thread(self.index.add_documents, list(documents), PRIMARY_KEY)
            await self._wait(task)

    async def delete_where(self, filter_expression: str) -> None:
        task = await asyncio.to_thread(self.index.delete_documents, filter=filter_expression)
        await self._wait(task)

    async def clear(self) -> None:
        await self._wait(await asyncio.to_thread(self.index.delete_all_documents))

    async def drop(self) -> None:
        await self._wait(await asyncio.to_thread(self.index.delete))

    async def search(self, text: str, params: dict[str, Any]) -> dict[str, Any]:
        return await asyncio.to_thread(self.index.search, text, params)


class MeilisearchBackend:
    """The `SearchBackend` over a Meilisearch index."""

    def __init__(self, index: MeilisearchIndex, open_now: SearchBackend | None = None) -> None:
        self.index = index
        self.open_now = open_now

    async def search(self, query: SearchQuery, audience: Audience) -> SearchPage:
        query = query.checked()
        if query.open_now:
            return await self._open_now_backend().search(query, audience)
        if not query.kinds_asked():
            return SearchPage()
        offset = OffsetCursor.decode(query.after).offset if query.after else 0
        params = search_params(query, audience, offset)
        answer = await self.index.search(fold(query.text), params)
        documents = answer["hits"]
        page = [hit_from(d, query.near is not None) for d in documents[: query.first]]
        more = len(documents) > query.first
        return SearchPage(page, OffsetCursor(offset + query.first).encode() if more else None)

    def _open_now_backend(self) -> SearchBackend:
        if self.open_now is None:
            from search.database import DatabaseSearch

            self.open_now = DatabaseSearch()
        return self.open_now
