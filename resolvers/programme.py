"""Resolvers for what every client may read about the programme itself (its settings)."""

from __future__ import annotations

from infra.settings import Settings, get_settings
from resolvers.context import Info


async def programme(info: Info) -> Settings:
    return get_settings()
