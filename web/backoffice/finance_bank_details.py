"""Finance: the bank details changes waiting for validation (the fraud hold: a partner's
payments wait while a change is pending), each validated or refused with a reason.

The whole IBAN is shown to the finance staff who check it (the API gives it to them only);
the principal who asked for the change and the finance staff were emailed when it was
submitted (domain/finance/bank_details.py).
"""

from __future__ import annotations

from starlette.responses import Response

from web.backoffice.space import enter
from web.graphql import user_error
from web.pages import Visit

SECTION = "finance"
WAITING = "/departement/finance/coordonnees"
DONE = {
    "validees": "Les coordonnées bancaires sont validées : les virements iront sur ce compte.",
    "refusees": "Le changement de coordonnées bancaires est refusé ; le motif est enregistré.",
}


async def waiting(visit: Visit) -> Response:
    return await _waiting(visit, {}, {}, 200)


async def _waiting(
    visit: Visit, errors: dict[str, str], values: dict[str, str], status: int
) -> Response:
    entered = await enter(visit, SECTION, "bank_details_waiting")
    if isinstance(entered, Response):
        return entered
    space, data = entered
    shown = {change["submitted"]["id"] for change in data["bankDetailsWaiting"]}
    return visit.render(
        "backoffice/finance_bank_details.html",
        status=status,
        space=space,
        tab=SECTION,
        changes=data["bankDetailsWaiting"],
        errors=errors,
        # A change decided meanwhile by someone else is no longer listed: its error on top.
        refusals=[message for key, message in errors.items() if key not in shown],
        values=values,
        done=DONE.get(visit.request.query_params.get("fait", "")),
    )


async def validate(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    details_id = visit.request.path_params["details_id"]
    answer = (await visit.run("validate_bank_details", id=details_id))["validateBankDetails"]
    error = user_error(answer)
    if error is not None:
        return await _waiting(visit, {details_id: error.message}, {}, 422)
    return visit.redirect(f"{WAITING}?fait=validees")


async def refuse(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    details_id, reason = visit.request.path_params["details_id"], visit.field("motif")
    if len(reason) < 5:
        return await _waiting(
            visit,
            {details_id: "Indiquez le motif du refus (5 caractères au moins)."},
            {details_id: reason},
            422,
        )
    answer = (await visit.run("refuse_bank_details", id=details_id, reason=reason))[
        "refuseBankDetails"
    ]
    error = user_error(answer)
    if error is not None:
        return await _waiting(visit, {details_id: error.message}, {details_id: reason}, 422)
    return visit.redirect(f"{WAITING}?fait=refusees")
