"""GET /photos-carte/{token}: a card holder's photo, through the short-lived signed link the
GraphQL API hands to those who may see it (the holder, support staff, the partner whose till
looked the card up: domain/cards/card_photos.py). The photo of a minor is never cached nor
served under a stable address."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from domain.cards import card_photos

_PRIVATE = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


async def serve_card_photo(request: Request) -> Response:
    try:
        data = await card_photos.read_photo_link(request.path_params["token"])
    except card_photos.LinkExpired:
        return PlainTextResponse("Ce lien de photo a expiré.", status_code=410, headers=_PRIVATE)
    except card_photos.LinkInvalid:
        return PlainTextResponse(
            "Ce lien de photo n'est pas valable.", status_code=403, headers=_PRIVATE
        )
    return Response(data, media_type="image/webp", headers=_PRIVATE)


card_photo_routes: list[Route] = [
    Route(f"{card_photos.LINK_PATH}/{{token}}", serve_card_photo, methods=["GET", "HEAD"]),
]
