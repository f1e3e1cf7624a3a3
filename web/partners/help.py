"""« Aide » (`/partenaires/aide`): the partner guide's answers where a partner needs them —
who may use the card, the card's states and what to do, cancellation and the hotline, the
reimbursements, the bons plans' and events' rules — with the Assistance's phone and email
(from the settings). Every delegate may read it, whatever their permissions."""

from __future__ import annotations

from starlette.responses import Response

from web.pages import Visit
from web.partners.space import enter


async def help_page(visit: Visit) -> Response:
    entered = await enter(visit)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    return visit.render("partners/help.html", space=space, tab="help")
