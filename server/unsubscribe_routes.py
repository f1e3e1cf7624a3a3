"""The one-click marketing unsubscribe page: GET /desabonnement?jeton=… shows a button,
POST unsubscribes (RFC 8058: mail clients POST `List-Unsubscribe=One-Click` to the URL).

A GET never changes anything: mail scanners and link previews open every link. Both go
through the GraphQL schema in-process (`unsubscribeLink`, `unsubscribeByToken`).
"""

from __future__ import annotations

from markupsafe import escape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from server.link_operations import run_operation
from server.link_pages import french_page, paragraphs, post_button

READ_LINK = """query($token: String!) { unsubscribeLink(token: $token) {
  __typename ... on UnsubscribeLink { wording } ... on UserError { code } } }"""
UNSUBSCRIBE = """mutation($token: String!) { unsubscribeByToken(token: $token) {
  __typename ... on UnsubscribeLink { wording } ... on UserError { code } } }"""


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
    if request.method != "POST":
        link = (await run_operation(request, READ_LINK, {"token": token}))["unsubscribeLink"]
        if link["__typename"] != "UnsubscribeLink":
            return _invalid_link()
        action = f"/desabonnement?jeton={token}"
        return french_page(
            "Se désabonner",
            paragraphs(f"Vous ne recevrez plus {link['wording']}.")
            + post_button(escape(action), "Confirmer mon désabonnement")
            + paragraphs(
                "Les messages liés à votre carte (solde, sécurité de votre compte) continueront "
                "de vous être envoyés."
            ),
        )
    done = (await run_operation(request, UNSUBSCRIBE, {"token": token}))["unsubscribeByToken"]
    if done["__typename"] != "UnsubscribeLink":
        return _invalid_link()
    return french_page(
        "Désabonnement confirmé",
        paragraphs(
            f"C'est fait : vous ne recevrez plus {done['wording']}.",
            "Vous pouvez changer d'avis à tout moment dans l'application CJeune, "
            "rubrique « Mon compte ».",
        ),
    )


unsubscribe_routes: list[Route] = [
    Route("/desabonnement", unsubscribe, methods=["GET", "POST"]),
]
