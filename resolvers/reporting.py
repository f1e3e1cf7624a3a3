"""Resolvers for the programme's figures (any staff role, by the field's rule): aggregates
only, nobody's data. They answer the domain's `ProgrammeFigures`; schema/reporting.py
shapes it."""

from __future__ import annotations

import strawberry

from domain.reporting import figures
from resolvers.arguments import parse_id
from resolvers.context import Info


async def programme_figures(
    info: Info, school_year: strawberry.ID | None
) -> figures.ProgrammeFigures:
    year_id = parse_id(school_year, "schoolYear") if school_year else None
    return await figures.programme_figures(year_id)
