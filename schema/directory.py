"""The public directory: the active partners by commune and category, for anyone, signed in
or not (the web's /annuaire and its sitemap). A partner's own page is the `partner` field;
`Partner.listed` says whether it belongs in the directory.

`DirectoryQueries` is composed into the root Query (schema/root.py).
"""

from __future__ import annotations

import strawberry

from domain.core.communes import Commune as CommuneModel
from domain.partners.directory import DirectoryCommune as DirectoryCommuneModel
from domain.partners.directory import DirectoryPage as DirectoryPageModel
from resolvers import directory as resolvers
from resolvers.context import Info
from resolvers.permissions import ANYONE, allow
from schema.partners import Partner, PartnerCategory


@strawberry.type(description="A page of the directory, by commune then name.")
class DirectoryPage:
    partners: list[Partner]
    total_count: int = strawberry.field(description="Partners in every page together.")
    page: int = strawberry.field(description="From 1.")
    page_count: int = strawberry.field(description="At least 1, even when there is nobody.")

    @classmethod
    def from_domain(cls, found: DirectoryPageModel) -> DirectoryPage:
        return cls(
            partners=[Partner.from_model(partner) for partner, _ in found.partners],
            total_count=found.total,
            page=found.page,
            page_count=found.page_count,
        )


@strawberry.type(description="A commune where at least one partner accepts the card.")
class DirectoryCommune:
    name: str
    partner_count: int

    @classmethod
    def from_domain(cls, commune: DirectoryCommuneModel) -> DirectoryCommune:
        return cls(name=commune.name, partner_count=commune.partner_count)


@strawberry.type(description="A commune of the département (Marseille: each arrondissement).")
class Commune:
    name: str
    postal_codes: list[str]
    latitude: float = strawberry.field(description="Its centre.")
    longitude: float

    @classmethod
    def from_domain(cls, commune: CommuneModel) -> Commune:
        return cls(
            name=commune.name,
            postal_codes=list(commune.postal_codes),
            latitude=commune.latitude,
            longitude=commune.longitude,
        )


@strawberry.type
class DirectoryQueries:
    @strawberry.field(
        extensions=allow(ANYONE),
        description=(
            "The partners that accept the card (active ones), in a commune (its name, case "
            "ignored) and of a category when given; by commune then name, in numbered pages "
            f"of `first` partners (1 to {resolvers.MAX_PER_PAGE})."
        ),
    )
    async def directory(
        self,
        info: Info,
        commune: str | None = None,
        category: PartnerCategory | None = None,
        page: int = 1,
        first: int = 24,
    ) -> DirectoryPage:
        found = await resolvers.directory_page(info, commune, category, page, first)
        return DirectoryPage.from_domain(found)

    @strawberry.field(
        extensions=allow(ANYONE),
        description="The communes with partners (of a category when given), by name.",
    )
    async def directory_communes(
        self, info: Info, category: PartnerCategory | None = None
    ) -> list[DirectoryCommune]:
        found = await resolvers.directory_communes(info, category)
        return [DirectoryCommune.from_domain(c) for c in found]

    @strawberry.field(
        extensions=allow(ANYONE),
        description="The département's communes by name, with their centre: « near a commune ».",
    )
    async def communes(self, info: Info) -> list[Commune]:
        return [Commune.from_domain(c) for c in await resolvers.commune_list(info)]
