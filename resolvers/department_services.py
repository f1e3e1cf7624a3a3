"""Resolvers for the département's services: the public list and the staff's changes (who
may call each is declared on the fields, schema/department_services.py)."""

from __future__ import annotations

import strawberry

from domain.department_services import services as department_services
from domain.department_services.services import ServiceChanges
from models.offers import DepartmentService, ServiceCategory
from resolvers.arguments import parse_id
from resolvers.context import Info

MAX_PAGE = 100


async def department_services_page(
    info: Info, category: ServiceCategory | None, first: int, after: str | None
) -> tuple[list[DepartmentService], bool]:
    """Published ones for everyone; staff also see the unpublished."""
    after_id = parse_id(after, "after") if after else None
    return await department_services.list_services(
        category,
        include_unpublished=info.context.viewer.is_staff,
        after_id=after_id,
        limit=max(1, min(first, MAX_PAGE)),
    )


async def create_department_service(info: Info, changes: ServiceChanges) -> DepartmentService:
    return await department_services.create_service(info.context.viewer, changes)


async def update_department_service(
    info: Info, id: strawberry.ID, changes: ServiceChanges
) -> DepartmentService:
    service_id = parse_id(id, "id")
    return await department_services.update_service(info.context.viewer, service_id, changes)


async def set_department_service_published(
    info: Info, id: strawberry.ID, published: bool
) -> DepartmentService:
    service_id = parse_id(id, "id")
    return await department_services.set_published(info.context.viewer, service_id, published)
