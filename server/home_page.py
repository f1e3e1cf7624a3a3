"""`/`: what this service is, until the web space takes the address over."""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from infra.settings import Settings
from server.link_pages import french_page, paragraphs

_ABOUT = (
    "Ce service est l'API GraphQL de la carte CJeune, la carte des 11-25 ans du Département "
    "des Bouches-du-Rhône : les jeunes et leur carte, les partenaires qui l'acceptent, les "
    "agents du Département.",
    "Les applications de la carte l'interrogent à l'adresse /graphql ; il n'y a pas de page "
    "à consulter ici.",
)
_GRAPHIQL = Markup(
    '<p>En développement : <a href="/graphql" style="color:#e30613;font-weight:bold">'
    "explorer l'API avec GraphiQL</a>.</p>"
)


def home_routes(settings: Settings) -> list[Route]:
    body = paragraphs(*_ABOUT)
    if not settings.is_production:  # GraphiQL is off in production
        body += _GRAPHIQL

    async def home(request: Request) -> HTMLResponse:
        return french_page("API de la carte CJeune", body)

    return [Route("/", home, methods=["GET"])]
