"""Resolvers for a person's rights over their data: read the input, call domain.privacy."""

from __future__ import annotations

import strawberry

from domain.privacy import closure, export, profile
from models.accounts import ProfileVisibility, User
from resolvers.arguments import parse_id
from resolvers.context import Info


async def close_my_account(info: Info, password: str) -> None:
    await closure.close_account(info.context.viewer, password)


async def request_my_data(info: Info) -> None:
    await export.request_export(info.context.viewer)


async def request_data_export_for_parent(
    info: Info, young_person_id: strawberry.ID, reason: str
) -> None:
    await export.request_export_for_parent(
        info.context.viewer, parse_id(young_person_id, "youngPersonId"), reason
    )


async def set_profile_visibility(info: Info, visibility: ProfileVisibility) -> User:
    return await profile.set_profile_visibility(info.context.viewer, visibility)
