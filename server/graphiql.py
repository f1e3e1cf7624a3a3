"""GraphiQL (development only), served with its assets by the app itself.

strawberry's own page loads React and GraphiQL from unpkg.com: blank without the internet,
and every developer's visit told to a third party. This page loads the same files, pinned,
from server/static/graphiql/ (see its README.md), under a Content-Security-Policy that
allows nothing but this origin (and the fonts and icons GraphiQL's stylesheet inlines as
data: URIs).
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "static" / "graphiql"
ASSETS_PATH = "/static/graphiql"
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",  # the fetches and the graphql-transport-ws WebSocket
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)


def graphiql_page() -> HTMLResponse:
    return HTMLResponse(
        (ASSETS / "graphiql.html").read_text(encoding="utf-8"),
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        },
    )


graphiql_routes = [Mount(ASSETS_PATH, StaticFiles(directory=ASSETS), name="graphiql")]
