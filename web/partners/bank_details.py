"""« Coordonnées bancaires »: where the reimbursements go, and their change.

- `/partenaires/coordonnees-bancaires`: the validated details (masked IBAN, BIC, holder, who
  entered them and when) and a change waiting for the département (payments held
  meanwhile); seen by the finance delegates and the principal. The principal alone changes
  them (POST, `setBankDetails`), typing their password again; the API emails the principal
  and the finance staff. The page says, as the guide does, to tell the Assistance too.
- `/partenaires/coordonnees-bancaires/verification` (POST, htmx): the IBAN and BIC checked as
  they are typed (`bankDetailsCheck`, nothing stored) — a fragment under the fields. Without
  JavaScript the form's POST checks everything anyway.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.graphql import user_error
from web.pages import Visit
from web.partners.space import FINANCE, enter

MISSING_PASSWORD = "Saisissez votre mot de passe pour confirmer le changement."  # noqa: S105
FIELDS = {"iban": "iban", "bic": "bic", "holderName": "holder-name", "password": "password"}


async def bank_details_page(visit: Visit) -> Response:
    entered = await enter(visit, "bank_details_page", with_partner=True)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    if not space.may(FINANCE):
        return visit.render("errors/forbidden.html", status=403)
    is_principal = bool((space.current or {}).get("isPrincipal"))
    errors: dict[str, str] = {}
    form = {"iban": "", "bic": "", "holderName": ""}
    if visit.request.method == "POST":
        if not is_principal:
            return visit.render("errors/forbidden.html", status=403)
        form = {name: visit.field(name) for name in form}
        password = visit.raw_field("password")
        for name, message in (
            ("iban", "Saisissez l'IBAN du compte."),
            ("bic", "Saisissez le BIC de la banque."),
            ("holderName", "Saisissez le nom du titulaire du compte."),
        ):
            if not form[name]:
                errors[name] = message
        if not password:
            errors["password"] = MISSING_PASSWORD
        if not errors:
            answer = (
                await visit.run(
                    "set_bank_details",
                    partnerId=space.partner_id,
                    input=form,
                    password=password,
                )
            )["setBankDetails"]
            error = user_error(answer)
            if error is None:
                return visit.redirect("/partenaires/coordonnees-bancaires?fait=changement")
            errors[error.field if error.field in FIELDS else "form"] = error.message
    return visit.render(
        "partners/bank_details.html",
        status=422 if errors else 200,
        space=space,
        tab="bank_details",
        details=data["bankDetails"],
        is_principal=is_principal,
        form=form,
        errors=errors,
        labels=FIELDS,
        done=visit.request.query_params.get("fait") == "changement",
        check=None,
    )


async def check_as_typed(visit: Visit) -> Response:
    entered = await enter(visit, with_partner=True)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    if not (space.current or {}).get("isPrincipal"):
        return visit.render("errors/forbidden.html", status=403)
    iban, bic = visit.field("iban"), visit.field("bic")
    check: dict[str, Any] | None = None
    if iban:
        check = (
            await visit.run("bank_details_check", partnerId=space.partner_id, iban=iban, bic=bic)
        )["bankDetailsCheck"]
    return visit.render("partners/_bank_check.html", check=check)
