"""The templates' environment, the static files and the security headers every page gets.

Made once per process and settings: the static files are read and hashed once
(web/assets.py); a Jinja environment compiles each template once.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from infra.settings import Settings
from infra.storage import MEDIA_PATH
from web import formatting
from web.assets import Assets
from web.maps import area_map, pin_map, tile_origin

TEMPLATES = Path(__file__).parent / "templates"
HOTLINE_PHONE = "04 86 68 80 07"  # the guide's number, where settings do not name one
ASSISTANCE_EMAIL = "contact.partenaire@cjeunedeprovence.fr"  # the guide's address, likewise


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
        assistance_email=getattr(settings, "assistance_email", ASSISTANCE_EMAIL),
        young_help_email=settings.young_help_email,
        young_help_phone=settings.young_help_phone,
        public_url=settings.public_url.rstrip("/"),
        is_production=settings.is_production,
        pin_map=lambda lat, lon: pin_map(settings.map_tile_url, lat, lon),
        area_map=lambda lat, lon, places: area_map(settings.map_tile_url, lat, lon, places),
    )
    templates.filters["media"] = lambda url: own_media(settings, url)
    return templates


# A card holder's photo: a signed link the API hands out (domain/cards/card_photos.py).
CARD_PHOTO_PATH = "/photos-carte"


def own_media(settings: Settings, url: str) -> str:
    """An uploaded image's address on this site (the API answers it at PUBLIC_URL, which
    may be another origin than the one the page was opened at)."""
    site = settings.public_url.rstrip("/")
    for path in (MEDIA_PATH, CARD_PHOTO_PATH):
        if url.startswith(f"{site}{path}/"):
            return url[len(site) :]
    return url


def content_security_policy(settings: Settings) -> str:
    # Images: ours, and the uploaded ones (holders' photos) at PUBLIC_URL, which may be
    # another origin than the one the page was opened at (127.0.0.1 or localhost); the
    # map tiles' server, only where one is set.
    tiles = tile_origin(settings.map_tile_url)
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: {settings.public_url}" + (f" {tiles}" if tiles else ""),
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
