"""GET /media/{key}: the uploaded files, from the storage, cacheable for a year.

A key is never reused for other content (infra/storage.py), so the answer is immutable.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from infra.storage import (
    MEDIA_PATH,
    StoredFileNotFound,
    content_type_of,
    get_storage,
    is_public_key,
)

CACHE_FOREVER = "public, max-age=31536000, immutable"


async def serve_media(request: Request) -> Response:
    key = request.path_params["key"]
    try:
        if not is_public_key(key):  # a card holder's photo: only through its signed link
            raise StoredFileNotFound(key)
        data = await get_storage().read(key)
    except StoredFileNotFound:
        return PlainTextResponse(
            "Fichier introuvable.", status_code=404, headers={"Cache-Control": "no-store"}
        )
    return Response(
        data,
        media_type=content_type_of(key),
        headers={
            "Cache-Control": CACHE_FOREVER,
            "X-Content-Type-Options": "nosniff",
            # An image opened directly runs nothing and is framed by nobody.
            "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        },
    )


media_routes: list[Route] = [
    Route(f"{MEDIA_PATH}/{{key:path}}", serve_media, methods=["GET", "HEAD"]),
]
