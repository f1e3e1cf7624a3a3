"""Types for people and their sign-in sessions."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from models.accounts import ProfileVisibility as ProfileVisibilityModel
from models.accounts import StaffRole as StaffRoleModel
from models.accounts import User as UserModel
from models.accounts import UserKind as UserKindModel
from server.context import Info

if TYPE_CHECKING:
    from schema.partners import Delegation

UserKind = strawberry.enum(UserKindModel, name="UserKind")
StaffRole = strawberry.enum(StaffRoleModel, name="StaffRole")
ProfileVisibility = strawberry.enum(ProfileVisibilityModel, name="ProfileVisibility")


@strawberry.type(description="The signed-in person's own account.")
class Me:
    id: strawberry.ID
    email: str
    kind: UserKind
    first_name: str
    last_name: str
    birth_date: date | None
    postal_code: str | None
    email_verified: bool
    staff_roles: list[StaffRole]
    profile_visibility: ProfileVisibility
    marketing_email_opt_in: bool
    marketing_push_opt_in: bool

    @strawberry.field(description="The partners this person acts for, and with which rights.")
    async def delegations(
        self, info: Info
    ) -> list[Annotated[Delegation, strawberry.lazy("schema.partners")]]:
        from schema.partners import Delegation

        delegates = await info.context.loaders.delegations_by_user.load(UUID(self.id))
        return [Delegation.from_model(d) for d in delegates]

    @classmethod
    def from_model(cls, user: UserModel) -> Me:
        return cls(
            id=strawberry.ID(str(user.id)),
            email=user.email,
            kind=user.kind,
            first_name=user.first_name,
            last_name=user.last_name,
            birth_date=user.birth_date,
            postal_code=user.postal_code,
            email_verified=user.email_verified_at is not None,
            staff_roles=[StaffRoleModel(r) for r in user.staff_roles],
            profile_visibility=user.profile_visibility,
            marketing_email_opt_in=user.marketing_email_opt_in,
            marketing_push_opt_in=user.marketing_push_opt_in,
        )


@strawberry.type(description="A person as shown to those who work with them (no private data).")
class Person:
    id: strawberry.ID
    first_name: str
    last_name: str
    email: str

    @classmethod
    def from_model(cls, user: UserModel) -> Person:
        return cls(
            id=strawberry.ID(str(user.id)),
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
        )


@strawberry.type(description="Tokens of a signed-in session.")
class AuthPayload:
    access_token: str = strawberry.field(description="Bearer token, valid `expiresIn` seconds.")
    expires_in: int
    refresh_token: str = strawberry.field(description="Single use: each refresh returns a new one.")
    user: Me


@strawberry.type
class RegisterSuccess:
    user: Me


@strawberry.input
class RegisterInput:
    email: str
    password: str
    first_name: str
    last_name: str
    birth_date: date
    postal_code: str = strawberry.field(description="Code postal de résidence (13xxx).")
