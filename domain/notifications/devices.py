"""Devices that receive push notifications: one user may have several."""

from __future__ import annotations

import re
from uuid import UUID

from domain.core.errors import invalid
from domain.core.transactions import atomic
from models.notifications import Device, DevicePlatform

MAX_DEVICES_PER_USER = 10
_TOKEN = re.compile(r"[A-Za-z0-9_:\-.]{20,512}")


def _checked_token(token: str) -> str:
    token = token.strip()
    if not _TOKEN.fullmatch(token):
        raise invalid("token", "Ce jeton d'appareil n'est pas un jeton FCM valide.")
    return token


def _checked_platform(platform: str) -> DevicePlatform:
    try:
        return DevicePlatform(platform.lower())
    except ValueError:
        raise invalid("platform", "Plateforme inconnue : android, ios ou web.") from None


async def register_device(user_id: UUID, token: str, platform: str) -> Device:
    """Idempotent. A token seen on another account moves here: the phone changed hands."""
    token, kind = _checked_token(token), _checked_platform(platform)
    async with atomic():
        device = await Device.select_for_update().get_or_none(token=token)
        if device is None:
            device = await Device.create(user_id=user_id, token=token, platform=kind)
        else:
            device.user_id = user_id
            device.platform = kind
            await device.save(update_fields=["user_id", "platform", "last_seen_at"])
        extra = (
            await Device.filter(user_id=user_id)
            .order_by("-last_seen_at")
            .offset(MAX_DEVICES_PER_USER)
            .values_list("id", flat=True)
        )
        if extra:  # the oldest devices of a user who reinstalled many times
            await Device.filter(id__in=list(extra)).delete()
    return device


async def unregister_device(user_id: UUID, token: str) -> bool:
    """At sign-out: this phone stops receiving this account's notifications."""
    return bool(await Device.filter(user_id=user_id, token=token.strip()).delete())


async def my_devices(user_id: UUID) -> list[Device]:
    """The devices that receive this person's push notifications, newest first."""
    return await Device.filter(user_id=user_id).order_by("-created_at", "-id")


async def remove_my_device(user_id: UUID, device_id: UUID) -> bool:
    """From the profile page: a device of mine stops receiving my notifications (someone
    else's device, or one already gone, changes nothing)."""
    return bool(await Device.filter(user_id=user_id, id=device_id).delete())
