"""Finance (finance staff): the fortnights with their figures and the reconciliation check,
a fortnight closed by hand, its payment batch generated, downloaded (SEPA file and
accounting CSV), marked sent, its rejected transfers recorded, then marked paid.

The files are served through the API's short-lived signed links
(server/finance_routes.py): the page asks for fresh ones at each download, as the
partner space does for its statements, so only finance staff (the API checks it) get one.
The bank details changes waiting for validation are in finance_bank_details.py.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from babel.numbers import format_currency
from starlette.responses import Response

from web.backoffice.space import StaffSpace, enter
from web.graphql import user_error
from web.pages import Visit

SECTION = "finance"
HOME = "/departement/finance"
CLOSE = "/departement/finance/cloture"
FORMATS = {"xml": "sepaUrl", "csv": "csvUrl"}

REIMBURSEMENT_STATUSES = {
    "PENDING": "En attente",
    "IN_BATCH": "Dans le lot",
    "PAID": "Payé",
    "REJECTED": "Rejeté",
    "CARRIED_OVER": "Reporté",
}
BATCH_STATUSES = {
    "GENERATED": "Généré, à envoyer à la banque",
    "SENT": "Envoyé à la banque",
    "PAID": "Payé",
}
DONE = {
    "close": "La quinzaine est close : ses remboursements sont calculés.",
    "lot": "Le lot de virements est généré : téléchargez le fichier SEPA pour la banque.",
    "envoye": "Le lot est marqué envoyé à la banque.",
    "rejet": "Le rejet du virement est enregistré : le montant attendra de nouvelles "
    "coordonnées bancaires.",
    "paye": "Le lot est marqué payé : les remboursements non rejetés sont payés.",
}


def euros(cents: int) -> str:
    """« 1 234,56 € »."""
    return format_currency(Decimal(cents) / 100, "EUR", locale="fr_FR")


def _render(
    visit: Visit, space: StaffSpace, template: str, status: int = 200, **values: Any
) -> Response:
    return visit.render(
        template,
        status=status,
        space=space,
        tab=SECTION,
        euros=euros,
        reimbursement_statuses=REIMBURSEMENT_STATUSES,
        batch_statuses=BATCH_STATUSES,
        **values,
    )


# --- the fortnights ----------------------------------------------------------------------


PERIODS_PER_PAGE = 24  # web/operations/finance_periods.graphql


async def periods(visit: Visit) -> Response:
    return await _periods(visit, {}, "", 200)


async def _periods(visit: Visit, errors: dict[str, str], day: str, status: int) -> Response:
    before = _day(visit.request.query_params.get("avant", ""))
    entered = await enter(
        visit, SECTION, "finance_periods", before=before.isoformat() if before else None
    )
    if isinstance(entered, Response):
        return entered
    space, data = entered
    periods = data["reimbursementPeriods"]
    return _render(
        visit,
        space,
        "backoffice/finance_periods.html",
        status=status,
        periods=periods,
        # A full page may have older fortnights behind it: the link pages back from the last.
        older=periods[-1]["startsOn"] if len(periods) == PERIODS_PER_PAGE else None,
        before=before,
        check=data["reconciliationCheck"],
        waiting_count=len(data["bankDetailsWaiting"]),
        errors=errors,
        day=day,
        done=DONE.get(visit.request.query_params.get("fait", "")),
    )


def _day(text: str) -> date | None:
    """The day typed: as a date field sends it (2025-03-01), or typed by hand in French
    (01/03/2025) where the browser shows a plain text field."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return None


async def confirm_close(visit: Visit) -> Response:
    """GET: the confirmation asked before closing by hand; POST: the close itself."""
    if visit.request.method == "GET":
        typed = visit.request.query_params.get("jour", "").strip()
    else:
        typed = visit.field("jour")
    day = _day(typed)
    if day is None:
        return await _periods(
            visit, {"jour": "Indiquez un jour de la quinzaine à clore (JJ/MM/AAAA)."}, typed, 422
        )
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    if visit.request.method == "GET" or visit.field("confirmation") != "oui":
        return _render(visit, entered[0], "backoffice/finance_close.html", day=day)
    answer = (await visit.run("close_period", day=day.isoformat()))["closePeriod"]
    error = user_error(answer)
    if error is not None:
        return await _periods(visit, {"jour": error.message}, typed, 422)
    return visit.redirect(f"{HOME}/quinzaines/{answer['period']['id']}?fait=close")


# --- one fortnight and its batch -----------------------------------------------------------


async def period(visit: Visit) -> Response:
    return await _period(visit, {}, {}, 200)


async def _period(
    visit: Visit, errors: dict[str, str], values: dict[str, str], status: int
) -> Response:
    entered = await enter(
        visit, SECTION, "finance_period", id=visit.request.path_params["period_id"]
    )
    if isinstance(entered, Response):
        return entered
    space, data = entered
    found = data["reimbursementPeriod"]
    if found is None:
        return visit.render("errors/not_found.html", status=404)
    return _render(
        visit,
        space,
        "backoffice/finance_period.html",
        status=status,
        period=found,
        in_batch=[r for r in found["reimbursements"] if r["status"] == "IN_BATCH"],
        errors=errors,
        reject_errors={k: v for k, v in errors.items() if k in ("virement", "motif")},
        values=values,
        done=DONE.get(visit.request.query_params.get("fait", "")),
    )


def _here(visit: Visit, done: str) -> Response:
    return visit.redirect(f"{HOME}/quinzaines/{visit.request.path_params['period_id']}?fait={done}")


async def create_batch(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    period_id = visit.request.path_params["period_id"]
    answer = (await visit.run("create_payment_batch", periodId=period_id))["createPaymentBatch"]
    error = user_error(answer)
    if error is not None:
        return await _period(visit, {"lot": error.message}, {}, 422)
    return _here(visit, "lot")


async def mark_sent(visit: Visit) -> Response:
    return await _batch_step(visit, "mark_payment_batch_sent", "markPaymentBatchSent", "envoye")


async def mark_paid(visit: Visit) -> Response:
    return await _batch_step(visit, "mark_payment_batch_paid", "markPaymentBatchPaid", "paye")


async def _batch_step(visit: Visit, operation: str, field: str, done: str) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    error = user_error((await visit.run(operation, batchId=visit.field("lot")))[field])
    if error is not None:
        return await _period(visit, {"lot": error.message}, {}, 422)
    return _here(visit, done)


async def reject_transfer(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    values = {"virement": visit.field("virement"), "motif": visit.field("motif")}
    errors = {}
    if not values["virement"]:
        errors["virement"] = "Choisissez le virement que la banque a rejeté."
    if len(values["motif"]) < 2:
        errors["motif"] = "Indiquez le motif du rejet donné par la banque (ex. : AC04 compte clos)."
    if errors:
        return await _period(visit, errors, values, 422)
    rejection = {"reference": values["virement"], "reason": values["motif"]}
    answer = (
        await visit.run("reject_transfers", batchId=visit.field("lot"), rejections=[rejection])
    )["rejectTransfers"]
    error = user_error(answer)
    if error is not None:
        key = "motif" if error.field and "reason" in error.field else "virement"
        return await _period(visit, {key: error.message}, values, 422)
    return _here(visit, "rejet")


async def batch_file(visit: Visit) -> Response:
    """Sends the browser to a fresh signed link to the batch's SEPA file or CSV."""
    fmt = visit.request.path_params["format"]
    if fmt not in FORMATS:
        return visit.render("errors/not_found.html", status=404)
    entered = await enter(
        visit, SECTION, "finance_batch_files", id=visit.request.path_params["period_id"]
    )
    if isinstance(entered, Response):
        return entered
    found = entered[1]["reimbursementPeriod"]
    if found is None or found["batch"] is None:
        return visit.render("errors/not_found.html", status=404)
    # The link's path: the download is served by this same app, at the address the page was
    # opened at, whatever PUBLIC_URL says.
    url = found["batch"]["files"][FORMATS[fmt]]
    return Response(status_code=303, headers={"Location": urlsplit(url).path})
