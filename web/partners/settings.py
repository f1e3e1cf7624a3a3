"""« Paramètres » (`/partenaires/parametres`):

- the PIN policy: where the holder types their PIN (`Partner.pinPolicy`); the principal
  chooses it (`setPinPolicy`), never below the minimum the département set;
- the evening report (« télécollecte ») by email, on or off, for each person who gets it
  (the principal and the finance delegates: `setDailyCollectionEmail`, their own choice);
- the convention: signed on, the wallets it lets the partner debit (read only).

POST `action=pin` (`niveau`) or `action=emails` (`telecollecte` checked or not), then a
redirect with a notice.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.graphql import user_error
from web.pages import Visit
from web.partners.space import FINANCE, PartnerSpace, enter

LEVELS = {
    "NONE": "Jamais : le jeune ne tape pas de code PIN",
    "TERMINALS": "Sur les terminaux de paiement (TPE, Smart TPE) seulement",
    "EVERY_TILL": "À chaque paiement, sur toutes les caisses",
}
ORDER = list(LEVELS)
DONE = {
    "pin": "La politique de code PIN est enregistrée : elle s'applique dès le prochain paiement.",
    "emails": "Votre préférence d'e-mail est enregistrée.",
}


def _own_delegation(data: dict[str, Any], space: PartnerSpace) -> dict[str, Any]:
    for delegation in (data.get("me") or {}).get("delegations") or []:
        if delegation["partner"]["id"] == space.partner_id:
            return dict(delegation)
    return {}


async def settings_page(visit: Visit) -> Response:
    entered = await enter(visit, "settings_page", with_partner=True)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    partner = data.get("partner") or {}
    is_principal = bool((space.current or {}).get("isPrincipal"))
    gets_report = is_principal or space.may(FINANCE)
    own = _own_delegation(data, space)
    policy = partner.get("pinPolicy")
    error = None
    if visit.request.method == "POST":
        action = visit.field("action")
        if action == "pin" and is_principal and policy:
            level = visit.field("niveau")
            if level not in LEVELS or ORDER.index(level) < ORDER.index(policy["minimum"]):
                error = "Choisissez une des politiques proposées."
            else:
                answer = (
                    await visit.run("set_pin_policy", partnerId=space.partner_id, level=level)
                )["setPinPolicy"]
                found = user_error(answer)
                error = found.message if found else None
        elif action == "emails" and gets_report:
            answer = (
                await visit.run(
                    "set_daily_collection_email",
                    partnerId=space.partner_id,
                    enabled=visit.field("telecollecte") == "oui",
                )
            )["setDailyCollectionEmail"]
            found = user_error(answer)
            error = found.message if found else None
        else:
            return visit.render("errors/forbidden.html", status=403)
        if error is None:
            return visit.redirect(f"/partenaires/parametres?fait={action}")
    return visit.render(
        "partners/settings.html",
        status=422 if error else 200,
        space=space,
        tab="settings",
        partner=partner,
        policy=policy,
        levels=LEVELS,
        allowed=ORDER[ORDER.index(policy["minimum"]) :] if policy else [],
        is_principal=is_principal,
        gets_report=gets_report,
        report_on=bool(own.get("dailyCollectionEmail", True)),
        error=error,
        done=DONE.get(visit.request.query_params.get("fait", "")),
    )
