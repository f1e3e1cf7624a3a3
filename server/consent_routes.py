"""The parent's page: GET /consentement-parental?jeton=… describes what they agree to,
with a button; POST gives the consent (action=donner) or withdraws it (action=retirer).

A GET never changes anything; a second POST changes nothing either.
"""

from __future__ import annotations

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from domain.consent.parental import (
    LINK_VALID_DAYS,
    ConsentLink,
    ConsentStatus,
    give_consent,
    open_link,
    withdraw_with_link,
)
from domain.core import clock
from domain.core.errors import DomainError
from server.link_pages import french_page, paragraphs, post_button

GIVE, WITHDRAW = "donner", "retirer"
_MAX_FORM_BYTES = 1024


def _day(instant) -> str:
    return instant.astimezone(clock.PARIS).strftime("%d/%m/%Y")


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


def _link_page(link: ConsentLink, action: Markup) -> HTMLResponse:
    young = link.young_person
    name = f"{young.first_name} {young.last_name}"
    if link.status == ConsentStatus.GIVEN:
        return french_page(
            "Votre accord est enregistré",
            paragraphs(
                f"Vous avez donné votre accord le {_day(link.consent.given_at)} pour que {name} "
                "reçoive les bons plans de CJeune de Provence."
            )
            + post_button(action, "Retirer mon accord", WITHDRAW),
        )
    if link.may_give:
        return french_page(
            f"Votre accord pour {young.first_name}",
            paragraphs(
                f"Bonjour {link.consent.parent_name}, {name} vous a indiqué comme parent et "
                "souhaite recevoir les bons plans de CJeune de Provence. Comme "
                f"{young.first_name} a moins de 15 ans, votre accord est nécessaire."
            )
            + _what_it_means(young.first_name)
            + post_button(action, "Je donne mon accord", GIVE),
        )
    if link.status == ConsentStatus.WITHDRAWN and not link.superseded:
        withdrawn = link.consent.withdrawn_at
        return french_page(
            "Accord retiré",
            paragraphs(
                f"Cet accord a été retiré le {_day(withdrawn)} : {name} ne reçoit pas les bons "
                "plans de CJeune de Provence."
                if link.consent.given_at
                else f"Cette demande a été annulée le {_day(withdrawn)}."
            ),
        )
    return french_page(
        "Demande expirée",
        paragraphs(
            f"Ce lien n'est plus valable (il l'est {LINK_VALID_DAYS} jours, et seule la "
            f"dernière demande compte). Demandez à {young.first_name} d'en faire une nouvelle "
            "depuis l'application CJeune."
        ),
    )


def _invalid(error: DomainError) -> HTMLResponse:
    return french_page("Lien non valable", paragraphs(error.message), status_code=400)


async def _form_action(request: Request) -> str:
    body = await request.body()
    if len(body) > _MAX_FORM_BYTES:
        return ""
    form = await request.form()
    return str(form.get("action", ""))


async def parental_consent(request: Request) -> HTMLResponse:
    token = request.query_params.get("jeton", "")
    action = escape(f"/consentement-parental?jeton={token}")
    try:
        if request.method != "POST":
            return _link_page(await open_link(token), action)
        wanted = await _form_action(request)
        if wanted == WITHDRAW:
            consent, _ = await withdraw_with_link(token)
            link = await open_link(token)
            if consent.withdrawn_at is not None:
                return french_page(
                    "Accord retiré",
                    paragraphs(
                        f"Votre accord est retiré : {link.young_person.first_name} ne recevra "
                        "plus les bons plans de CJeune de Provence.",
                        "Vous pourrez donner à nouveau votre accord si votre enfant en refait "
                        "la demande depuis l'application.",
                    ),
                )
            return _link_page(link, action)
        if wanted != GIVE:
            return _link_page(await open_link(token), action)
        consent, _ = await give_consent(token)
        link = await open_link(token)
        return french_page(
            "Merci, votre accord est enregistré",
            paragraphs(
                f"{link.young_person.first_name} pourra recevoir les bons plans de CJeune de "
                "Provence, selon ses choix dans l'application.",
                "Vous pouvez retirer votre accord à tout moment en rouvrant le lien reçu par "
                "e-mail.",
            )
            + post_button(action, "Retirer mon accord", WITHDRAW),
        )
    except DomainError as error:
        return _invalid(error)


parental_consent_routes: list[Route] = [
    Route("/consentement-parental", parental_consent, methods=["GET", "POST"]),
]
