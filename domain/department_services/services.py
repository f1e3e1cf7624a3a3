"""The département's other services (Team13, CDJ, civic service, listening places…), managed
by staff: created, edited, unpublished and published again; every change audited.

An address, when given, is geocoded before anything is written (as for offers); a service
without one is searchable but not on the map. `search_text` is what search/database.py
matches, folded as the queries are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any
from uuid import UUID

from domain.accounts.viewer import Viewer
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.search_index import SYNC_SERVICE_JOB
from domain.core.text import clean_text, fold, has_hidden_character
from domain.core.transactions import after_commit, atomic
from infra.geocoding import GeocoderUnavailable, GeocodingError, current_geocoder
from infra.jobs import enqueue
from models.offers import DepartmentService, ServiceCategory

MAX_TITLE, MAX_DESCRIPTION, MAX_LINK = 200, 5000, 300
MAX_STREET, MAX_CITY = 200, 100
_POSTAL_CODE = re.compile(r"13\d{3}")
_ADDRESS = ("street", "postal_code", "city")


@dataclass(frozen=True)
class ServiceChanges:
    """What to set; None leaves a field as it is (on creation, None means empty)."""

    category: ServiceCategory | None = None
    title: str | None = None
    description: str | None = None
    link: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    title = clean_text("title", values["title"], max_length=MAX_TITLE)
    description = clean_text(
        "description", values["description"], max_length=MAX_DESCRIPTION, multiline=True
    )
    if values["category"] is None:
        raise invalid("category", "Choisissez une catégorie.")
    link = (values["link"] or "").strip() or None
    if link is not None and (
        not link.startswith("https://") or len(link) > MAX_LINK or has_hidden_character(link)
    ):
        raise invalid(
            "link", f"Le lien doit commencer par https:// ({MAX_LINK} caractères au plus)."
        )
    street = clean_text("street", values["street"], max_length=MAX_STREET, required=False) or None
    postal_code = (values["postal_code"] or "").strip() or None
    city = clean_text("city", values["city"], max_length=MAX_CITY, required=False) or None
    if (street or city) and not postal_code:
        raise invalid("postalCode", "Le code postal est nécessaire pour placer l'adresse.")
    if postal_code is not None:
        if not _POSTAL_CODE.fullmatch(postal_code):
            raise invalid(
                "postalCode",
                "Le code postal doit être celui d'une commune des Bouches-du-Rhône (13…).",
            )
        if not city:
            raise invalid("city", "La commune est nécessaire pour placer l'adresse.")
    return {
        **values,
        "title": title,
        "description": description,
        "link": link,
        "street": street,
        "postal_code": postal_code,
        "city": city,
    }


async def _position(values: dict[str, Any]) -> tuple[float | None, float | None]:
    if values["postal_code"] is None:
        return None, None  # no address, no pin
    try:
        point = await current_geocoder().geocode(
            values["street"] or "", values["postal_code"], values["city"]
        )
    except GeocoderUnavailable as error:
        raise DomainError(ErrorCode.GEOCODING_UNAVAILABLE, error.message, "street") from None
    except GeocodingError as error:
        raise DomainError(ErrorCode.ADDRESS_NOT_FOUND, error.message, "street") from None
    if point is None:
        raise DomainError(
            ErrorCode.ADDRESS_NOT_FOUND,
            "Adresse introuvable dans les Bouches-du-Rhône : vérifiez la rue, le code postal "
            "et la commune.",
            "street",
        )
    return round(point.latitude, 6), round(point.longitude, 6)


def _search_text(values: dict[str, Any]) -> str:
    return fold(" ".join(values[k] or "" for k in ("title", "description", "city")))


def _audited(service: DepartmentService) -> dict[str, Any]:
    return {
        "category": str(service.category),
        "title": service.title,
        "link": service.link,
        "address": [service.street, service.postal_code, service.city],
        "published": service.published,
    }


async def create_service(viewer: Viewer, changes: ServiceChanges) -> DepartmentService:
    values = _checked({f.name: getattr(changes, f.name) for f in fields(changes)})
    latitude, longitude = await _position(values)
    async with atomic():
        service = await DepartmentService.create(
            **values, latitude=latitude, longitude=longitude, search_text=_search_text(values)
        )
        await record(viewer, "department_service.created", service, after=_audited(service))
        await _sync_after_commit(service.id)
    return service


async def update_service(
    viewer: Viewer, service_id: UUID, changes: ServiceChanges
) -> DepartmentService:
    service = await _existing(service_id)
    current = {f.name: getattr(service, f.name) for f in fields(changes)}
    wanted = {k: v for k, v in vars(changes).items() if v is not None}
    values = _checked({**current, **wanted})
    moved = any(values[k] != current[k] for k in _ADDRESS)
    position = await _position(values) if moved else (service.latitude, service.longitude)
    async with atomic():
        service = await DepartmentService.filter(id=service_id).select_for_update().get()
        before = _audited(service)
        for key, value in values.items():
            setattr(service, key, value)
        service.latitude, service.longitude = position
        service.search_text = _search_text(values)
        await service.save()
        await record(
            viewer, "department_service.updated", service, before=before, after=_audited(service)
        )
        await _sync_after_commit(service.id)
    return service


async def set_published(viewer: Viewer, service_id: UUID, published: bool) -> DepartmentService:
    await _existing(service_id)
    async with atomic():
        service = await DepartmentService.filter(id=service_id).select_for_update().get()
        if service.published != published:
            service.published = published
            await service.save(update_fields=["published", "updated_at"])
            action = "published" if published else "unpublished"
            await record(
                viewer,
                f"department_service.{action}",
                service,
                before={"published": not published},
                after={"published": published},
            )
            await _sync_after_commit(service.id)
    return service


async def _sync_after_commit(service_id: UUID) -> None:
    """The map index follows the service (search/sync.py; nothing with the database backend)."""
    key = str(service_id)
    await after_commit(lambda: enqueue(SYNC_SERVICE_JOB, key))


async def list_services(
    category: ServiceCategory | None,
    *,
    include_unpublished: bool,
    after_id: UUID | None,
    limit: int,
) -> tuple[list[DepartmentService], bool]:
    """By id (a stable order for a cursor); returns (services, has_more)."""
    query = DepartmentService.all()
    if not include_unpublished:
        query = query.filter(published=True)
    if category is not None:
        query = query.filter(category=category)
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    rows = await query.order_by("id").limit(limit + 1)
    return rows[:limit], len(rows) > limit


async def _existing(service_id: UUID) -> DepartmentService:
    service = await DepartmentService.get_or_none(id=service_id)
    if service is None:
        raise not_found("Service du département")
    return service
