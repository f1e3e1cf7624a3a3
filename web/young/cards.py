"""The young person's card: activate it (typed code or camera scan), ask for a digital one
(16-25), see it (the QR code as an image made here, the code, the holder, the wallets, the
history), declare it lost, choose or change its PIN.

The QR images (`qr.svg`, `qr.png`) are drawn by segno from the card's `qrPayload`, read
through the API like the rest of the page: another person's card id is not found (404).
"""

from __future__ import annotations

import io
from typing import Any

import segno
from starlette.responses import Response

from web.graphql import user_error
from web.pages import Visit
from web.young.home import _render_home
from web.young.space import enter, find_card

HISTORY_SIZE = 50
PIN_LENGTH = 4
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules


def _not_found(visit: Visit) -> Response:
    return visit.render("errors/not_found.html", status=404)


async def activate(visit: Visit) -> Response:
    data = await enter(visit, "young_space")
    if isinstance(data, Response):
        return data
    typed = visit.field("code")
    if visit.request.method != "POST":
        return visit.render(
            "young/activate.html", tab="activate", me=data["me"], typed="", error=None
        )
    error = None
    if not typed:
        error = "Saisissez le code de la carte ou scannez son QR code."
    else:
        answer = (await visit.run("activate_card", code=typed))["activateCard"]
        refused = user_error(answer)
        if refused is None:
            card = answer["card"]
            return visit.redirect(f"/mon-espace/cartes/{card['id']}?activee=1")
        error = refused.message
    return visit.render(
        "young/activate.html", status=400, tab="activate", me=data["me"], typed=typed, error=error
    )


async def digital_card(visit: Visit) -> Response:
    data = await enter(visit, "young_space")
    if isinstance(data, Response):
        return data
    commune = visit.field("commune")
    error: str | None = None
    if not commune:
        error = "Saisissez le code INSEE de votre commune."
    else:
        answer = (await visit.run("request_digital_card", communeCode=commune))[
            "requestDigitalCard"
        ]
        refused = user_error(answer)
        if refused is None:
            return visit.redirect(f"/mon-espace/cartes/{answer['card']['id']}")
        error = refused.message
    return await _render_home(
        visit,
        data,
        status=400,
        digital_values={"commune": commune},
        digital_errors={"commune": error},
    )


async def _card(visit: Visit, operation: str = "young_space", **variables: Any) -> Any:
    """(data, card) for the card of the URL, or the page to show instead."""
    data = await enter(visit, operation, **variables)
    if isinstance(data, Response):
        return data
    card = find_card(data, visit.request.path_params["id"])
    if card is None:
        return _not_found(visit)
    return data, card


async def card_page(visit: Visit) -> Response:
    found = await _card(
        visit, "young_card", first=HISTORY_SIZE, after=visit.request.query_params.get("apres")
    )
    if isinstance(found, Response):
        return found
    data, card = found
    page = data["myTransactions"] or {"transactions": [], "nextCursor": None}
    query = visit.request.query_params
    return visit.render(
        "young/card.html",
        tab="card",
        me=data["me"],
        card=card,
        transactions=page["transactions"],
        next_cursor=page["nextCursor"],
        just_activated=query.get("activee") == "1",
        notice_text={
            "pin": "Votre code PIN est enregistré.",
            "perte": "Votre carte est bloquée.",
        }.get(query.get("fait", "")),
    )


def _qr(payload: str) -> segno.QRCode:
    return segno.make(payload, error="m", micro=False)


async def card_qr_svg(visit: Visit) -> Response:
    found = await _card(visit)
    if isinstance(found, Response):
        return found
    _, card = found
    out = io.BytesIO()
    _qr(card["qrPayload"]).save(
        out, kind="svg", scale=8, border=QR_BORDER, xmldecl=False, title="QR code de la carte"
    )
    return Response(out.getvalue(), media_type="image/svg+xml")


async def card_qr_png(visit: Visit) -> Response:
    found = await _card(visit)
    if isinstance(found, Response):
        return found
    _, card = found
    out = io.BytesIO()
    _qr(card["qrPayload"]).save(out, kind="png", scale=10, border=QR_BORDER)
    return Response(out.getvalue(), media_type="image/png")


async def card_lost(visit: Visit) -> Response:
    found = await _card(visit)
    if isinstance(found, Response):
        return found
    data, card = found
    me = data["me"]
    if visit.request.method != "POST":
        return visit.render("young/card_lost.html", tab="card", me=me, card=card, error=None)
    answer = (
        await visit.run(
            "declare_card_lost", cardId=card["id"], stolen=visit.field("motif") == "vol"
        )
    )["declareCardLost"]
    refused = user_error(answer)
    if refused is not None:
        return visit.render(
            "young/card_lost.html", status=400, tab="card", me=me, card=card, error=refused.message
        )
    return visit.redirect(f"/mon-espace/cartes/{card['id']}?fait=perte")


async def card_pin(visit: Visit) -> Response:
    found = await _card(visit)
    if isinstance(found, Response):
        return found
    data, card = found
    me = data["me"]
    if visit.request.method != "POST":
        return visit.render("young/card_pin.html", tab="card", me=me, card=card, errors={})
    pin, again = visit.field("pin"), visit.field("pin_confirmation")
    errors: dict[str, str] = {}
    if not (len(pin) == PIN_LENGTH and pin.isascii() and pin.isdigit()):
        errors["pin"] = "Le code PIN comporte 4 chiffres."
    elif again != pin:
        errors["pin_confirmation"] = "Les deux codes saisis sont différents."
    else:
        answer = (await visit.run("set_card_pin", cardId=card["id"], pin=pin))["setCardPin"]
        refused = user_error(answer)
        if refused is None:
            return visit.redirect(f"/mon-espace/cartes/{card['id']}?fait=pin")
        errors[refused.field or "pin"] = refused.message
    return visit.render(
        "young/card_pin.html", status=400, tab="card", me=me, card=card, errors=errors
    )
