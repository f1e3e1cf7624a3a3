"""Hotline (support): find a transaction a partner calls about (partner, card, day,
amount) and regularise it after its day, with a reason; the API tells the partner and the
young person, and the money goes back to the wallet."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from starlette.responses import Response

from web.backoffice.space import StaffSpace, enter
from web.graphql import user_error
from web.pages import Visit

SECTION = "hotline"
HOME = "/departement/hotline"
_AMOUNT = re.compile(r"^\d{1,6}([,.]\d{1,2})?\s*€?$")
FILTERS = {"partenaire": "partner", "carte": "cardCode", "jour": "day", "montant": "amount"}


async def search(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    values = {name: visit.request.query_params.get(name, "").strip() for name in FILTERS}
    errors: dict[str, str] = {}
    day = None
    if values["jour"]:
        try:
            day = date.fromisoformat(values["jour"])
        except ValueError:
            errors["jour"] = "Date invalide : choisissez un jour (AAAA-MM-JJ)."
    if values["montant"] and not _AMOUNT.match(values["montant"]):
        errors["montant"] = "Montant invalide : par exemple 10,55."
    found = None
    if not errors and any(values.values()):
        answer = (
            await visit.run(
                "hotline_transactions",
                partner=values["partenaire"],
                cardCode=values["carte"],
                day=day.isoformat() if day else None,
                amount=values["montant"],
            )
        )["hotlineTransactions"]
        error = user_error(answer)
        if error is not None:
            by_field = {"cardCode": "carte", "amount": "montant"}
            errors[by_field.get(error.field or "", "partenaire")] = error.message
        else:
            found = answer["transactions"]
    return _render(
        visit,
        space,
        "backoffice/hotline.html",
        status=422 if errors else 200,
        values=values,
        errors=errors,
        found=found,
        done=visit.request.query_params.get("regularisee"),
    )


async def regularize(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    partner_id = visit.request.path_params["partner_id"]
    transaction_id = visit.request.path_params["transaction_id"]
    errors: dict[str, str] = {}
    reason = visit.field("motif")
    if visit.request.method == "POST":
        if not reason:
            errors["motif"] = "Indiquez le motif de la régularisation."
        else:
            answer = (
                await visit.run(
                    "regularize_transaction", transactionId=transaction_id, reason=reason
                )
            )["regularizeTransaction"]
            error = user_error(answer)
            if error is None:
                reference = answer["transaction"]["reference"]
                return visit.redirect(f"{HOME}?regularisee={reference}")
            errors["motif"] = error.message
    data = await visit.run("hotline_transaction", partnerId=partner_id, id=transaction_id)
    transaction = data["transaction"]
    if transaction is None:
        return visit.render("errors/not_found.html", status=404)
    return _render(
        visit,
        space,
        "backoffice/hotline_regularize.html",
        status=422 if errors else 200,
        transaction=transaction,
        reason=reason,
        errors=errors,
    )


def _render(
    visit: Visit, space: StaffSpace, template: str, status: int = 200, **values: Any
) -> Response:
    return visit.render(template, status=status, space=space, tab=SECTION, **values)
