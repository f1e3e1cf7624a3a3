"""`/partenaires/choisir`: the partner a delegate acts for (the home, `/partenaires/`, is the
dashboard: web/partners/dashboard.py)."""

from __future__ import annotations

from uuid import UUID

from starlette.responses import Response

from web.pages import Visit, local_path
from web.partners.space import PartnerSpace


async def choose_partner(visit: Visit) -> Response:
    if not visit.signed_in:
        return visit.to_sign_in()
    assert visit.session is not None
    suite = local_path(
        visit.request.query_params.get("suite") or visit.field("suite"), "/partenaires/"
    )
    data = await visit.run("partner_space")
    space = PartnerSpace.of(data.get("me"), visit.session.partner_id)
    if not space.delegations:
        return visit.render("partners/no_partner.html", status=403, space=space)
    error = None
    if visit.request.method == "POST":
        wanted = visit.field("partenaire")
        chosen = next((d for d in space.delegations if d["partner"]["id"] == wanted), None)
        if chosen is not None:
            visit.open_session(visit.session.acting_for(UUID(wanted)))
            return visit.redirect(suite)
        error = "Choisissez une des structures de la liste."
    return visit.render(
        "partners/choose.html",
        status=400 if error else 200,
        space=space,
        suite=suite,
        error=error,
        tab=None,
    )
