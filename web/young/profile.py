"""`/mon-espace/profil`: who sees my profile (private by default), my notifications by
channel, the marketing messages I accept by channel (under 15: kept, in effect once a
parent consents)."""

from __future__ import annotations

from starlette.responses import Response

from web.graphql import user_error
from web.pages import Visit
from web.young.space import enter

VISIBILITIES = ("PRIVATE", "FOLLOWED_PARTNERS")


async def profile(visit: Visit) -> Response:
    data = await enter(visit, "young_profile")
    if isinstance(data, Response):
        return data
    error = None
    if visit.request.method == "POST":
        visibility = visit.field("visibilite")
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
            )
            refused = user_error(answer["marketingEmail"]) or user_error(answer["marketingPush"])
            if refused is None:
                return visit.redirect("/mon-espace/profil?enregistre=1")
            error = refused.message
    return visit.render(
        "young/profile.html",
        status=400 if error else 200,
        tab="profile",
        me=data["me"],
        preferences=data["notificationPreferences"],
        consent=data["myMarketingConsent"],
        saved=visit.request.query_params.get("enregistre") == "1",
        error=error,
    )
