"""`/mon-espace/autour`: the deals and events near a commune (typed, `?commune=`, or the
young person's own, from their postal code), nearest first, as the API shows them to the
person's age (`search` with `near`), and the département's services (Team13, the youth
council, listening places…) nearest first; a map where a tile server is set, the list
always. « Garder » saves a deal or event to my favourites (`saveFavorite`, POST
`/mon-espace/favoris`)."""

from __future__ import annotations

import math
import unicodedata
from typing import Any
from urllib.parse import quote, urlencode

from starlette.responses import Response

from web.graphql import user_error
from web.pages import Visit
from web.young.space import enter

NEARBY = "/mon-espace/autour"
RADIUS_KM = 15.0
SERVICE_CATEGORIES = {
    "TEAM13": "Team13",
    "YOUTH_COUNCIL": "Conseil départemental des jeunes",
    "CIVIC_SERVICE": "Service civique",
    "LISTENING_PLACE": "Lieu d'écoute",
    "SCREENING_CENTRE": "Centre de dépistage",
    "OTHER": "Service du Département",
}


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def find_commune(communes: list[dict[str, Any]], typed: str) -> dict[str, Any] | None:
    """A commune by its name (accents, case, hyphens ignored) or one of its postal codes."""
    typed = typed.strip()
    if typed.isdigit():
        return next((c for c in communes if typed in c["postalCodes"]), None)
    wanted = _folded(typed)
    return next((c for c in communes if _folded(c["name"]) == wanted), None)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def _services_by_distance(
    services: list[dict[str, Any]], centre: tuple[float, float]
) -> list[dict[str, Any]]:
    """Those with an address nearest first, with their distance; then the others."""
    placed = [
        {**s, "distanceKm": round(distance_km(centre, (s["latitude"], s["longitude"])), 1)}
        for s in services
        if s["latitude"] is not None and s["longitude"] is not None
    ]
    placed.sort(key=lambda s: s["distanceKm"])
    return placed + [{**s, "distanceKm": None} for s in services if s["latitude"] is None]


async def nearby(visit: Visit) -> Response:
    data = await enter(visit, "young_nearby_place")
    if isinstance(data, Response):
        return data
    me, communes = data["me"], data["communes"]
    typed = (visit.request.query_params.get("commune") or "").strip()[:100]
    commune = find_commune(communes, typed or me.get("postalCode") or "")
    values: dict[str, Any] = {
        "tab": "nearby",
        "me": me,
        "communes": communes,
        "typed": typed,
        "commune": commune,
        "saved": visit.request.query_params.get("garde"),
        "service_categories": SERVICE_CATEGORIES,
    }
    if commune is None:
        error = "Nous ne connaissons pas cette commune des Bouches-du-Rhône." if typed else None
        return visit.render(
            "young/nearby.html",
            status=400 if typed else 200,
            error=error,
            hits=[],
            services=[],
            next_cursor=None,
            **values,
        )
    after = visit.request.query_params.get("apres") or None
    found = await visit.run(
        "young_nearby",
        latitude=commune["latitude"],
        longitude=commune["longitude"],
        radiusKm=RADIUS_KM,
        after=after,
    )
    search, listed = found["search"], found["departmentServices"]
    refused = user_error(search)
    services = listed.get("services", []) if user_error(listed) is None else []
    centre = (commune["latitude"], commune["longitude"])
    return visit.render(
        "young/nearby.html",
        error=refused.message if refused else None,
        hits=[] if refused else search["hits"],
        next_cursor=None if refused else search["nextCursor"],
        services=_services_by_distance(services, centre),
        more_address=f"{NEARBY}?{urlencode({'commune': commune['name']})}",
        **values,
    )


async def save_favorite(visit: Visit) -> Response:
    """POST `offre` (and `commune`, to come back to the same list)."""
    if not visit.signed_in:
        return visit.to_sign_in()
    answer = await visit.run("save_favorite", offerId=visit.field("offre"))
    commune = quote(visit.field("commune"), safe="")
    back = f"{NEARBY}?commune={commune}&" if commune else f"{NEARBY}?"
    refused = user_error(answer["saveFavorite"])
    return visit.redirect(back + ("garde=erreur" if refused else "garde=oui"))
