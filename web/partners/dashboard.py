"""`/partenaires/`: the « Tableau de bord », the space's home. Each figure the delegate's
permissions open, each one a link to its section: today's and this fortnight's takings per
wallet, the next reimbursement and its date, followers, the deals and events by state; and
what needs attention (a deal or event refused, with the reason; bank details missing or
waiting for validation, which holds the payments; the yearly bon plan not yet proposed)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from starlette.responses import Response

from web.formatting import paris_today
from web.pages import Visit
from web.partners.offers import state_of
from web.partners.space import FINANCE, TRANSACTIONS, PartnerSpace, enter

OFFERS_AND_POSTS = "OFFERS_AND_POSTS"
REIMBURSEMENT_STATES = {
    "PENDING": "en attente",
    "IN_BATCH": "dans un virement",
    "PAID": "payé",
    "REJECTED": "rejeté",
    "CARRIED_OVER": "reporté",
}


async def dashboard(visit: Visit) -> Response:
    entered = await enter(visit)  # who acts for which partner, with which permissions
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    data = await visit.run(
        "partner_dashboard",
        partnerId=space.partner_id,
        takings=space.may(TRANSACTIONS) or space.may(FINANCE),
        finance=space.may(FINANCE),
        offers=space.may(OFFERS_AND_POSTS),
    )
    return visit.render(
        "partners/home.html",
        space=space,
        tab="home",
        dashboard=_figures(space, data),
        reimbursement_states=REIMBURSEMENT_STATES,
    )


def _figures(space: PartnerSpace, data: dict[str, Any]) -> dict[str, Any]:
    today = paris_today()
    offers = (data.get("partnerOffers") or {}).get("offers") or []
    states: dict[str, Counter[str]] = {"DEAL": Counter(), "EVENT": Counter()}
    refused = []
    for offer in offers:
        state = state_of(offer, today)
        states[offer["kind"]][state["key"]] += 1
        working = offer.get("working") or {}
        if working.get("status") == "REJECTED" and not offer.get("withdrawnAt"):
            refused.append({**offer, "state": state})
    bank = data.get("bankDetails")
    commitment = data.get("bonPlanCommitment")
    return {
        "takings": data.get("partnerTakings"),
        "next": data.get("nextReimbursement"),
        "bank": bank,
        "followers": (data.get("partner") or {}).get("followersCount"),
        "deals": states["DEAL"],
        "events": states["EVENT"],
        "offers_shown": space.may(OFFERS_AND_POSTS),
        "refused": refused,
        "bank_missing": bank is not None and bank["current"] is None and bank["pending"] is None,
        "bank_pending": bank is not None and bank["pending"] is not None,
        "commitment": commitment,
        "commitment_missing": commitment is not None and not commitment["met"],
    }
