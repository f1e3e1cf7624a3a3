"""The templates' environment, the static files and the security headers every page gets.

Made once per process and settings: the static files are read and hashed once
(web/assets.py); a Jinja environment compiles each template once.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from infra.settings import Settings
from web import formatting
from web.assets import Assets

TEMPLATES = Path(__file__).parent / "templates"
HOTLINE_PHONE = "04 86 68 80 07"  # the guide's number, where settings do not name one


@lru_cache(maxsize=1)
def assets() -> Assets:
    return Assets()


@lru_cache(maxsize=8)
def environment(settings: Settings) -> Environment:
    templates = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates.filters.update(formatting.FILTERS)
    templates.globals.update(
        asset=assets().url,
        hotline_phone=getattr(settings, "hotline_phone", HOTLINE_PHONE),
        is_production=settings.is_production,
    )
    return templates


def content_security_policy(settings: Settings) -> str:
    # Images: ours, and the uploaded ones (holders' photos) at PUBLIC_URL, which may be
    # another origin than the one the page was opened at (127.0.0.1 or localhost).
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: {settings.public_url}",
            "media-src 'self'",  # the camera's video plays from a MediaStream, not a URL
            "connect-src 'self'",  # htmx's requests
            "manifest-src 'self'",  # the till in terminal mode installs as a web app
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(settings: Settings) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        # Links from emails carry their token in the URL: never send it anywhere.
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",  # holders' names, balances, CSRF tokens
        "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "X-Robots-Tag": "noindex",
    }
    if settings.is_production:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers
