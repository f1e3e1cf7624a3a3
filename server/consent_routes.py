"""The parent's page: GET /consentement-parental?jeton=… describes what they agree to,
with a button; POST gives the consent (action=donner) or withdraws it (action=retirer).

A GET never changes anything; a second POST changes nothing either. The page reads and
writes through the GraphQL schema in-process (`parentalConsentRequest`,
`giveParentalConsent`, `refuseParentalConsent`): the link's token is the credential.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from domain.core import clock
from server.link_operations import run_operation
from server.link_pages import french_page, paragraphs, post_button

GIVE, WITHDRAW = "donner", "retirer"
_MAX_FORM_BYTES = 1024
_REQUEST_FIELDS = """__typename
  ... on ParentalConsentRequest { childFirstName childLastName parentName status givenAt
                                  withdrawnAt mayGive superseded validDays }
  ... on UserError { code message }"""
READ = f"""query($token: String!) {{ parentalConsentRequest(token: $token) {{
  {_REQUEST_FIELDS} }} }}"""
GIVE_CONSENT = f"""mutation($token: String!) {{ giveParentalConsent(token: $token) {{
  {_REQUEST_FIELDS} }} }}"""
REFUSE_CONSENT = f"""mutation($token: String!) {{ refuseParentalConsent(token: $token) {{
  {_REQUEST_FIELDS} }} }}"""


def _day(instant: str) -> str:
    return datetime.fromisoformat(instant).astimezone(clock.PARIS).strftime("%d/%m/%Y")


def _what_it_means(first_name: str) -> Markup:
    return paragraphs(
        f"En donnant votre accord, vous acceptez que {first_name} reçoive, selon ses choix dans "
        "l'application, les messages d'information de CJeune de Provence : les réductions et "
        "offres des partenaires de la carte, les événements et actualités du Département pour "
        "les jeunes, par e-mail et par notification.",
        "Les messages utiles au fonctionnement de la carte (solde, sécurité du compte) lui sont "
        "envoyés dans tous les cas. Vous pourrez retirer votre accord à tout moment depuis "
        f"cette page ; {first_name} peut aussi le retirer depuis l'application.",
    )


def _link_page(link: dict[str, Any], action: Markup) -> HTMLResponse:
    first_name = link["childFirstName"]
    name = f"{first_name} {link['childLastName']}"
    if link["status"] == "GIVEN":
        return french_page(
            "Votre accord est enregistré",
            paragraphs(
                f"Vous avez donné votre accord le {_day(link['givenAt'])} pour que {name} "
                "reçoive les bons plans de CJeune de Provence."
            )
            + post_button(action, "Retirer mon accord", WITHDRAW),
        )
    if link["mayGive"]:
        return french_page(
            f"Votre accord pour {first_name}",
            paragraphs(
                f"Bonjour {link['parentName']}, {name} vous a indiqué comme parent et "
                "souhaite recevoir les bons plans de CJeune de Provence. Comme "
                f"{first_name} a moins de 15 ans, votre accord est nécessaire."
            )
            + _what_it_means(first_name)
            + post_button(action, "Je donne mon accord", GIVE),
        )
    if link["status"] == "WITHDRAWN" and not link["superseded"]:
        withdrawn = _day(link["withdrawnAt"])
        return french_page(
            "Accord retiré",
            paragraphs(
                f"Cet accord a été retiré le {withdrawn} : {name} ne reçoit pas les bons "
                "plans de CJeune de Provence."
                if link["givenAt"]
                else f"Cette demande a été annulée le {withdrawn}."
            ),
        )
    return french_page(
        "Demande expirée",
        paragraphs(
            f"Ce lien n'est plus valable (il l'est {link['validDays']} jours, et seule la "
            f"dernière demande compte). Demandez à {first_name} d'en faire une nouvelle "
            "depuis l'application CJeune."
        ),
    )


def _invalid(message: str) -> HTMLResponse:
    return french_page("Lien non valable", paragraphs(message), status_code=400)


async def _form_action(request: Request) -> str:
    body = await request.body()
    if len(body) > _MAX_FORM_BYTES:
        return ""
    form = await request.form()
    return str(form.get("action", ""))


async def _answer(request: Request, document: str, token: str) -> dict[str, Any]:
    data = await run_operation(request, document, {"token": token})
    return next(iter(data.values()))


async def parental_consent(request: Request) -> HTMLResponse:
    token = request.query_params.get("jeton", "")
    action = escape(f"/consentement-parental?jeton={token}")
    wanted = await _form_action(request) if request.method == "POST" else ""
    if wanted == WITHDRAW:
        link = await _answer(request, REFUSE_CONSENT, token)
        if link["__typename"] == "UserError":
            return _invalid(link["message"])
        if link["status"] == "WITHDRAWN" and link["givenAt"]:
            return french_page(
                "Accord retiré",
                paragraphs(
                    f"Votre accord est retiré : {link['childFirstName']} ne recevra plus les "
                    "bons plans de CJeune de Provence.",
                    "Vous pourrez donner à nouveau votre accord si votre enfant en refait la "
                    "demande depuis l'application.",
                ),
            )
        return _link_page(link, action)
    if wanted != GIVE:
        link = await _answer(request, READ, token)
        if link["__typename"] == "UserError":
            return _invalid(link["message"])
        return _link_page(link, action)
    link = await _answer(request, GIVE_CONSENT, token)
    if link["__typename"] == "UserError":
        return _invalid(link["message"])
    return french_page(
        "Merci, votre accord est enregistré",
        paragraphs(
            f"{link['childFirstName']} pourra recevoir les bons plans de CJeune de Provence, "
            "selon ses choix dans l'application.",
            "Vous pouvez retirer votre accord à tout moment en rouvrant le lien reçu par e-mail.",
        )
        + post_button(action, "Retirer mon accord", WITHDRAW),
    )


parental_consent_routes: list[Route] = [
    Route("/consentement-parental", parental_consent, methods=["GET", "POST"]),
]
