"""Where payment files are kept: a storage of their own, never served under /media (a SEPA
file holds every partner's IBAN); staff download them through signed links."""

from __future__ import annotations

import hashlib

from infra.settings import get_settings
from infra.storage import LocalStorage, Storage

_current: Storage | None = None


def finance_storage() -> Storage:
    return _current or LocalStorage(get_settings().data_dir / "finance")


def use_finance_storage(storage: Storage | None) -> None:
    global _current
    _current = storage


async def keep(key: str, data: bytes, content_type: str) -> str:
    """Save `data` under `key`; returns its SHA-256, recorded to detect a changed file."""
    await finance_storage().save(key, data, content_type)
    return hashlib.sha256(data).hexdigest()


async def read(key: str) -> bytes:
    return await finance_storage().read(key)
