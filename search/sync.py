"""What the Meilisearch index holds, and when it changes.

Indexed: offers published, not withdrawn, of an active partner and not yet expired (one
document per place; an offer valid later is indexed now and filtered by date at query
time); active partners with a position; published département services. Everything else
is absent, so a document is deleted as soon as its row stops qualifying.

When: moderation kicks `search.sync_offer` after its commit (approval, withdrawal, the
"super" flag); `search.sync_partner` / `search.sync_service` do the same for a partner (and
its offers) or a service; `search.expire` runs daily and drops what ended yesterday (the
query filters by date anyway: this keeps the index small); `cjeune reindex` rebuilds all.
Each write is idempotent (documents replaced by id), so a job may run twice.

With SEARCH_BACKEND=database there is no index: every function here returns at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from domain.core import clock
from domain.core.text import fold
from domain.offers.visibility import is_adults_only
from infra.settings import get_settings
from models.offers import DepartmentService, Offer
from models.partners import Partner, PartnerStatus
from search.meilisearch import MeilisearchIndex, day_number

EXPIRE_JOB = "search.expire"
REINDEX_BATCH = 500


class SearchIndex(Protocol):
    async def configure(self) -> None: ...
    async def put(self, documents: Sequence[dict[str, Any]]) -> None: ...
    async def delete_where(self, filter_expression: str) -> None: ...


_index: SearchIndex | None = None


def current_index() -> SearchIndex | None:
    """The index to keep in sync, or None with the database backend."""
    global _index
    settings = get_settings()
    if settings.search_backend != "meilisearch" or settings.meilisearch_url is None:
        return None
    if _index is None:
        _index = MeilisearchIndex(settings.meilisearch_url, settings.meilisearch_key)
    return _index


def use_index(index: SearchIndex | None) -> None:
    """Replace the index built from the settings (tests); None: build it again."""
    global _index
    _index = index


# --- the documents ---------------------------------------------------------------------------


def _geo(latitude: float | None, longitude: float | None) -> dict[str, dict[str, float]]:
    if latitude is None or longitude is None:
        return {}
    return {"_geo": {"lat": latitude, "lng": longitude}}


def _present(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if v is not None}


def offer_is_indexed(offer: Offer, partner: Partner, today: date) -> bool:
    return (
        offer.published_revision_id is not None
        and offer.withdrawn_at is None
        and offer.valid_from is not None
        and offer.valid_until is not None
        and offer.valid_until >= today
        and partner.status == PartnerStatus.ACTIVE
    )


def document_for_offer(offer: Offer, today: date | None = None) -> list[dict[str, Any]]:
    """One document per place (none without places: one without `_geo`); [] when the
    offer is not on show. Needs `partner`, `locations` and `published_revision` loaded."""
    partner: Partner = offer.partner
    if not offer_is_indexed(offer, partner, today or clock.paris_today()):
        return []
    revision = offer.published_revision
    places = sorted(offer.locations, key=lambda place: place.id)
    base = _present(
        {
            "id": str(offer.id),
            "kind": offer.kind.value,
            "title": offer.title or "",
            "subtitle": partner.trade_name,
            "theme": offer.theme and offer.theme.value,
            "deal_type": offer.deal_type and offer.deal_type.value,
            "event_kind": offer.event_kind and offer.event_kind.value,
            "adults_only": offer.adults_only or is_adults_only(offer.theme),
            "valid_from": day_number(offer.valid_from),
            "valid_until": day_number(offer.valid_until),
            "is_super": offer.is_super,
            "text_title": fold(offer.title or ""),
            "text_partner": fold(partner.trade_name),
            "text_city": fold(" ".join(dict.fromkeys(p.city for p in places if p.city))),
            "text_description": fold(revision.description if revision else ""),
            "generation": _stamp(),
        }
    )
    if not places:
        return [{**base, "doc_id": f"offer-{offer.id}"}]
    return [
        {**base, "doc_id": f"offer-{offer.id}-{place.id}", **_geo(place.latitude, place.longitude)}
        for place in places
    ]


def document_for_partner(partner: Partner) -> list[dict[str, Any]]:
    """An active partner with a position on its profile (`profile` loaded)."""
    profile = getattr(partner, "profile", None)
    if partner.status != PartnerStatus.ACTIVE or profile is None:
        return []
    if profile.latitude is None or profile.longitude is None:
        return []
    return [
        {
            "doc_id": f"partner-{partner.id}",
            "id": str(partner.id),
            "kind": "partner",
            "title": partner.trade_name,
            "subtitle": profile.city,
            "categories": list(partner.categories or []),
            "accessibility": list(profile.accessibility or []),
            "adults_only": False,
            "is_super": False,
            "text_title": fold(partner.trade_name),
            "text_city": fold(profile.city),
            "text_description": fold(profile.description),
            "generation": _stamp(),
            **_geo(profile.latitude, profile.longitude),
        }
    ]


def document_for_service(service: DepartmentService) -> list[dict[str, Any]]:
    if not service.published:
        return []
    return [
        {
            "doc_id": f"service-{service.id}",
            "id": str(service.id),
            "kind": "service",
            "title": service.title,
            "subtitle": service.city or "",
            "theme": service.category.value,
            "adults_only": False,
            "is_super": False,
            "text_title": fold(service.title),
            "text_city": fold(service.city or ""),
            "text_description": fold(service.description),
            "generation": _stamp(),
            **_geo(service.latitude, service.longitude),
        }
    ]


def _stamp() -> int:
    """When a document was built (µs): reindexing drops those built before it started,
    and a document synced during the rebuild is newer, so it stays."""
    return time.time_ns() // 1000


def _quoted(value: object) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


async def _replace(index: SearchIndex, identifier: str, documents: list[dict[str, Any]]) -> int:
    """Write the documents of one item, then drop its others (a removed place, or all)."""
    await index.put(documents)
    stale = f"id = {_quoted(identifier)}"
    if documents:
        kept = ", ".join(_quoted(d["doc_id"]) for d in documents)
        stale += f" AND doc_id NOT IN [{kept}]"
    await index.delete_where(stale)
    return len(documents)


def _offers() -> Any:
    return Offer.all().prefetch_related("partner", "locations", "published_revision")


# --- keeping it in sync ----------------------------------------------------------------------


async def sync_offer(offer_id: UUID | str, index: SearchIndex | None = None) -> int | None:
    """Add, replace or delete an offer's documents; the number written (None: no index)."""
    index = index or current_index()
    if index is None:
        return None
    offer = await _offers().get_or_none(id=offer_id)
    return await _replace(index, str(offer_id), document_for_offer(offer) if offer else [])


async def sync_partner(partner_id: UUID | str, index: SearchIndex | None = None) -> int | None:
    """The partner's document and its offers' (they carry its name and its status)."""
    index = index or current_index()
    if index is None:
        return None
    partner = await Partner.get_or_none(id=partner_id).prefetch_related("profile")
    written = await _replace(
        index, str(partner_id), document_for_partner(partner) if partner else []
    )
    for offer in await _offers().filter(partner_id=partner_id):
        written += await _replace(index, str(offer.id), document_for_offer(offer))
    return written


async def sync_service(service_id: UUID | str, index: SearchIndex | None = None) -> int | None:
    index = index or current_index()
    if index is None:
        return None
    service = await DepartmentService.get_or_none(id=service_id)
    return await _replace(index, str(service_id), document_for_service(service) if service else [])


def expiry_filter(today: date) -> str:
    return f'kind IN ["deal", "event"] AND valid_until < {day_number(today)}'


async def expire(today: date | None = None, index: SearchIndex | None = None) -> bool:
    """Drop the offers whose validity ended before `today` (Paris)."""
    index = index or current_index()
    if index is None:
        return False
    await index.delete_where(expiry_filter(today or clock.paris_today()))
    return True


async def reindex(
    progress: Callable[[int, int], None] | None = None,
    index: SearchIndex | None = None,
    batch_size: int = REINDEX_BATCH,
) -> int:
    """Apply the index settings, write every indexed item in batches, then drop what an
    earlier run left. Searches keep working during the rebuild. Returns the items read."""
    index = index or current_index()
    if index is None:
        return 0
    started = _stamp()
    await index.configure()
    today = clock.paris_today()
    offers = _offers().filter(
        published_revision_id__isnull=False, withdrawn_at__isnull=True, valid_until__gte=today
    )
    partners = Partner.filter(status=PartnerStatus.ACTIVE).prefetch_related("profile")
    services = DepartmentService.filter(published=True)
    sources = [
        (offers, document_for_offer),
        (partners, document_for_partner),
        (services, document_for_service),
    ]
    total = sum([await query.count() for query, _ in sources])
    done = 0
    for query, documents_of in sources:
        after: UUID | None = None
        while True:
            page = query.order_by("id").limit(batch_size)
            rows = await (page.filter(id__gt=after) if after else page)
            if not rows:
                break
            await index.put([d for row in rows for d in documents_of(row)])
            after = rows[-1].id
            done += len(rows)
            if progress:
                progress(min(done, total), total)
    await index.delete_where(f"generation < {started}")
    return done
