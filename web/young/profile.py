"""`/mon-espace/profil`: who sees my profile (private by default), my notifications by
channel, the marketing messages I accept by channel (under 15: kept, in effect once a
parent consents), the themes I like (the 18–25 themes from 18), the devices my push
notifications reach (`…/appareils/<id>/suppression`, POST), and my other sessions, signed
out at once (`…/sessions`, POST)."""

from __future__ import annotations

import re

from starlette.responses import Response

from web.graphql import user_error
from web.pages import Visit
from web.young.space import age_of, enter

PROFILE = "/mon-espace/profil"
VISIBILITIES = ("PRIVATE", "FOLLOWED_PARTNERS")
THEMES = {
    "LOISIRS": "Loisirs",
    "SPORT": "Sport",
    "CULTURE": "Culture",
    "SOUTIEN_SCOLAIRE": "Soutien scolaire",
    "TOURISME": "Tourisme",
    "INSERTION_PROFESSIONNELLE": "Insertion professionnelle",
}
ADULT_THEMES = frozenset({"TOURISME", "INSERTION_PROFESSIONNELLE"})  # from 18 (the API says)
PLATFORMS = {"ANDROID": "Téléphone Android", "IOS": "iPhone", "WEB": "Navigateur web"}
_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("CJeune", "Application CJeune"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS", "Mac"),
    ("Linux", "Linux"),
)


def device_name(user_agent: str | None) -> str:
    """« Chrome sur Android » from a User-Agent: enough to recognise one's own devices."""
    if not user_agent:
        return "Appareil inconnu"
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if re.search(mark, user_agent)), None)
    if browser and system:
        return f"{browser} sur {system}"
    return browser or system or "Appareil inconnu"


def _themes_shown(age: int | None) -> dict[str, str]:
    adult = age is not None and age >= 18
    return {k: v for k, v in THEMES.items() if adult or k not in ADULT_THEMES}


async def profile(visit: Visit) -> Response:
    data = await enter(visit, "young_profile")
    if isinstance(data, Response):
        return data
    error = None
    if visit.request.method == "POST":
        visibility = visit.field("visibilite")
        themes = [t for t in visit.form.getlist("themes") if t in THEMES]
        if visibility not in VISIBILITIES:
            error = "Choisissez qui peut voir votre profil."
        else:
            answer = await visit.run(
                "save_profile",
                visibility=visibility,
                push=visit.field("notif_push") == "oui",
                email=visit.field("notif_email") == "oui",
                marketingEmail=visit.field("pub_email") == "oui",
                marketingPush=visit.field("pub_push") == "oui",
                themes=themes,
            )
            refused = (
                user_error(answer["marketingEmail"])
                or user_error(answer["marketingPush"])
                or user_error(answer["setMyThemesOfInterest"])
            )
            if refused is None:
                return visit.redirect(f"{PROFILE}?enregistre=1")
            error = refused.message
    params = visit.request.query_params
    return visit.render(
        "young/profile.html",
        status=400 if error else 200,
        tab="profile",
        me=data["me"],
        preferences=data["notificationPreferences"],
        consent=data["myMarketingConsent"],
        themes=_themes_shown(age_of(data["me"])),
        my_themes=set(data["myThemesOfInterest"]),
        devices=data["myDevices"],
        platforms=PLATFORMS,
        sessions=data["mySessions"],
        device_name=device_name,
        saved=params.get("enregistre") == "1",
        device_removed=params.get("appareil") == "retire",
        signed_out=params.get("deconnectees"),
        error=error,
    )


async def remove_device(visit: Visit) -> Response:
    if not visit.signed_in:
        return visit.to_sign_in()
    answer = await visit.run("remove_my_device", deviceId=visit.request.path_params["id"])
    if user_error(answer["removeMyDevice"]) is not None:
        return visit.render("errors/not_found.html", status=404)
    return visit.redirect(f"{PROFILE}?appareil=retire#appareils")


async def sign_out_others(visit: Visit) -> Response:
    if not visit.signed_in:
        return visit.to_sign_in()
    answer = await visit.run("sign_out_other_sessions")
    count = answer["signOutOtherSessions"]["count"]
    return visit.redirect(f"{PROFILE}?deconnectees={count}#sessions")
