"""Resolvers for the département's team (administrators only, by the fields' rules), and
for accepting a staff invitation (anyone holding its link).

They answer models or the domain's `StaffMember`; schema/staff.py shapes them.
"""

from __future__ import annotations

from typing import Any

import strawberry

from domain.accounts import sessions, staff
from models.accounts import StaffRole, User
from resolvers.arguments import parse_id
from resolvers.context import Info


async def staff_members(info: Info) -> list[staff.StaffMember]:
    return await staff.staff_members()


async def _member(user: User) -> staff.StaffMember:
    [member] = await staff.staff_members(only=user.id)
    return member


async def invite_staff_member(info: Info, input: Any) -> staff.StaffMember:
    """`input` is an InviteStaffMemberInput."""
    user = await staff.invite_staff_member(
        info.context.viewer,
        email=input.email,
        first_name=input.first_name,
        last_name=input.last_name,
        roles=list(input.roles),
    )
    return staff.StaffMember(user, staff.state_of(user), None)


async def set_staff_roles(
    info: Info, staff_id: strawberry.ID, roles: list[StaffRole]
) -> staff.StaffMember:
    user = await staff.set_staff_roles(
        info.context.viewer, parse_id(staff_id, "staffId"), list(roles)
    )
    return await _member(user)


async def deactivate_staff_member(info: Info, staff_id: strawberry.ID) -> staff.StaffMember:
    user = await staff.deactivate_staff_member(info.context.viewer, parse_id(staff_id, "staffId"))
    return await _member(user)


async def reactivate_staff_member(info: Info, staff_id: strawberry.ID) -> staff.StaffMember:
    user = await staff.reactivate_staff_member(info.context.viewer, parse_id(staff_id, "staffId"))
    return await _member(user)


async def accept_staff_invitation(info: Info, token: str, password: str) -> sessions.IssuedTokens:
    """Accept, then sign in with the password just chosen."""
    user = await staff.accept_staff_invitation(token, password, info.context.client_address)
    issued = await sessions.login(
        user.email, password, info.context.client_address, info.context.user_agent
    )
    return await info.context.signed_in(issued)
