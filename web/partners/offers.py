"""« Bons plans » (`/partenaires/bons-plans`) and « Événements » (`/partenaires/evenements`).

The list with each one's state (draft, pending, published, refused with the reason,
expired, withdrawn); the step-by-step form (« + Ajouter un bon plan »); one offer's page,
its edit (a published one stays on show while the new version waits for moderation),
its submission and its withdrawal. Everything through the API (`partnerOffers`, `offer`,
`createBonPlan`, `createEvent`, `updateOffer`, `submitForModeration`, `withdrawOffer`,
`uploadImage`), which checks the `offers_and_posts` permission again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from starlette.responses import Response
from starlette.routing import Route

from web.formatting import paris_today
from web.graphql import user_error
from web.pages import Handler, Visit, Web
from web.partners.offer_form import (
    DEAL_TYPES,
    EVENT_KINDS,
    MAX_ROWS,
    NEW_VISUALS,
    PLACE_PARTS,
    SESSION_PARTS,
    THEMES,
    OfferForm,
    field_of_api,
)
from web.partners.space import PartnerSpace, enter
from web.partners.uploads import image_hint, upload_images

OFFERS_AND_POSTS = "OFFERS_AND_POSTS"


@dataclass(frozen=True)
class Kind:
    value: str  # the API's OfferKind
    path: str
    tab: str
    heading: str
    one: str  # « bon plan »
    the: str  # « le bon plan »
    add: str  # « Ajouter un bon plan »


DEALS = Kind(
    "DEAL", "/partenaires/bons-plans", "deals", "Bons plans", "bon plan", "le bon plan",
    "Ajouter un bon plan",
)  # fmt: skip
EVENTS = Kind(
    "EVENT", "/partenaires/evenements", "events", "Événements", "événement", "l'événement",
    "Ajouter un événement",
)  # fmt: skip

DONE_MESSAGES = {
    "brouillon": "Brouillon enregistré. Soumettez-le à la modération quand il est prêt.",
    "soumis": "Envoyé à la modération du Département : il sera publié une fois validé.",
    "retire": "Retiré : il n'est plus montré aux jeunes.",
    "soumission": "Enregistré, mais la soumission a échoué : vérifiez-le et soumettez-le.",
}


# --- states ----------------------------------------------------------------------------------


def state_of(offer: dict[str, Any], today: date) -> dict[str, str]:
    """What the partner reads about an offer: a key (for the CSS and tests), a label, and
    a note about the version being worked on while another is on show."""
    published, working = offer.get("published"), offer.get("working") or {}
    status = working.get("status")
    if offer.get("withdrawnAt"):
        return {"key": "withdrawn", "label": "Retiré", "note": ""}
    if published and date.fromisoformat(published["validUntil"]) < today:
        return {"key": "expired", "label": "Expiré", "note": ""}
    if published:
        note = {
            "DRAFT": "Une modification est en brouillon : soumettez-la à la modération.",
            "SUBMITTED": "Une modification attend la modération ; la version publiée reste "
            "visible en attendant.",
            "REJECTED": "La dernière modification a été refusée ; la version publiée reste "
            "visible.",
        }.get(status or "", "")
        return {"key": "published", "label": "Publié", "note": note}
    if status == "SUBMITTED":
        return {"key": "pending", "label": "En attente de modération", "note": ""}
    if status == "REJECTED":
        return {"key": "refused", "label": "Refusé", "note": ""}
    return {"key": "draft", "label": "Brouillon", "note": ""}


# --- the pages -------------------------------------------------------------------------------


async def _space(visit: Visit, operation: str, **variables: Any) -> Any:
    entered = await enter(visit, operation, **variables)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    if not space.may(OFFERS_AND_POSTS):
        return visit.render("errors/forbidden.html", status=403)
    return space, data


def offers_list(kind: Kind) -> Handler:
    async def offers_page(visit: Visit) -> Response:
        after = visit.request.query_params.get("apres") or None
        entered = await enter(visit, "partner_offers_page", with_partner=True, after=after)
        if isinstance(entered, Response):
            return entered
        space, data = entered
        if not space.may(OFFERS_AND_POSTS):
            return visit.render("errors/forbidden.html", status=403)
        today = paris_today()
        page = data["partnerOffers"]
        offers = [
            {**o, "state": state_of(o, today)} for o in page["offers"] if o["kind"] == kind.value
        ]
        return visit.render(
            "partners/offers.html",
            space=space,
            tab=kind.tab,
            kind=kind,
            offers=offers,
            next_cursor=page["nextCursor"],
            done=DONE_MESSAGES.get(visit.request.query_params.get("fait", "")),
        )

    offers_page.__name__ = f"{kind.tab}_page"
    return offers_page


async def _own_offer(visit: Visit, kind: Kind) -> Any:
    """The space and the offer of the URL, if it is one of the acting partner's of this kind."""
    offer_id = visit.request.path_params["id"]
    try:
        UUID(offer_id)
    except ValueError:
        return visit.render("errors/not_found.html", status=404)
    entered = await _space(visit, "partner_offer_page", id=offer_id)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    offer = data.get("offer")
    if (
        offer is None
        or (offer.get("partner") or {}).get("id") != space.partner_id
        or offer["kind"] != kind.value
        or offer.get("working") is None
    ):
        return visit.render("errors/not_found.html", status=404)
    return space, offer


def offer_detail(kind: Kind) -> Handler:
    async def offer_page(visit: Visit) -> Response:
        found = await _own_offer(visit, kind)
        if isinstance(found, Response):
            return found
        space, offer = found
        return _render_detail(visit, kind, space, offer)

    offer_page.__name__ = f"{kind.tab}_detail"
    return offer_page


def _render_detail(
    visit: Visit,
    kind: Kind,
    space: PartnerSpace,
    offer: dict[str, Any],
    error: str | None = None,
    status: int = 200,
) -> Response:
    return visit.render(
        "partners/offer.html",
        status=status,
        space=space,
        tab=kind.tab,
        kind=kind,
        offer=offer,
        state=state_of(offer, paris_today()),
        error=error,
        done=_done_message(visit, offer),
        labels=_labels(),
    )


def _done_message(visit: Visit, offer: dict[str, Any]) -> str | None:
    """What the last action did, while it is still true (a reload after a decision)."""
    done = visit.request.query_params.get("fait", "")
    still = {
        "brouillon": offer["working"]["status"] == "DRAFT",
        "soumis": offer["working"]["status"] == "SUBMITTED",
        "retire": bool(offer["withdrawnAt"]),
        "soumission": offer["working"]["status"] == "DRAFT",
    }
    return DONE_MESSAGES[done] if still.get(done) else None


def _labels() -> dict[str, Any]:
    return {
        "deal_types": DEAL_TYPES,
        "themes": THEMES,
        "event_kinds": EVENT_KINDS,
    }


def offer_editor(kind: Kind, *, creating: bool) -> Handler:
    async def edit_page(visit: Visit) -> Response:
        offer: dict[str, Any] | None = None
        if creating:
            entered = await _space(visit, "partner_space")
        else:
            entered = await _own_offer(visit, kind)
        if isinstance(entered, Response):
            return entered
        space, offer_or_data = entered
        if not creating:
            offer = offer_or_data
            assert offer is not None
            if offer["withdrawnAt"] or offer["working"]["status"] == "SUBMITTED":
                return visit.redirect(f"{kind.path}/{offer['id']}")
        if visit.request.method == "GET":
            form = (
                OfferForm.empty(kind.value)
                if offer is None
                else OfferForm.of_revision(kind.value, offer["working"])
            )
            return _render_form(visit, kind, space, form, offer)
        return await _save(visit, kind, space, offer)

    edit_page.__name__ = f"{kind.tab}_{'new' if creating else 'edit'}"
    return edit_page


async def _save(
    visit: Visit, kind: Kind, space: PartnerSpace, offer: dict[str, Any] | None
) -> Response:
    form = OfferForm.of_visit(kind.value, visit)
    uploaded = await upload_images(visit, space.partner_id, "OFFER", list(NEW_VISUALS))
    form.visuals += [{"id": i, "url": uploaded.urls[i]} for i in uploaded.ids.values()]
    if uploaded.errors:
        form.errors["visuels"] = " ".join(uploaded.errors.values())
    action = visit.field("action")
    if action == "ajouter-lieu":
        form.places.append(dict.fromkeys(PLACE_PARTS, ""))
        form.places = form.places[:MAX_ROWS]
        return _render_form(visit, kind, space, form, offer, focus=f"lieu-{len(form.places) - 1}")
    if action == "ajouter-date" and not form.is_deal:
        form.sessions.append(dict.fromkeys(SESSION_PARTS, ""))
        form.sessions = form.sessions[:MAX_ROWS]
        return _render_form(
            visit, kind, space, form, offer, focus=f"seance-{len(form.sessions) - 1}"
        )
    submitting = action == "soumettre"
    data = form.api_input(creating=offer is None)
    if submitting:
        form.check_not_past()
    if form.errors:
        return _render_form(visit, kind, space, form, offer, status=422)
    if offer is None:
        operation, field = (
            ("create_bon_plan", "createBonPlan")
            if form.is_deal
            else ("create_event", "createEvent")
        )
        answer = (await visit.run(operation, partnerId=space.partner_id, input=data))[field]
    else:
        answer = (await visit.run("update_offer", offerId=offer["id"], input=data))["updateOffer"]
    error = user_error(answer)
    if error is not None:
        form.errors[field_of_api(error.field)] = error.message
        return _render_form(visit, kind, space, form, offer, status=422)
    offer_id = answer["offer"]["id"]
    done = "brouillon"
    if submitting:
        submitted = (await visit.run("submit_offer", offerId=offer_id))["submitForModeration"]
        done = "soumission" if user_error(submitted) else "soumis"
    return visit.redirect(f"{kind.path}/{offer_id}?fait={done}")


def _render_form(
    visit: Visit,
    kind: Kind,
    space: PartnerSpace,
    form: OfferForm,
    offer: dict[str, Any] | None,
    status: int = 200,
    focus: str | None = None,
) -> Response:
    labels = {name: name for name in form.errors}
    for radio, values in (("type", DEAL_TYPES), ("theme", THEMES), ("genre", EVENT_KINDS)):
        labels[radio] = f"{radio}-{next(iter(values))}"
    labels["visuels"] = "visuels"
    return visit.render(
        "partners/offer_form.html",
        status=status,
        space=space,
        tab=kind.tab,
        kind=kind,
        offer=offer,
        form=form,
        errors=form.errors,
        error_labels=labels,
        focus=focus,
        today=paris_today(),
        visual_hint=image_hint(visit, "OFFER"),
        **_labels(),
    )


def offer_submission(kind: Kind) -> Handler:
    async def submit(visit: Visit) -> Response:
        found = await _own_offer(visit, kind)
        if isinstance(found, Response):
            return found
        space, offer = found
        answer = (await visit.run("submit_offer", offerId=offer["id"]))["submitForModeration"]
        error = user_error(answer)
        if error is not None:
            return _render_detail(visit, kind, space, offer, error.message, status=422)
        return visit.redirect(f"{kind.path}/{offer['id']}?fait=soumis")

    submit.__name__ = f"{kind.tab}_submit"
    return submit


def offer_withdrawal(kind: Kind) -> Handler:
    async def withdraw(visit: Visit) -> Response:
        found = await _own_offer(visit, kind)
        if isinstance(found, Response):
            return found
        space, offer = found
        if offer["withdrawnAt"]:
            return visit.redirect(f"{kind.path}/{offer['id']}")
        if visit.request.method == "POST":
            answer = (await visit.run("withdraw_offer", offerId=offer["id"]))["withdrawOffer"]
            error = user_error(answer)
            if error is None:
                return visit.redirect(f"{kind.path}/{offer['id']}?fait=retire")
            return _render_detail(visit, kind, space, offer, error.message, status=422)
        return visit.render(
            "partners/offer_withdrawal.html", space=space, tab=kind.tab, kind=kind, offer=offer
        )

    withdraw.__name__ = f"{kind.tab}_withdraw"
    return withdraw


def offer_routes(web: Web) -> list[Route]:
    both = ["GET", "POST"]
    routes = []
    for kind in (DEALS, EVENTS):
        routes += [
            Route(kind.path, web.page(offers_list(kind)), methods=["GET"]),
            Route(
                f"{kind.path}/nouveau", web.page(offer_editor(kind, creating=True)), methods=both
            ),
            Route(f"{kind.path}/{{id}}", web.page(offer_detail(kind)), methods=["GET"]),
            Route(
                f"{kind.path}/{{id}}/modifier",
                web.page(offer_editor(kind, creating=False)),
                methods=both,
            ),
            Route(
                f"{kind.path}/{{id}}/soumettre", web.page(offer_submission(kind)), methods=["POST"]
            ),
            Route(f"{kind.path}/{{id}}/retrait", web.page(offer_withdrawal(kind)), methods=both),
        ]
    return routes
