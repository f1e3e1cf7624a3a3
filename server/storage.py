"""Where uploaded files live: a storage interface whose default writes to a local folder.

Keys are opaque relative paths (e.g. "images/ab/<uuid>-medium.webp"); `public_url(key)` is the
address the apps load them from.
"""

from __future__ import annotations

from server.settings import get_settings

MEDIA_PATH = "/media"


def public_url(key: str) -> str:
    return f"{get_settings().public_url}{MEDIA_PATH}/{key}"
