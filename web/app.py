"""The web space's routes, made once per app (server/app.py mounts them)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from strawberry import Schema

from infra.settings import Settings
from web.account import account_routes
from web.backoffice import backoffice_routes
from web.directory import directory_routes
from web.pages import Visit, Web
from web.partners import partner_routes
from web.young import young_routes


async def accessibility(visit: Visit) -> Response:
    return visit.render("site/accessibility.html")


async def not_found(visit: Visit) -> Response:
    return visit.render("errors/not_found.html", status=404)


def web_routes(settings: Settings, schema: Schema) -> list[BaseRoute]:
    web = Web(settings, schema)
    return [
        *web.assets.routes(),
        Route("/accessibilite", web.page(accessibility), methods=["GET"]),
        *account_routes(web),
        *partner_routes(web),
        *young_routes(web),
        *directory_routes(web),
        *backoffice_routes(web),
        # Last of the app's routes: any other address gets the French page, not a bare 404.
        Route("/{rest:path}", web.page(not_found), methods=["GET", "HEAD"]),
    ]
