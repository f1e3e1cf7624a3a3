"""The département's team: administrators list the staff members, invite one, give and take
roles, deactivate and reactivate; the invited person accepts with their emailed link.

`StaffQueries` and `StaffMutations` are composed into the root types (schema/root.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.accounts.staff import StaffMember as StaffMemberModel
from domain.accounts.staff import StaffState as StaffStateModel
from models.accounts import StaffRole as StaffRoleModel
from resolvers import staff as resolvers
from resolvers.context import Info
from resolvers.permissions import ADMINISTRATOR, ANYONE, allow
from schema.accounts import AuthPayload, AuthResult, StaffRole
from schema.errors import UserError, user_errors

StaffState = strawberry.enum(
    StaffStateModel,
    name="StaffState",
    description="INVITED: has not chosen a password yet; ACTIVE; DEACTIVATED: may not sign in.",
)


@strawberry.type(description="A member of the département's team, as administrators see them.")
class StaffMember:
    id: strawberry.ID
    email: str
    first_name: str
    last_name: str
    roles: list[StaffRole]
    state: StaffState
    last_sign_in_at: datetime | None = strawberry.field(
        description="When they last signed in (null before their first sign-in)."
    )

    @classmethod
    def of(cls, member: StaffMemberModel) -> StaffMember:
        user = member.user
        return cls(
            id=strawberry.ID(str(user.id)),
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            roles=[StaffRoleModel(r) for r in user.staff_roles],
            state=member.state,
            last_sign_in_at=member.last_sign_in_at,
        )


@strawberry.input
class InviteStaffMemberInput:
    email: str
    first_name: str
    last_name: str
    roles: list[StaffRole]


@strawberry.type
class StaffMemberSuccess:
    staff_member: StaffMember


StaffMemberResult = Annotated[StaffMemberSuccess | UserError, strawberry.union("StaffMemberResult")]


def _answer(member: StaffMemberModel) -> StaffMemberResult:
    return StaffMemberSuccess(staff_member=StaffMember.of(member))


@strawberry.type
class StaffQueries:
    @strawberry.field(
        extensions=allow(ADMINISTRATOR),
        description="The whole team (deactivated accounts too), by last name.",
    )
    async def staff_members(self, info: Info) -> list[StaffMember]:
        return [StaffMember.of(m) for m in await resolvers.staff_members(info)]


@strawberry.type
class StaffMutations:
    @strawberry.mutation(
        extensions=allow(ADMINISTRATOR),
        description="Create the account and email a link (valid 7 days) to choose a password; "
        "inviting someone whose invitation is pending sends a new link.",
    )
    @user_errors
    async def invite_staff_member(
        self, info: Info, input: InviteStaffMemberInput
    ) -> StaffMemberResult:
        return _answer(await resolvers.invite_staff_member(info, input))

    @strawberry.mutation(
        extensions=allow(ADMINISTRATOR),
        description="Replace the member's roles; LAST_ADMINISTRATOR if the team would be left "
        "without an active administrator.",
    )
    @user_errors
    async def set_staff_roles(
        self, info: Info, staff_id: strawberry.ID, roles: list[StaffRole]
    ) -> StaffMemberResult:
        return _answer(await resolvers.set_staff_roles(info, staff_id, roles))

    @strawberry.mutation(
        extensions=allow(ADMINISTRATOR),
        description="The member may no longer sign in and their sessions end at once; "
        "LAST_ADMINISTRATOR for the last active administrator.",
    )
    @user_errors
    async def deactivate_staff_member(
        self, info: Info, staff_id: strawberry.ID
    ) -> StaffMemberResult:
        return _answer(await resolvers.deactivate_staff_member(info, staff_id))

    @strawberry.mutation(extensions=allow(ADMINISTRATOR))
    @user_errors
    async def reactivate_staff_member(
        self, info: Info, staff_id: strawberry.ID
    ) -> StaffMemberResult:
        return _answer(await resolvers.reactivate_staff_member(info, staff_id))

    @strawberry.mutation(
        extensions=allow(ANYONE),
        description="The invited staff member chooses their password with the emailed link, "
        "and is signed in.",
    )
    @user_errors
    async def accept_staff_invitation(self, info: Info, token: str, password: str) -> AuthResult:
        return AuthPayload.from_issued(
            await resolvers.accept_staff_invitation(info, token, password)
        )
