"""`/departement/`: the staff member's home, listing the sections their roles open."""

from __future__ import annotations

from starlette.responses import Response

from web.backoffice.space import enter
from web.pages import Visit


async def home(visit: Visit) -> Response:
    entered = await enter(visit, None)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    return visit.render("backoffice/home.html", space=space, tab="home")
