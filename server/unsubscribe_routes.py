"""The one-click marketing unsubscribe page: GET /desabonnement?jeton=… shows a button,
POST unsubscribes (RFC 8058: mail clients POST `List-Unsubscribe=One-Click` to the URL).

A GET never changes anything: mail scanners and link previews open every link.
"""

from __future__ import annotations

import logging

from markupsafe import escape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from domain.consent.marketing import set_marketing_opt_in
from domain.core.errors import DomainError
from domain.notifications.channels import channel_of
from infra.settings import get_settings
from models.notifications import ConsentSource
from push.unsubscribe import read_unsubscribe_token
from server.link_pages import french_page, paragraphs, post_button

logger = logging.getLogger(__name__)

def _invalid_link() -> HTMLResponse:
    return french_page(
        "Lien non valable",
        paragraphs(
            "Ce lien de désabonnement n'est pas valable. Vérifiez qu'il a été copié en entier "
            "depuis l'e-mail reçu.",
            "Vous pouvez aussi choisir les messages que vous recevez dans l'application CJeune, "
            "rubrique « Mon compte ».",
        ),
        status_code=400,
    )


async def unsubscribe(request: Request) -> HTMLResponse:
    token = request.query_params.get("jeton", "")
    link = read_unsubscribe_token(get_settings(), token)
    if link is None:
        return _invalid_link()
    what = (
        "les bons plans et actualités de CJeune de Provence "
        + channel_of(link.channel).marketing_wording
    )
    if request.method != "POST":
        action = f"/desabonnement?jeton={token}"
        return french_page(
            "Se désabonner",
            paragraphs(f"Vous ne recevrez plus {what}.")
            + post_button(escape(action), "Confirmer mon désabonnement")
            + paragraphs(
                "Les messages liés à votre carte (solde, sécurité de votre compte) continueront "
                "de vous être envoyés."
            ),
        )
    try:
        await set_marketing_opt_in(
            link.user_id, link.channel, False, ConsentSource.UNSUBSCRIBE_LINK, link.campaign_id
        )
    except DomainError:
        logger.info("unsubscribe link of a deleted account %s", link.user_id)
    return french_page(
        "Désabonnement confirmé",
        paragraphs(
            f"C'est fait : vous ne recevrez plus {what}.",
            "Vous pouvez changer d'avis à tout moment dans l'application CJeune, "
            "rubrique « Mon compte ».",
        ),
    )


unsubscribe_routes: list[Route] = [
    Route("/desabonnement", unsubscribe, methods=["GET", "POST"]),
]
