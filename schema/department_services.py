"""The département's other services: anyone lists the published ones; staff of marketing
or moderation create, edit, unpublish and publish them again.

`DepartmentServiceQueries` and `DepartmentServiceMutations` are composed into the root
types (schema/root.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.department_services.services import ServiceChanges
from models import offers
from models.accounts import StaffRole
from resolvers import department_services as resolvers
from resolvers.context import Info
from resolvers.permissions import ANYONE, allow, staff
from schema.errors import UserError, user_errors

ServiceCategory = strawberry.enum(offers.ServiceCategory, name="ServiceCategory")
MANAGES_SERVICES = allow(staff(StaffRole.MARKETING, StaffRole.MODERATION))


@strawberry.type(description="One of the département's schemes (Team13, CDJ, a listening place…).")
class DepartmentService:
    id: strawberry.ID
    category: ServiceCategory
    title: str
    description: str
    link: str | None
    street: str | None
    postal_code: str | None
    city: str | None
    latitude: float | None = strawberry.field(description="Null without an address.")
    longitude: float | None
    published: bool
    updated_at: datetime

    @classmethod
    def from_model(cls, service: offers.DepartmentService) -> DepartmentService:
        return cls(
            id=strawberry.ID(str(service.id)),
            category=service.category,
            title=service.title,
            description=service.description,
            link=service.link,
            street=service.street,
            postal_code=service.postal_code,
            city=service.city,
            latitude=service.latitude,
            longitude=service.longitude,
            published=service.published,
            updated_at=service.updated_at,
        )


@strawberry.input(description="On update, a field left null is kept; an empty text clears it.")
class DepartmentServiceInput:
    category: ServiceCategory | None = None
    title: str | None = None
    description: str | None = None
    link: str | None = strawberry.field(default=None, description="https:// only.")
    street: str | None = None
    postal_code: str | None = strawberry.field(
        default=None, description="13…; with the city, the address is placed on the map."
    )
    city: str | None = None

    def changes(self) -> ServiceChanges:
        return ServiceChanges(
            category=self.category,
            title=self.title,
            description=self.description,
            link=self.link,
            street=self.street,
            postal_code=self.postal_code,
            city=self.city,
        )


@strawberry.type
class DepartmentServicePage:
    services: list[DepartmentService]
    next_cursor: str | None = strawberry.field(description="Null on the last page.")


@strawberry.type
class DepartmentServiceSuccess:
    service: DepartmentService


DepartmentServicePageResult = Annotated[
    DepartmentServicePage | UserError, strawberry.union("DepartmentServicePageResult")
]
DepartmentServiceResult = Annotated[
    DepartmentServiceSuccess | UserError, strawberry.union("DepartmentServiceResult")
]


def _answer(result: offers.DepartmentService) -> DepartmentServiceResult:
    return DepartmentServiceSuccess(service=DepartmentService.from_model(result))


@strawberry.type
class DepartmentServiceQueries:
    @strawberry.field(
        extensions=allow(ANYONE),
        description="Published services (staff also see the unpublished), by id.",
    )
    @user_errors
    async def department_services(
        self,
        info: Info,
        category: ServiceCategory | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> DepartmentServicePageResult:
        result = await resolvers.department_services_page(info, category, first, after)
        services, more = result
        return DepartmentServicePage(
            services=[DepartmentService.from_model(s) for s in services],
            next_cursor=str(services[-1].id) if more else None,
        )


@strawberry.type
class DepartmentServiceMutations:
    @strawberry.mutation(
        extensions=MANAGES_SERVICES, description="Published at once; the address is geocoded."
    )
    @user_errors
    async def create_department_service(
        self, info: Info, input: DepartmentServiceInput
    ) -> DepartmentServiceResult:
        return _answer(await resolvers.create_department_service(info, input.changes()))

    @strawberry.mutation(extensions=MANAGES_SERVICES)
    @user_errors
    async def update_department_service(
        self, info: Info, id: strawberry.ID, input: DepartmentServiceInput
    ) -> DepartmentServiceResult:
        return _answer(await resolvers.update_department_service(info, id, input.changes()))

    @strawberry.mutation(
        extensions=MANAGES_SERVICES,
        description="Unpublished: gone from the public list, the search and the map.",
    )
    @user_errors
    async def set_department_service_published(
        self, info: Info, id: strawberry.ID, published: bool
    ) -> DepartmentServiceResult:
        return _answer(await resolvers.set_department_service_published(info, id, published))
