"""Partenaires (support; administrators): find a partner by name, SIRET or commune, create
one with its legal representative (who gets the invitation), and its record in tabs —
identity and convention, supplied equipment, delegates, terminals, deals, transactions,
reimbursements (finance staff) and audit trail. The actions are in partner_actions.py."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from web.backoffice import partner_labels as labels
from web.backoffice.space import ADMINISTRATOR, StaffSpace, enter
from web.formatting import paris_today
from web.graphql import user_error
from web.pages import Visit

SECTION = "partenaires"
HOME = "/departement/partenaires"
FILTERS = ("nom", "siret", "commune", "statut")
STATUS_FILTER = {"actif": "ACTIVE", "suspendu": "SUSPENDED", "resilie": "TERMINATED"}

# The record's tabs, in order: (key, title, operation or None for the identity's own).
TABS = {
    "identite": "Identité et convention",
    "materiel": "Matériel prêté",
    "delegues": "Délégués",
    "terminaux": "Terminaux",
    "offres": "Bons plans et événements",
    "transactions": "Transactions",
    "remboursements": "Remboursements",
    "journal": "Journal",
}
TAB_OPERATIONS = {
    "identite": "backoffice_partner_identity",
    "materiel": "backoffice_partner_terminals",
    "delegues": "backoffice_partner_delegates",
    "terminaux": "backoffice_partner_terminals",
    "offres": "backoffice_partner_offers",
    "transactions": "backoffice_partner_transactions",
    "remboursements": "backoffice_partner_reimbursements",
    "journal": "backoffice_partner_audit",
}
PAGED = {"offres", "transactions", "journal"}
FINANCE_ROLES = frozenset({"FINANCE", ADMINISTRATOR})

CREATE_FIELDS = {
    "legalName": "raison-sociale",
    "tradeName": "nom-commercial",
    "siret": "siret",
    "categories": "categories",
    "debitableWallets": "porte-monnaie",
    "conventionSignedOn": "signature",
    "representative": "representant-email",
    "email": "representant-email",
    "firstName": "representant-prenom",
    "lastName": "representant-nom",
    "pinMinimum": "code-pin",
}


def tabs_for(space: StaffSpace) -> dict[str, str]:
    """The reimbursements are the finance staff's (`reimbursements`): others have no tab."""
    if space.roles & FINANCE_ROLES:
        return TABS
    return {key: title for key, title in TABS.items() if key != "remboursements"}


async def search(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    params = visit.request.query_params
    values = {name: params.get(name, "").strip() for name in FILTERS}
    answer = await visit.run(
        "backoffice_partners",
        search=values["nom"] or None,
        siret=values["siret"] or None,
        commune=values["commune"] or None,
        status=STATUS_FILTER.get(values["statut"]),
        after=params.get("apres") or None,
    )
    page = answer["partners"] or {"partners": [], "nextCursor": None}
    query = urlencode({k: v for k, v in values.items() if v})
    return _render(
        visit,
        space,
        "backoffice/partners.html",
        values=values,
        found=page["partners"],
        next_cursor=page["nextCursor"],
        query=query,
        searched=any(values.values()),
        created=params.get("cree"),
    )


async def create(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    form: dict[str, Any] = {
        "legalName": "",
        "tradeName": "",
        "siret": "",
        "categories": [],
        "debitableWallets": ["SPORT_CULTURE_LOISIRS"],
        "conventionSignedOn": "",
        "email": "",
        "firstName": "",
        "lastName": "",
        "pinMinimum": "NONE",
    }
    errors: dict[str, str] = {}
    if visit.request.method == "POST":
        form = {
            "legalName": visit.field("raison_sociale"),
            "tradeName": visit.field("nom_commercial"),
            "siret": visit.field("siret"),
            "categories": [c for c in visit.form.getlist("categories") if c in labels.CATEGORIES],
            "debitableWallets": [
                w for w in visit.form.getlist("porte_monnaie") if w in labels.WALLETS
            ],
            "conventionSignedOn": visit.field("signature"),
            "email": visit.field("representant_email"),
            "firstName": visit.field("representant_prenom"),
            "lastName": visit.field("representant_nom"),
            "pinMinimum": visit.field("code_pin") or "NONE",
        }
        errors = _check_partner_form(form)
        if not errors:
            answer = (
                await visit.run(
                    "backoffice_create_partner",
                    input={
                        "legalName": form["legalName"],
                        "tradeName": form["tradeName"],
                        "siret": form["siret"],
                        "categories": form["categories"],
                        "debitableWallets": form["debitableWallets"],
                        "conventionSignedOn": form["conventionSignedOn"],
                        "representative": {
                            "email": form["email"],
                            "firstName": form["firstName"],
                            "lastName": form["lastName"],
                        },
                    },
                )
            )["createPartner"]
            error = user_error(answer)
            if error is None:
                partner = answer["partner"]
                if form["pinMinimum"] != "NONE":
                    await visit.run(
                        "backoffice_pin_minimum", id=partner["id"], level=form["pinMinimum"]
                    )
                return visit.redirect(f"{HOME}/{partner['id']}?fait=cree")
            errors[_form_field(error.field)] = error.message
    return _render(
        visit,
        space,
        "backoffice/partner_form.html",
        status=422 if errors else 200,
        form=form,
        errors=errors,
        fields=CREATE_FIELDS,
    )


def _form_field(api_field: str | None) -> str:
    """The form's name of the API's field in error (the summary links to it)."""
    return api_field if api_field in CREATE_FIELDS else "legalName"


def _check_partner_form(form: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    required = {
        "legalName": "Indiquez la raison sociale.",
        "tradeName": "Indiquez le nom commercial.",
        "siret": "Indiquez le numéro SIRET (14 chiffres).",
        "email": "Indiquez l'adresse e-mail du représentant légal : l'invitation y est envoyée.",
        "firstName": "Indiquez le prénom du représentant légal.",
        "lastName": "Indiquez le nom du représentant légal.",
    }
    for name, message in required.items():
        if not form[name]:
            errors[name] = message
    if not form["categories"]:
        errors["categories"] = "Choisissez au moins une catégorie."
    if not form["debitableWallets"]:
        errors["debitableWallets"] = "Choisissez au moins un porte-monnaie que la convention ouvre."
    if not form["conventionSignedOn"]:
        errors["conventionSignedOn"] = "Indiquez la date de signature de la convention."
    else:
        try:
            date.fromisoformat(form["conventionSignedOn"])
        except ValueError:
            errors["conventionSignedOn"] = "Date invalide : choisissez un jour (AAAA-MM-JJ)."
    if form["pinMinimum"] not in labels.PIN_LEVELS:
        errors["pinMinimum"] = "Choisissez le minimum du code PIN."
    if form["email"] and "@" not in form["email"]:
        errors["email"] = "Adresse e-mail invalide : par exemple prenom.nom@exemple.fr."
    return errors


async def record(visit: Visit) -> Response:
    return await show(visit)


async def show(
    visit: Visit,
    status: int = 200,
    errors: dict[str, str] | None = None,
    tab: str | None = None,
    **extra: Any,
) -> Response:
    """The partner's record on one tab (`?onglet=`); actions show it again with their
    errors (422) or what they hand over once (a pre-paired terminal's credential)."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    partner_id = visit.request.path_params["partner_id"]
    partner = (await visit.run("backoffice_partner", id=partner_id))["partner"]
    if partner is None or partner.get("siret") is None:
        return visit.render("errors/not_found.html", status=404)
    tabs = tabs_for(space)
    params = visit.request.query_params
    current = tab or params.get("onglet", "identite")
    if current not in tabs:
        current = "identite"
    variables: dict[str, Any] = {"id": partner_id}
    if current in PAGED:
        variables["after"] = params.get("apres") or None
    data = await visit.run(TAB_OPERATIONS[current], **variables)
    extra = {"credential": None, "equipment_form": None, **extra}
    return _render(
        visit,
        space,
        "backoffice/partner.html",
        status=status,
        partner=partner,
        tabs=tabs,
        current=current,
        data=data,
        errors=errors or {},
        done=params.get("fait"),
        is_admin=ADMINISTRATOR in space.roles,
        today=paris_today().isoformat(),
        **extra,
    )


def _render(
    visit: Visit, space: StaffSpace, template: str, status: int = 200, **values: Any
) -> Response:
    return visit.render(template, status=status, space=space, tab=SECTION, labels=labels, **values)
