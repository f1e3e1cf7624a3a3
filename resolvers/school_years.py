"""Resolvers for the back office's school years: each run of the schools' file and its
report, a year's figures and its closing after 31 August."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import strawberry

from domain.cards import beneficiary_import, school_years, year_end
from domain.core.errors import not_found
from models.cards import BeneficiaryImport, SchoolYear
from resolvers.arguments import parse_id
from resolvers.context import Info


async def _year(school_year_id: strawberry.ID) -> SchoolYear:
    year = await SchoolYear.get_or_none(id=parse_id(school_year_id, "schoolYearId"))
    if year is None:
        raise not_found("Année scolaire")
    return year


def _uuid_or_none(value: strawberry.ID) -> UUID | None:
    """A query answers null for an id that is not one, as for an unknown one."""
    try:
        return UUID(str(value))
    except ValueError:
        return None


async def beneficiary_import_of(info: Info, id: strawberry.ID) -> BeneficiaryImport | None:
    found = _uuid_or_none(id)
    return None if found is None else await beneficiary_import.import_of(found)


async def beneficiary_imports(
    info: Info, school_year_id: strawberry.ID, first: int
) -> list[BeneficiaryImport]:
    found = _uuid_or_none(school_year_id)
    year = None if found is None else await SchoolYear.get_or_none(id=found)
    if year is None:
        return []
    return await beneficiary_import.imports_of(year, max(1, min(first, 100)))


@dataclass(frozen=True)
class FiguresNow:
    figures: year_end.YearFigures
    can_close: bool


async def school_year_figures(info: Info, school_year_id: strawberry.ID) -> FiguresNow | None:
    found = _uuid_or_none(school_year_id)
    year = None if found is None else await SchoolYear.get_or_none(id=found)
    if year is None:
        return None
    return FiguresNow(await year_end.year_figures(year), school_years.is_over(year))


async def close_school_year(info: Info, school_year_id: strawberry.ID) -> year_end.YearEndClosing:
    return await year_end.close_school_year_by_staff(
        info.context.viewer, await _year(school_year_id)
    )
