"""Resolvers for what a signed-in person manages of their own account: their open sessions
and the devices their notifications reach. Each field is for the signed-in person only
(schema/my_account.py), and reads or changes only their own rows."""

from __future__ import annotations

import strawberry

from domain.accounts import my_sessions
from domain.notifications import devices
from models.accounts import AuthSession
from models.notifications import Device
from resolvers.arguments import parse_id
from resolvers.context import Info


async def my_sessions_list(info: Info) -> list[AuthSession]:
    return await my_sessions.open_sessions(info.context.viewer.signed_in_user.id)


async def sign_out_other_sessions(info: Info) -> int:
    viewer = info.context.viewer
    return await my_sessions.sign_out_other_sessions(viewer.signed_in_user.id, viewer.session_id)


async def my_devices(info: Info) -> list[Device]:
    return await devices.my_devices(info.context.viewer.signed_in_user.id)


async def remove_my_device(info: Info, device_id: strawberry.ID) -> bool:
    return await devices.remove_my_device(
        info.context.viewer.signed_in_user.id, parse_id(device_id, "deviceId")
    )
