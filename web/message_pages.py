"""The small French pages that routes outside the web space answer with: a link from an
email (the parent's consent, the marketing unsubscribe), an expired download link, `/`.

They use the web space's base layout, stylesheet and security headers
(templates/links/); their handlers stay where they are (server/), `server.link_pages`
keeping its three functions for them. Their forms carry no CSRF token: the signed token
in the URL is what authorises them, and the one-click unsubscribe is posted by mail
clients themselves (RFC 8058), which cannot send one.
"""

from __future__ import annotations

from markupsafe import Markup
from starlette.responses import HTMLResponse

from infra.settings import get_settings
from web.templating import environment, security_headers


def _render(template: str, **values: object) -> str:
    return environment(get_settings()).get_template(template).render(**values)


def message_page(title: str, body: Markup, status_code: int = 200) -> HTMLResponse:
    """A page of the programme with a title and `body`, already-escaped HTML (paragraphs,
    a button)."""
    page = _render("links/message.html", title=title, body=body)
    return HTMLResponse(page, status_code=status_code, headers=security_headers(get_settings()))


def paragraphs(*texts: str) -> Markup:
    return Markup(_render("links/_paragraphs.html", texts=texts))  # noqa: S704 - autoescaped


def post_button(action: str, label: str, value: str = "confirmer") -> Markup:
    button = _render("links/_post_button.html", action=action, label=label, value=value)
    return Markup(button)  # noqa: S704 - rendered by an autoescaping template


def home_page(show_graphiql: bool) -> HTMLResponse:
    """`/`: what the service is, the way into the partner space, GraphiQL in development."""
    page = _render("links/home.html", show_graphiql=show_graphiql)
    return HTMLResponse(page, headers=security_headers(get_settings()))
