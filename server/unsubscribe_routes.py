"""The one-click marketing unsubscribe page: GET /desabonnement?jeton=… shows a button,
POST unsubscribes (RFC 8058: mail clients POST `List-Unsubscribe=One-Click` to the URL).

A GET never changes anything: mail scanners and link previews open every link.
Also the small French page layout shared with the parental consent pages.
"""

from __future__ import annotations

import logging

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from domain.consent.marketing import set_marketing_opt_in
from domain.core.errors import DomainError
from domain.notifications.channels import channel_of
from infra.settings import get_settings
from models.notifications import ConsentSource
from push.unsubscribe import read_unsubscribe_token

logger = logging.getLogger(__name__)

_PAGE = Markup("""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title} — CJeune de Provence</title>
</head>
<body style="margin:0;background:#f4f4f7;font-family:Arial,Helvetica,sans-serif;color:#1d1d1f">
<main style="max-width:560px;margin:24px auto;background:#fff;border-radius:8px">
<div style="background:#e30613;color:#fff;padding:18px 24px;border-radius:8px 8px 0 0">
<div style="font-size:22px;font-weight:bold">CJeune de Provence</div>
<div style="font-size:13px">La carte des 11-25 ans des Bouches-du-Rhône</div>
</div>
<div style="padding:24px;font-size:16px;line-height:1.5">
<h1 style="font-size:20px;margin:0 0 16px">{title}</h1>
{body}
</div>
<div style="padding:16px 24px;font-size:12px;color:#6e6e73;border-top:1px solid #e5e5ea">
Département des Bouches-du-Rhône — Direction de la Jeunesse et des Sports
</div>
</main>
</body>
</html>
""")
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL
    "X-Robots-Tag": "noindex",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
}
_BUTTON = Markup(
    '<form method="post" action="{action}" style="margin:24px 0">'
    '<input type="hidden" name="action" value="{value}">'
    '<button type="submit" style="background:#e30613;color:#fff;border:0;padding:12px 20px;'
    'border-radius:6px;font-size:16px;font-weight:bold;cursor:pointer">{label}</button></form>'
)


def french_page(title: str, body: Markup, status_code: int = 200) -> HTMLResponse:
    """A small page in the programme's look; `body` is already-escaped HTML."""
    page = _PAGE.format(title=title, body=body)
    return HTMLResponse(page, status_code=status_code, headers=_HEADERS)


def post_button(action: str, label: str, value: str = "confirmer") -> Markup:
    return _BUTTON.format(action=action, label=label, value=value)


def paragraphs(*texts: str) -> Markup:
    return Markup("").join(Markup("<p>{}</p>").format(text) for text in texts)


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
