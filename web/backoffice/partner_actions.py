"""What the département does to a partner from its record (« Partenaires »): suspend,
reactivate or terminate the convention (administrators, as the API says), impose the PIN
policy's minimum, lend, pre-pair and take back equipment, and remind it of the yearly bon
plan. Each is a plain form POST; success goes back to the record (303) with a message,
a refusal shows the record again with the error next to its field (422)."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.responses import Response

from web.backoffice import partner_labels as labels
from web.backoffice.bon_plan_commitment import commitment
from web.backoffice.partners import HOME, SECTION, show
from web.backoffice.space import enter
from web.graphql import user_error
from web.pages import Visit


def _partner_id(visit: Visit) -> str:
    return str(visit.request.path_params["partner_id"])


def _back(visit: Visit, done: str, tab: str = "identite") -> Response:
    return visit.redirect(f"{HOME}/{_partner_id(visit)}?onglet={tab}&fait={done}")


async def change_status(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    action = visit.field("action")
    reason = visit.field("motif")
    partner_id = _partner_id(visit)
    errors: dict[str, str] = {}
    if action == "suspendre":
        answer = (await visit.run("backoffice_suspend_partner", id=partner_id, reason=reason))[
            "suspendPartner"
        ]
        done = "suspendu"
    elif action == "reactiver":
        answer = (await visit.run("backoffice_reactivate_partner", id=partner_id))[
            "reactivatePartner"
        ]
        done = "reactive"
    elif action == "resilier":
        on = visit.field("date")
        if not reason:
            errors["resiliation-motif"] = "Indiquez le motif de la résiliation."
        try:
            date.fromisoformat(on)
        except ValueError:
            errors["resiliation-date"] = "Indiquez la date d'effet de la résiliation (AAAA-MM-JJ)."
        if errors:
            return await show(visit, status=422, errors=errors)
        answer = (
            await visit.run("backoffice_terminate_partner", id=partner_id, on=on, reason=reason)
        )["terminatePartner"]
        done = "resilie"
    else:
        return visit.redirect(f"{HOME}/{partner_id}")
    error = user_error(answer)
    if error is not None:
        prefix = "resiliation" if action == "resilier" else "suspension"
        key = f"{prefix}-date" if error.field == "date" else f"{prefix}-motif"
        if action == "reactiver":
            key = "statut"
        return await show(visit, status=422, errors={key: error.message})
    return _back(visit, done)


async def pin_minimum(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    level = visit.field("niveau")
    if level not in labels.PIN_LEVELS:
        return await show(visit, status=422, errors={"pin": "Choisissez un niveau."})
    answer = (await visit.run("backoffice_pin_minimum", id=_partner_id(visit), level=level))[
        "setPinPolicyMinimum"
    ]
    error = user_error(answer)
    if error is not None:
        return await show(visit, status=422, errors={"pin": error.message})
    return _back(visit, "pin")


async def equipment(visit: Visit) -> Response:
    """`action`: enregistrer (record a device and lend it here), preter (a device in
    stock), pre-appairer (its credential, shown once), rendre (back at the département)."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    action = visit.field("action")
    partner_id = _partner_id(visit)
    terminal_id = visit.field("terminal")
    if action == "enregistrer":
        return await _record_and_lend(visit, partner_id)
    if action == "preter":
        answer = (
            await visit.run(
                "backoffice_assign_terminal", terminalId=terminal_id, partnerId=partner_id
            )
        )["assignTerminal"]
        return await _after(visit, answer, "materiel-prete")
    if action == "pre-appairer":
        answer = (await visit.run("backoffice_pre_pair_terminal", terminalId=terminal_id))[
            "prePairTerminal"
        ]
        error = user_error(answer)
        if error is not None:
            return await show(visit, status=422, errors={"materiel": error.message}, tab="materiel")
        return await show(visit, tab="materiel", credential=answer)
    if action == "rendre":
        answer = (await visit.run("backoffice_return_terminal", terminalId=terminal_id))[
            "returnTerminal"
        ]
        return await _after(visit, answer, "materiel-rendu")
    return visit.redirect(f"{HOME}/{partner_id}?onglet=materiel")


async def _record_and_lend(visit: Visit, partner_id: str) -> Response:
    kind = visit.field("type")
    serial = visit.field("numero_serie")
    name = visit.field("nom")
    errors: dict[str, str] = {}
    if kind not in ("SUPPLIED_TPE", "SUPPLIED_TPE_PRINTER"):
        errors["materiel-type"] = "Choisissez le type de matériel."
    if not serial:
        errors["materiel-serie"] = "Indiquez le numéro de série."
    if not name:
        errors["materiel-nom"] = "Indiquez un nom, par exemple « TPE 12 »."
    if errors:
        return await _equipment_form_errors(visit, errors)
    recorded = (
        await visit.run(
            "backoffice_record_terminal",
            input={"kind": kind, "serialNumber": serial, "name": name},
        )
    )["recordSuppliedTerminal"]
    error = user_error(recorded)
    if error is not None:
        by_field = {"serialNumber": "materiel-serie", "name": "materiel-nom"}
        return await _equipment_form_errors(
            visit, {by_field.get(error.field or "", "materiel-type"): error.message}
        )
    answer = (
        await visit.run(
            "backoffice_assign_terminal", terminalId=recorded["id"], partnerId=partner_id
        )
    )["assignTerminal"]
    return await _after(visit, answer, "materiel-enregistre")


async def _equipment_form_errors(visit: Visit, errors: dict[str, str]) -> Response:
    form = {
        "type": visit.field("type"),
        "numero_serie": visit.field("numero_serie"),
        "nom": visit.field("nom"),
    }
    return await show(visit, status=422, errors=errors, tab="materiel", equipment_form=form)


async def _after(visit: Visit, answer: dict[str, Any], done: str) -> Response:
    error = user_error(answer)
    if error is not None:
        return await show(visit, status=422, errors={"materiel": error.message}, tab="materiel")
    return _back(visit, done, "materiel")


async def remind(visit: Visit) -> Response:
    """From the record, or from the commitment's list (`retour=engagement`)."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    partner_id = _partner_id(visit)
    answer = (await visit.run("backoffice_send_bon_plan_reminder", partnerId=partner_id))[
        "sendBonPlanReminder"
    ]
    error = user_error(answer)
    from_list = visit.field("retour") == "engagement"
    if error is not None:
        if from_list:
            return await commitment(visit, status=422, refused={partner_id: error.message})
        return await show(visit, status=422, errors={"rappel": error.message})
    if from_list:
        return visit.redirect(f"{HOME}/engagement?rappel={partner_id}")
    return _back(visit, "rappel")
