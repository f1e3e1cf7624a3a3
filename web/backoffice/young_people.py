"""Jeunes et cartes (support): find a young person or a card, open their record, unlock a
card's PIN, replace a lost card (the new one carries the balances).

Opening a record is a POST: the API writes who opened it and why to the audit trail
(`openYoungPersonRecord`), so a GET never does. The actions on a card carry the same
reason and show the record again, opened (and audited) again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.responses import Response

from web.backoffice.space import StaffSpace, enter
from web.formatting import paris_today
from web.graphql import user_error
from web.pages import Visit

SECTION = "jeunes"
CONSENT_AGE = 15  # under it, a parent consents to the marketing messages (RGPD, France)
SEARCH = "/departement/jeunes"

# Why an agent opens a record: read by the audit, never personal data.
REASONS = {
    "appel-jeune": "Appel du jeune",
    "appel-parent": "Appel d'un parent",
    "appel-partenaire": "Appel d'un partenaire",
    "courrier": "Courrier ou e-mail reçu",
    "controle": "Contrôle demandé par le Département",
}
DONE = {
    "deblocage": "Le code de la carte est débloqué : le jeune peut à nouveau payer avec son code.",
    "remplacement": "La carte est mise en opposition et une nouvelle carte est émise avec le "
    "solde des porte-monnaie.",
    "verification": "Un nouveau lien de vérification est envoyé à l'adresse du compte.",
    "consentement": "Le consentement parental est enregistré.",
    "donnees-parent": "La copie des données est en préparation : le lien (valable 7 jours) "
    "sera envoyé par e-mail à l'adresse du parent enregistrée.",
}
CONSENT_FIELDS = {"parentName": "parent-name", "parentEmail": "parent-email"}


async def search(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    wanted = visit.request.query_params.get("recherche", "").strip()
    found = None
    if wanted:
        found = (await visit.run("young_people", search=wanted))["youngPeople"]
    return _render(visit, space, "backoffice/young_people.html", wanted=wanted, found=found)


async def record(visit: Visit) -> Response:
    """POST: open the record for the reason chosen."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    return await _open(visit, entered[0], None)


async def _open(
    visit: Visit, space: StaffSpace, done: str | None, status: int = 200, **extra: Any
) -> Response:
    young_id = visit.request.path_params["young_id"]
    reason_key = visit.field("motif")
    reason = REASONS.get(reason_key)
    if reason is None:
        return visit.redirect(f"{SEARCH}?motif=manquant")
    answer = (await visit.run("open_young_person_record", id=young_id, reason=reason))[
        "openYoungPersonRecord"
    ]
    error = user_error(answer)
    if error is not None:
        return visit.render("errors/not_found.html", status=404)
    return _render(
        visit,
        space,
        "backoffice/young_person.html",
        status=status,
        young=answer["record"],
        reason_key=reason_key,
        reason=reason,
        done=done,
        **extra,
    )


async def unlock_pin(visit: Visit) -> Response:
    return await _card_action(visit, "unlock_card_pin", "unlockCardPin", "deblocage")


async def replace_card(visit: Visit) -> Response:
    return await _card_action(visit, "replace_card", "replaceCard", "remplacement")


async def _card_action(visit: Visit, operation: str, field: str, done: str) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    card_id = visit.request.path_params["card_id"]
    error = user_error((await visit.run(operation, cardId=card_id))[field])
    if error is not None:
        return await _open(visit, entered[0], None, 422, refusal=error.message)
    return await _open(visit, entered[0], DONE[done])


async def resend_verification(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    account = visit.field("compte")
    answer = (await visit.run("resend_verification_email", youngPersonId=account))[
        "resendVerificationEmail"
    ]
    error = user_error(answer)
    if error is not None:
        return await _open(visit, entered[0], None, 422, refusal=error.message)
    return await _open(visit, entered[0], DONE["verification"])


async def record_consent(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    consent = {"parentName": visit.field("parent_name"), "parentEmail": visit.field("parent_email")}
    errors = {}
    if not consent["parentName"]:
        errors["parentName"] = "Saisissez le nom du parent."
    if "@" not in consent["parentEmail"]:
        errors["parentEmail"] = "Saisissez l'adresse e-mail du parent."
    if not errors:
        answer = (
            await visit.run(
                "record_parental_consent", youngPersonId=visit.field("compte"), **consent
            )
        )["recordParentalConsent"]
        error = user_error(answer)
        if error is None:
            return await _open(visit, entered[0], DONE["consentement"])
        errors[error.field if error.field in CONSENT_FIELDS else "parentName"] = error.message
    return await _open(visit, entered[0], None, 422, consent=consent, consent_errors=errors)


async def parent_data_export(visit: Visit) -> Response:
    """A parent asks for their under-15 child's data: the API sends the link to the parent
    on record, never to an address typed here; the reason goes to the audit trail."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    why = visit.field("raison_export")
    if not why:
        return await _open(
            visit, entered[0], None, 422, export_error="Saisissez le motif de la demande."
        )
    answer = (
        await visit.run(
            "request_data_export_for_parent", youngPersonId=visit.field("compte"), reason=why
        )
    )["requestDataExportForParent"]
    error = user_error(answer)
    if error is not None:
        return await _open(visit, entered[0], None, 422, export_error=error.message)
    return await _open(visit, entered[0], DONE["donnees-parent"])


# The pupil's form: its field names, and the API's names of the same fields.
PUPIL_FIELDS = {
    "identifiant": "identifier",
    "nom": "lastName",
    "prenom": "firstName",
    "naissance": "birthDate",
    "etablissement": "schoolName",
    "commune": "communeCode",
}


async def add_pupil(visit: Visit) -> Response:
    """One eligible pupil by hand, for the current school year, with the import's checks."""
    entered = await enter(visit, SECTION, "school_years")
    if isinstance(entered, Response):
        return entered
    space, data = entered
    today = paris_today().isoformat()
    years = data["schoolYears"]
    year = next((y for y in years if y["startsOn"] <= today <= y["endsOn"]), None)
    values = {name: visit.field(name) for name in PUPIL_FIELDS}
    errors: dict[str, str] = {}
    done = None
    if visit.request.method == "POST" and year is not None:
        for name in ("identifiant", "nom", "prenom", "naissance", "commune"):
            if not values[name]:
                errors[name] = "Ce champ est obligatoire."
        if not errors:
            pupil = {PUPIL_FIELDS[name]: value for name, value in values.items()}
            answer = (await visit.run("add_eligible_pupil", schoolYearId=year["id"], input=pupil))[
                "addEligiblePupil"
            ]
            error = user_error(answer)
            by_api_name = {api: name for name, api in PUPIL_FIELDS.items()}
            if error is not None:
                errors[by_api_name.get(error.field or "", "identifiant")] = error.message
            elif answer["rejected"]:
                errors["form"] = answer["rejected"][0]["reason"]
            elif answer["alreadyPresent"]:
                errors["form"] = "Cet élève est déjà inscrit pour cette année (même identifiant)."
            else:
                done = f"{values['prenom']} {values['nom']} est inscrit(e) ; sa carte est émise."
                values = dict.fromkeys(PUPIL_FIELDS, "")
    return _render(
        visit,
        space,
        "backoffice/add_pupil.html",
        status=422 if errors else 200,
        year=year,
        values=values,
        errors=errors,
        done=done,
    )


def _render(
    visit: Visit, space: StaffSpace, template: str, status: int = 200, **values: Any
) -> Response:
    values.setdefault("refusal", None)
    values.setdefault("consent", {"parentName": "", "parentEmail": ""})
    values.setdefault("consent_errors", {})
    values.setdefault("export_error", None)
    young = values.get("young")
    if young is not None:
        values["under_15"] = _age(young["birthDate"]) < CONSENT_AGE
    return visit.render(
        template, status=status, space=space, tab=SECTION, reasons=REASONS, **values
    )


def _age(birth_date: str) -> int:
    born, today = date.fromisoformat(birth_date), paris_today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
