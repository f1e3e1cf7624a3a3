"""`/`: what this service is, and the way into the partner space (web/message_pages.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from infra.settings import Settings
from web.message_pages import home_page


def home_routes(settings: Settings) -> list[Route]:
    show_graphiql = not settings.is_production  # GraphiQL is off in production

    async def home(request: Request) -> HTMLResponse:
        return home_page(show_graphiql)

    return [Route("/", home, methods=["GET"])]
