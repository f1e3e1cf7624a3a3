"""`/annuaire/partenaires/<id>`: a partner's public page, for anyone; a signed-in young
person follows or unfollows it there (`…/abonnement`, POST).

One operation (`public_partner_page`) answers the page. It runs as the visitor: an
anonymous one sees the deals and events for every age, a young person those of their age.
A partner's people and staff would see the partner's drafts as insiders: their page is
asked again as an anonymous visitor, so the public page is the public's."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from resolvers.context import Context
from web.directory.addresses import absolute, directory_path, partner_path
from web.directory.labels import CATEGORIES
from web.directory.public import indexable
from web.graphql import user_error
from web.pages import Visit
from web.partners.profile import ACCESSIBILITY, WEEKDAYS

YOUNG_PERSON = "YOUNG_PERSON"
DESCRIPTION_LENGTH = 155  # what search engines show of a description


def _description(partner: dict[str, Any]) -> str:
    text = " ".join(partner["description"].split())
    if not text:
        city = partner["address"]["city"] if partner["address"] else "les Bouches-du-Rhône"
        text = f"{partner['tradeName']}, partenaire de la carte CJeune de Provence à {city}."
    if len(text) > DESCRIPTION_LENGTH:
        text = text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    return text


async def _page_data(visit: Visit, partner_id: str) -> dict[str, Any]:
    data = await visit.run("public_partner_page", id=partner_id, signedIn=visit.signed_in)
    me = data.get("me")
    if me is not None and me["kind"] != YOUNG_PERSON:
        anonymous = Context(request=visit.request)
        variables = {"id": partner_id, "signedIn": False}
        data = await visit.web.operations.run(anonymous, "public_partner_page", variables)
    data["me"] = me
    return data


async def partner_page(visit: Visit) -> Response:
    partner_id = visit.request.path_params["id"]
    data = await _page_data(visit, partner_id)
    partner = data["partner"]
    if partner is None or not partner["listed"]:
        return visit.render("errors/not_found.html", status=404)
    me = data["me"]
    offers = [o for o in data["partnerOffers"]["offers"] if o["published"] and not o["withdrawnAt"]]
    city = partner["address"]["city"] if partner["address"] else None
    return indexable(
        visit.render(
            "directory/partner.html",
            partner=partner,
            offers=offers,
            posts=partner["posts"]["posts"],
            young=me is not None and me["kind"] == YOUNG_PERSON,
            signed_in=me is not None,
            description=_description(partner),
            canonical=absolute(visit.settings, partner_path(partner["id"])),
            commune_path=directory_path(city) if city else None,
            categories=CATEGORIES,
            weekdays=WEEKDAYS,
            accessibility=ACCESSIBILITY,
            followed=visit.request.query_params.get("suivi"),
        )
    )


async def follow(visit: Visit) -> Response:
    """POST `action=suivre` or `action=ne-plus-suivre`; back to the partner's page."""
    partner_id = visit.request.path_params["id"]
    page = partner_path(partner_id)
    if not visit.signed_in:
        return visit.redirect(f"/connexion?suite={page}")
    action = visit.field("action")
    if action not in ("suivre", "ne-plus-suivre"):
        return visit.render("errors/not_found.html", status=404)
    operation = "follow_partner" if action == "suivre" else "unfollow_partner"
    answer = await visit.run(operation, partnerId=partner_id)
    refused = user_error(answer["follow" if action == "suivre" else "unfollow"])
    if refused is not None:
        return visit.render("errors/failed.html", status=400, message=refused.message)
    done = "oui" if action == "suivre" else "non"
    return visit.redirect(f"{page}?suivi={done}#suivre")
