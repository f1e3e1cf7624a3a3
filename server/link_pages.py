"""The small French page a person reaches from a link in an email (the marketing
unsubscribe, the parent's consent, an expired statement link) and `/`: drawn by the web
space's templates (web/message_pages.py), in its layout and under its security headers."""

from __future__ import annotations

from markupsafe import Markup
from starlette.responses import HTMLResponse

from web import message_pages


def french_page(title: str, body: Markup, status_code: int = 200) -> HTMLResponse:
    """A small page in the programme's look; `body` is already-escaped HTML."""
    return message_pages.message_page(title, body, status_code)


def post_button(action: str, label: str, value: str = "confirmer") -> Markup:
    """A form posting `action=value` to `action` (the URL, with its token)."""
    return message_pages.post_button(action, label, value)


def paragraphs(*texts: str) -> Markup:
    return message_pages.paragraphs(*texts)
