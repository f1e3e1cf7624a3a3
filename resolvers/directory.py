"""Resolvers for the public directory: anyone may read it (schema/directory.py)."""

from __future__ import annotations

from domain.core.communes import Commune, communes
from domain.partners import directory
from domain.partners.directory import DirectoryCommune, DirectoryPage
from models.partners import PartnerCategory
from resolvers.context import Info

MAX_PER_PAGE = directory.MAX_PER_PAGE


async def directory_page(
    info: Info, commune: str | None, category: PartnerCategory | None, page: int, per_page: int
) -> DirectoryPage:
    found = await directory.directory_page(commune, category, page, per_page)
    loaders = info.context.loaders
    for partner, profile in found.partners:  # the page's fields read them without a query
        loaders.partner.prime(partner.id, partner)
        loaders.partner_profile.prime(partner.id, profile)
    return found


async def directory_communes(
    info: Info, category: PartnerCategory | None
) -> list[DirectoryCommune]:
    return await directory.directory_communes(category)


async def commune_list(info: Info) -> tuple[Commune, ...]:
    return communes()
