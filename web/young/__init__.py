"""The young people's space (`/mon-espace/`), their sign-up (`/inscription`) and the page
the printed QR code opens (`/carte/<code>`)."""

from __future__ import annotations

from starlette.responses import RedirectResponse
from starlette.routing import Route

from web.pages import Web
from web.young.card_photo import card_photo
from web.young.cards import (
    activate,
    card_lost,
    card_page,
    card_pin,
    card_qr_png,
    card_qr_svg,
    digital_card,
)
from web.young.feed import feed, like
from web.young.home import home, parental_consent
from web.young.nearby import nearby, save_favorite
from web.young.privacy import close_account, request_my_data
from web.young.profile import profile, remove_device, sign_out_others
from web.young.public_card import printed_card
from web.young.signup import sign_up


def young_routes(web: Web) -> list[Route]:
    both = ["GET", "POST"]
    card = "/mon-espace/cartes/{id}"
    return [
        Route("/inscription", web.page(sign_up), methods=both),
        Route("/carte/{code}", web.page(printed_card), methods=["GET", "HEAD"]),
        Route("/mon-espace", lambda request: RedirectResponse("/mon-espace/", 308)),
        Route("/mon-espace/", web.page(home), methods=["GET"]),
        Route("/mon-espace/consentement-parental", web.page(parental_consent), methods=["POST"]),
        Route("/mon-espace/activer", web.page(activate), methods=both),
        Route("/mon-espace/carte-numerique", web.page(digital_card), methods=["POST"]),
        Route("/mon-espace/profil", web.page(profile), methods=both),
        Route("/mon-espace/photo", web.page(card_photo), methods=both),
        Route("/mon-espace/profil/sessions", web.page(sign_out_others), methods=["POST"]),
        Route(
            "/mon-espace/profil/appareils/{id}/suppression",
            web.page(remove_device),
            methods=["POST"],
        ),
        Route("/mon-espace/fil", web.page(feed), methods=["GET"]),
        Route("/mon-espace/fil/publications/{id}/jaime", web.page(like), methods=["POST"]),
        Route("/mon-espace/autour", web.page(nearby), methods=["GET"]),
        Route("/mon-espace/favoris", web.page(save_favorite), methods=["POST"]),
        Route("/mon-espace/fermer-mon-compte", web.page(close_account), methods=both),
        Route("/mon-espace/mes-donnees", web.page(request_my_data), methods=["POST"]),
        Route(card, web.page(card_page), methods=["GET"]),
        Route(card + "/qr.svg", web.page(card_qr_svg), methods=["GET"]),
        Route(card + "/qr.png", web.page(card_qr_png), methods=["GET"]),
        Route(card + "/perte", web.page(card_lost), methods=both),
        Route(card + "/code-pin", web.page(card_pin), methods=both),
    ]
