"""The pages' static files (web/static/), served by the app under content-hashed names.

At start-up every file is read once and named by its content: `css/site.css` is served at
`/assets/css/site.3f2a9c1b7e.css`, with `Cache-Control: public, max-age=31536000, immutable`,
so a browser asks for it once per version and a new deployment changes the name. Templates
write `asset("css/site.css")` to get the current name. A request for a name whose hash is
not the current one (a page of the previous version, during a deployment) still gets the
current file, but not cached. Files are held in memory (a few hundred kilobytes), with a
gzip copy for the text ones.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

STATIC = Path(__file__).parent / "static"
PREFIX = "/assets"
IMMUTABLE = "public, max-age=31536000, immutable"
_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
_COMPRESSIBLE = {".css", ".js", ".svg"}
HASH_LENGTH = 10


@dataclass(frozen=True)
class Asset:
    path: str  # "css/site.css"
    digest: str
    content: bytes
    gzipped: bytes | None
    media_type: str

    @property
    def url(self) -> str:
        stem, dot, extension = self.path.rpartition(".")
        return f"{PREFIX}/{stem}.{self.digest}{dot}{extension}"


class Assets:
    """Every servable file under `root`, by its path relative to it."""

    def __init__(self, root: Path = STATIC) -> None:
        self.files: dict[str, Asset] = {}
        for file in sorted(root.rglob("*")):
            media_type = _TYPES.get(file.suffix)
            if media_type is None or not file.is_file():
                continue  # READMEs and licences stay in the repository
            content = file.read_bytes()
            path = file.relative_to(root).as_posix()
            self.files[path] = Asset(
                path=path,
                digest=hashlib.sha256(content).hexdigest()[:HASH_LENGTH],
                content=content,
                gzipped=gzip.compress(content, 9, mtime=0)
                if file.suffix in _COMPRESSIBLE
                else None,
                media_type=media_type,
            )

    def url(self, path: str) -> str:
        """The hashed URL of `path` (a missing file is a template's bug: KeyError)."""
        return self.files[path].url

    def find(self, requested: str) -> tuple[Asset, bool] | None:
        """The file behind a requested name, and whether the name carries its current hash."""
        stem, dot, extension = requested.rpartition(".")
        base, _, digest = stem.rpartition(".")
        if dot and base:
            asset = self.files.get(f"{base}.{extension}")
            if asset is not None:
                return asset, digest == asset.digest
        asset = self.files.get(requested)
        return (asset, False) if asset is not None else None

    def response(self, request: Request) -> Response:
        found = self.find(request.path_params["path"])
        if found is None:
            return PlainTextResponse("Fichier introuvable.", status_code=404)
        asset, current = found
        headers = {
            "Cache-Control": IMMUTABLE if current else "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Vary": "Accept-Encoding",
        }
        body, etag = asset.content, f'"{asset.digest}"'
        if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            body, etag = asset.gzipped, f'"{asset.digest}-gz"'
            headers["Content-Encoding"] = "gzip"
        headers["ETag"] = etag
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=asset.media_type, headers=headers)

    def routes(self) -> list[Route]:
        async def serve(request: Request) -> Response:
            return self.response(request)

        return [Route(PREFIX + "/{path:path}", serve, methods=["GET", "HEAD"])]
