"""Campagnes: the compose form (a new campaign, or a draft edited) and its live audience.

The form holds the email and the push (subject, title, body), the deals and events shown
(picked from those on show today), and the segment; its audience is counted by the API
after the consent rules (`campaignAudience`) when the page opens, by htmx as the segment
changes (`/departement/campagnes/audience`), and by the « Recalculer » button without
JavaScript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from web.backoffice.labels import THEMES
from web.backoffice.space import StaffSpace, enter
from web.graphql import user_error
from web.pages import Visit

SECTION = "campagnes"
HOME = "/departement/campagnes"
CHANNELS = {
    "EMAIL": "E-mail",
    "PUSH": "Notification sur le téléphone",
    "IN_APP": "Message dans l'appli",
}
CARD_STATES = {"": "Activée ou non", "oui": "Carte activée", "non": "Carte pas encore activée"}
WALLET_HOLDERS = "MIDDLE_SCHOOLER"  # the beneficiaries whose card carries wallets
_LIST_SEPARATORS = re.compile(r"[\s,;]+")
# The API's field names, and the form's fields where their errors are said.
FIELDS = {
    "name": "nom",
    "channels": "canaux",
    "subject": "objet",
    "title": "titre",
    "body": "message",
    "offerIds": "offres",
    "segment.minAge": "age_min",
    "segment.maxAge": "age_max",
    "segment.communes": "communes",
    "segment.schools": "etablissements",
    "segment.themes": "themes",
    "segment": "segment",
}
# Where the error summary's links go (the first control of each field).
ANCHORS = {
    "nom": "nom",
    "canaux": "canal-EMAIL",
    "objet": "objet",
    "titre": "titre",
    "message": "message",
    "offres": "offres",
    "age_min": "age-min",
    "age_max": "age-max",
    "communes": "communes",
    "etablissements": "etablissements",
    "themes": "themes",
}
SEGMENT_FIELDS = ("age_min", "age_max", "communes", "etablissements", "themes", "segment")


@dataclass
class CampaignForm:
    """What was typed (to show back), its errors in French, and the API's input."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def channels(self) -> list[str]:
        return list(self.values["canaux"])

    def segment(self) -> dict[str, Any]:
        v = self.values
        return {
            "minAge": _age(v["age_min"]),
            "maxAge": _age(v["age_max"]),
            "communes": [c for c in _LIST_SEPARATORS.split(v["communes"]) if c],
            "schools": [s.strip() for s in v["etablissements"].splitlines() if s.strip()],
            "themes": v["themes"],
            "kinds": [WALLET_HOLDERS] if v["porte_monnaie"] else None,
            "cardActivated": {"oui": True, "non": False}.get(v["carte"]),
            "partnerIds": v["partenaires"] or None,
        }

    def campaign_input(self) -> dict[str, Any]:
        v = self.values
        return {
            "name": v["nom"],
            "channels": v["canaux"],
            "subject": v["objet"],
            "title": v["titre"],
            "body": v["message"],
            "offerIds": v["offres"],
            "segment": self.segment(),
        }

    def api_error(self, answer: dict[str, Any]) -> bool:
        """The API's refusal (if any) next to its field; True when there was one."""
        error = user_error(answer)
        if error is None:
            return False
        self.errors[FIELDS.get(error.field or "", "formulaire")] = error.message
        return True


def blank() -> CampaignForm:
    return CampaignForm(
        {
            "nom": "",
            "canaux": ["EMAIL", "PUSH"],
            "objet": "",
            "titre": "",
            "message": "",
            "offres": [],
            "age_min": "",
            "age_max": "",
            "communes": "",
            "etablissements": "",
            "themes": [],
            "porte_monnaie": False,
            "carte": "",
            "partenaires": [],
        }
    )


def of_campaign(campaign: dict[str, Any]) -> CampaignForm:
    """A draft as the form shows it."""
    segment = campaign["segment"]
    activated = segment["cardActivated"]
    return CampaignForm(
        {
            "nom": campaign["name"],
            "canaux": campaign["channels"],
            "objet": campaign["subject"],
            "titre": campaign["title"],
            "message": campaign["body"],
            "offres": campaign["offerIds"],
            "age_min": "" if segment["minAge"] is None else str(segment["minAge"]),
            "age_max": "" if segment["maxAge"] is None else str(segment["maxAge"]),
            "communes": ", ".join(segment["communes"]),
            "etablissements": "\n".join(segment["schools"]),
            "themes": segment["themes"],
            "porte_monnaie": WALLET_HOLDERS in segment["kinds"],
            "carte": "" if activated is None else ("oui" if activated else "non"),
            "partenaires": segment["partnerIds"],
        }
    )


def read(visit: Visit) -> CampaignForm:
    """The posted form, with the errors a person can fix before the API is asked."""
    lists = {name: visit.form.getlist(name) for name in ("canaux", "offres", "themes")}
    form = CampaignForm(
        {
            "nom": visit.field("nom"),
            "canaux": [c for c in lists["canaux"] if c in CHANNELS],
            "objet": visit.field("objet"),
            "titre": visit.field("titre"),
            "message": visit.raw_field("message").strip(),
            "offres": [str(o) for o in lists["offres"]],
            "age_min": visit.field("age_min"),
            "age_max": visit.field("age_max"),
            "communes": visit.field("communes"),
            "etablissements": visit.raw_field("etablissements"),
            "themes": [str(t) for t in lists["themes"]],
            "porte_monnaie": visit.field("porte_monnaie") == "oui",
            "carte": visit.field("carte") if visit.field("carte") in CARD_STATES else "",
            "partenaires": [str(p) for p in visit.form.getlist("partenaires")],
        }
    )
    v, errors = form.values, form.errors
    required = {
        "nom": "Donnez un nom à la campagne (seule l'équipe le voit).",
        "titre": "Indiquez le titre de la notification et de l'e-mail.",
        "message": "Écrivez le message.",
    }
    for name, message in required.items():
        if not v[name]:
            errors[name] = message
    if not v["canaux"]:
        errors["canaux"] = "Choisissez au moins un canal : e-mail, notification ou appli."
    elif "EMAIL" in v["canaux"] and not v["objet"]:
        errors["objet"] = "Indiquez l'objet de l'e-mail."
    for name in ("age_min", "age_max"):
        if v[name] and _age(v[name]) is None:
            errors[name] = "Indiquez un âge en années, par exemple 15."
    return form


def read_to_save_or_count(visit: Visit) -> tuple[CampaignForm, bool]:
    """The posted form, and whether to save it (« Enregistrer ») or only count its audience
    (« Recalculer »: then only the errors that stop the count are said)."""
    form = read(visit)
    saving = visit.field("action") == "enregistrer"
    if not saving:
        form.errors = {k: v for k, v in form.errors.items() if k in ("age_min", "age_max")}
    return form, saving


def _age(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 3 else None


# --- the audience -------------------------------------------------------------------------


async def audience(visit: Visit, form: CampaignForm) -> dict[str, Any]:
    """The live count for the template: `counts` per channel chosen, or `error`."""
    if any(name in form.errors for name in ("age_min", "age_max")):
        return {"error": "Corrigez la tranche d'âge pour compter l'audience.", "counts": []}
    answer = (
        await visit.run(
            "campaign_audience",
            segment=form.segment(),
            offerIds=form.values["offres"],
            channels=form.channels or None,
        )
    )["campaignAudience"]
    error = user_error(answer)
    if error is not None:
        return {"error": error.message, "counts": []}
    keys = {"EMAIL": "email", "PUSH": "push", "IN_APP": "inApp"}
    channels = form.channels or list(CHANNELS)
    return {"error": None, "counts": [(CHANNELS[c], answer[keys[c]]) for c in channels]}


async def count(visit: Visit) -> Response:
    """POST (htmx) `/departement/campagnes/audience`: the audience of the form as it is."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    form = read(visit)
    return visit.render("backoffice/_campaign_audience.html", audience=await audience(visit, form))


# --- composing ----------------------------------------------------------------------------


async def compose(visit: Visit) -> Response:
    """GET, POST `/departement/campagnes/nouvelle`: « Recalculer », or save the draft."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    form = blank()
    if visit.request.method == "POST":
        form, saving = read_to_save_or_count(visit)
        if saving and not form.errors:
            answer = (await visit.run("create_campaign", input=form.campaign_input()))[
                "createCampaign"
            ]
            if not form.api_error(answer):
                return visit.redirect(f"{HOME}/{answer['campaign']['id']}?fait=enregistree")
    # The first 100 on show, or those matching the words of « Chercher » (a GET form).
    text = visit.request.query_params.get("offre", "").strip()[:100]
    choices = (await visit.run("campaign_offer_choices", text=text))["search"]
    return await _render(visit, space, form, choices, campaign=None, offer_text=text)


async def edit(visit: Visit) -> Response:
    """GET, POST `/departement/campagnes/{id}/modifier`: a draft only."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    campaign_id = visit.request.path_params["campaign_id"]
    data = await visit.run("campaign_edit", id=campaign_id)
    campaign = data["campaign"]
    if campaign is None:
        return visit.render("errors/not_found.html", status=404)
    if campaign["status"] != "DRAFT":
        return visit.redirect(f"{HOME}/{campaign_id}")
    form = of_campaign(campaign)
    if visit.request.method == "POST":
        form, saving = read_to_save_or_count(visit)
        if saving and not form.errors:
            answer = (
                await visit.run("update_campaign", id=campaign_id, input=form.campaign_input())
            )["updateCampaign"]
            if not form.api_error(answer):
                return visit.redirect(f"{HOME}/{campaign_id}?fait=enregistree")
    return await _render(visit, space, form, data["search"], campaign=campaign)


async def _render(
    visit: Visit,
    space: StaffSpace,
    form: CampaignForm,
    choices: dict[str, Any],
    campaign: dict[str, Any] | None,
    offer_text: str = "",
) -> Response:
    offers = list(choices.get("hits") or [])
    listed = {o["id"] for o in offers}
    # A chosen offer no longer listed (expired since) stays visible, to be unticked.
    for chosen in (campaign or {}).get("offers") or []:
        if chosen["id"] not in listed:
            title = (chosen.get("published") or {}).get("title") or "Sans titre"
            offers.insert(0, {"id": chosen["id"], "kind": chosen["kind"], "title": title})
    return visit.render(
        "backoffice/campaign_form.html",
        status=422 if form.errors else 200,
        space=space,
        tab=SECTION,
        form=form.values,
        errors=form.errors,
        summary={name: message for name, message in form.errors.items() if name in ANCHORS},
        anchors=ANCHORS,
        audience=await audience(visit, form),
        offers=offers,
        campaign=campaign,
        offer_text=offer_text,
        channels=CHANNELS,
        themes=THEMES,
        card_states=CARD_STATES,
    )
