"""Campagnes (marketing): the campaigns and their progress, one campaign's page with its
preview (the push as a phone shows it, the email as a mail client shows it), the test to
oneself, sending now or at a Paris date and time, pause, resume and cancel.

A sending campaign's progress is a fragment htmx asks for again every 2 seconds
(`/…/progression`); without JavaScript, reloading the page shows it as well. The email's
preview is served on its own (`/…/apercu-email`) with a policy of its own: its inline styles
are allowed there, in a sandboxed frame that runs nothing, and nowhere else.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from starlette.responses import HTMLResponse, Response

from web.backoffice.campaign_form import (
    CHANNELS,
    HOME,
    SECTION,
    WALLET_HOLDERS,
    audience,
    of_campaign,
)
from web.backoffice.labels import THEMES
from web.backoffice.space import StaffSpace, enter
from web.formatting import PARIS
from web.graphql import user_error
from web.pages import Visit
from web.templating import content_security_policy

STATUSES = {
    "DRAFT": ("Brouillon", "draft"),
    "SCHEDULED": ("Programmée", "pending"),
    "SENDING": ("En cours d'envoi", "pending"),
    "PAUSED": ("En pause", "expired"),
    "COMPLETED": ("Terminée", "completed"),
    "CANCELLED": ("Annulée", "cancelled"),
}
# What a campaign page says after an action (`?fait=`).
DONE = {
    "enregistree": "Brouillon enregistré.",
    "test": "L'e-mail de test est parti vers votre adresse.",
    "envoyee": "L'envoi a commencé.",
    "programmee": "L'envoi est programmé.",
    "pause": "L'envoi est en pause : ce qui partait se termine.",
    "reprise": "L'envoi reprend.",
    "annulee": "La campagne est annulée : personne d'autre ne la recevra.",
}
ACTIONS = {
    "pause": ("pause_campaign", "pauseCampaign", "pause"),
    "reprise": ("resume_campaign", "resumeCampaign", "reprise"),
    "annulation": ("cancel_campaign", "cancelCampaign", "annulee"),
}
POLL_EVERY = {"SENDING": "2s", "SCHEDULED": "30s"}


def percent(campaign: dict[str, Any]) -> int:
    """How much of the campaign is done (sent, failed or skipped), in whole per cent."""
    progress = campaign["progress"]
    if not progress["targeted"]:
        return 100 if campaign["status"] == "COMPLETED" else 0
    done = int(progress["targeted"]) - int(progress["remaining"])
    return done * 100 // int(progress["targeted"])


async def campaigns(visit: Visit) -> Response:
    """GET `/departement/campagnes`: the campaigns, newest first, with their state."""
    entered = await enter(visit, SECTION, "campaigns_page")
    if isinstance(entered, Response):
        return entered
    space, data = entered
    return _render(visit, space, "backoffice/campaigns.html", campaigns=data["campaigns"])


async def campaign_page(
    visit: Visit, status: int = 200, refusal: str | None = None, **values: Any
) -> Response:
    """GET `/departement/campagnes/{id}`: the campaign, its preview, progress and actions."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    campaign_id = visit.request.path_params["campaign_id"]
    data = await visit.run("campaign_page", id=campaign_id)
    campaign = data["campaign"]
    if campaign is None:
        return visit.render("errors/not_found.html", status=404)
    preview = data["campaignPreview"]
    # Before it is sent, who it would reach today (the recipients are written at its start).
    reach = None
    if campaign["status"] in ("DRAFT", "SCHEDULED"):
        reach = await audience(visit, of_campaign(campaign))
    response = _render(
        visit,
        space,
        "backoffice/campaign.html",
        status=status,
        campaign=campaign,
        preview=None if user_error(preview) else preview,
        done=DONE.get(visit.request.query_params.get("fait", "")),
        refusal=refusal,
        audience=reach,
        schedule=values.pop("schedule", {"jour": "", "heure": ""}),
        errors=values.pop("errors", {}),
        **values,
    )
    # The email's preview is a frame of this site (its own page, sandboxed).
    policy = content_security_policy(visit.settings).replace(
        "frame-ancestors 'none'", "frame-src 'self'; frame-ancestors 'none'"
    )
    response.headers["Content-Security-Policy"] = policy
    return response


async def progress(visit: Visit) -> Response:
    """GET `/departement/campagnes/{id}/progression`: the progress fragment (htmx polls it)."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    data = await visit.run("campaign_progress", id=visit.request.path_params["campaign_id"])
    if data["campaign"] is None:
        return visit.render("errors/not_found.html", status=404)
    return _render(visit, space, "backoffice/_campaign_progress.html", campaign=data["campaign"])


async def email_preview(visit: Visit) -> Response:
    """GET `/departement/campagnes/{id}/apercu-email`: the email's HTML as sent, alone."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    answer = (
        await visit.run("campaign_email_preview", id=visit.request.path_params["campaign_id"])
    )["campaignPreview"]
    if user_error(answer):
        return visit.render("errors/not_found.html", status=404)
    images = f"img-src 'self' data: {visit.settings.public_url}"
    return HTMLResponse(
        answer["html"],
        headers={
            # Emails carry inline styles; here nothing runs, nothing is fetched but images.
            "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; "
            f"{images}; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
            "X-Frame-Options": "SAMEORIGIN",
        },
    )


async def send_test(visit: Visit) -> Response:
    """POST `/…/test`: the email to my own address, the push to my own devices."""
    refused = await _refused(visit)
    if refused is not None:
        return refused
    campaign_id = visit.request.path_params["campaign_id"]
    answer = (await visit.run("send_test_campaign", id=campaign_id))["sendTestCampaign"]
    error = user_error(answer)
    if error is not None:
        return await campaign_page(visit, status=422, refusal=error.message)
    return visit.redirect(f"{HOME}/{campaign_id}?fait=test")


async def send(visit: Visit) -> Response:
    """POST `/…/envoi`: `quand=maintenant`, or `quand=programmer` with `jour` and `heure`
    (Europe/Paris)."""
    refused = await _refused(visit)
    if refused is not None:
        return refused
    campaign_id = visit.request.path_params["campaign_id"]
    at = None
    schedule = {"jour": visit.field("jour"), "heure": visit.field("heure")}
    if visit.field("quand") == "programmer":
        at, errors = _paris_instant(schedule["jour"], schedule["heure"])
        if errors:
            return await campaign_page(visit, status=422, errors=errors, schedule=schedule)
    answer = (await visit.run("send_campaign", id=campaign_id, at=at))["sendCampaign"]
    error = user_error(answer)
    if error is not None:
        if error.field == "at":
            errors = {"jour": error.message}
            return await campaign_page(visit, status=422, errors=errors, schedule=schedule)
        return await campaign_page(visit, status=422, refusal=error.message)
    return visit.redirect(f"{HOME}/{campaign_id}?fait={'programmee' if at else 'envoyee'}")


def _paris_instant(day: str, hour: str) -> tuple[str | None, dict[str, str]]:
    errors = {}
    try:
        chosen_day = date.fromisoformat(day)
    except ValueError:
        errors["jour"] = "Choisissez le jour de l'envoi (AAAA-MM-JJ)."
    try:
        chosen_time = time.fromisoformat(hour)
    except ValueError:
        errors["heure"] = "Choisissez l'heure de l'envoi (HH:MM)."
    if errors:
        return None, errors
    return datetime.combine(chosen_day, chosen_time, tzinfo=PARIS).isoformat(), {}


async def confirm_cancel(visit: Visit) -> Response:
    """GET `/…/annulation`: what cancelling means, and the button that does it."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    data = await visit.run("campaign_progress", id=visit.request.path_params["campaign_id"])
    if data["campaign"] is None:
        return visit.render("errors/not_found.html", status=404)
    return _render(visit, space, "backoffice/campaign_cancel.html", campaign=data["campaign"])


async def change_state(visit: Visit) -> Response:
    """POST `/…/pause`, `/…/reprise`, `/…/annulation`."""
    refused = await _refused(visit)
    if refused is not None:
        return refused
    campaign_id = visit.request.path_params["campaign_id"]
    action = ACTIONS.get(visit.request.path_params["action"])
    if action is None:
        return visit.render("errors/not_found.html", status=404)
    operation, field, done = action
    answer = (await visit.run(operation, id=campaign_id))[field]
    error = user_error(answer)
    if error is not None:
        return await campaign_page(visit, status=409, refusal=error.message)
    return visit.redirect(f"{HOME}/{campaign_id}?fait={done}")


async def _refused(visit: Visit) -> Response | None:
    """The back office's 403 for someone without the section (the API would refuse too)."""
    entered = await enter(visit, SECTION)
    return entered if isinstance(entered, Response) else None


def _render(
    visit: Visit, space: StaffSpace, template: str, status: int = 200, **values: Any
) -> Response:
    return visit.render(
        template,
        status=status,
        space=space,
        tab=SECTION,
        statuses=STATUSES,
        channels=CHANNELS,
        themes=THEMES,
        wallet_holders=WALLET_HOLDERS,
        percent=percent,
        poll_every=POLL_EVERY,
        **values,
    )
