"""« Mes remboursements » (delegates with the finance permission, and the principal).

- `/partenaires/remboursements`: each fortnight's reimbursement — its state in plain French,
  the amounts per wallet (the guide's « type d'avantage »), the transfer's date and
  reference — with its statement (« bordereau ») to download, and the evening reports
  (« télécollecte ») of the past days, each linking to that day's transactions.
- `/partenaires/remboursements/{id}/bordereau.pdf` and `.csv`: asks the API for fresh signed
  links (`statement`, a few minutes' life) and sends the browser to the one asked for, so a
  page left open for an hour still downloads.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

from babel.numbers import format_currency
from starlette.responses import Response

from web.graphql import user_error
from web.pages import Visit
from web.partners.space import FINANCE, enter

STATUSES = {
    "PENDING": "En attente",
    "IN_BATCH": "Dans un virement",
    "PAID": "Payé",
    "REJECTED": "Rejeté",
    "CARRIED_OVER": "Reporté",
}
STATUS_HINTS = {
    "PENDING": "La quinzaine est close ; le virement sera préparé par le Département.",
    "IN_BATCH": "Le virement est parti vers votre banque.",
    "PAID": "Le virement a été reçu par votre banque.",
    "REJECTED": "Votre banque a refusé le virement : vérifiez vos coordonnées bancaires.",
    "CARRIED_OVER": "Le montant sera versé avec un remboursement suivant.",
}
FORMATS = {"pdf", "csv"}


def euros(cents: int) -> str:
    """« 1 234,56 € », as the API formats its amounts."""
    return format_currency(Decimal(cents) / 100, "EUR", locale="fr_FR")


async def reimbursements_list(visit: Visit) -> Response:
    entered = await enter(visit, "reimbursements_page", with_partner=True)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    return visit.render(
        "partners/reimbursements.html",
        space=space,
        tab="reimbursements",
        reimbursements=data["reimbursements"],
        collections=data["dailyCollections"],
        status_labels=STATUSES,
        status_hints=STATUS_HINTS,
        euros=euros,
    )


async def statement_download(visit: Visit) -> Response:
    fmt = visit.request.path_params["format"]
    if fmt not in FORMATS:
        return visit.render("errors/not_found.html", status=404)
    entered = await enter(visit, with_partner=True)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    if not space.may(FINANCE):
        return visit.render("errors/forbidden.html", status=403)
    answer = (
        await visit.run(
            "statement_links",
            partnerId=space.partner_id,
            reimbursementId=visit.request.path_params["id"],
        )
    )["statement"]
    if user_error(answer) is not None:
        return visit.render("errors/not_found.html", status=404, space=space)
    # The link's path: the download is served by this same app (server/finance_routes.py),
    # at the address the page was opened at, whatever PUBLIC_URL says.
    return Response(status_code=303, headers={"Location": urlsplit(answer[f"{fmt}Url"]).path})
