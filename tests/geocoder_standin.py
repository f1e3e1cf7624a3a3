"""A local HTTP stand-in of the Base Adresse Nationale's search API, for geopy's real
`BANFrance` client.

It serves, on 127.0.0.1 and a free port, in a thread, `GET /search/?q=…&limit=…` answered in
BAN's GeoJSON format (a FeatureCollection whose features carry `label`, `score`, `postcode`,
`city`, `context`, `type`…). Queries it was told about (`answer`) get their features, any
other an empty collection, as BAN does for an address it does not know; a query shorter than
3 characters gets BAN's 400. `fail_next(status)` makes the next requests fail.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def feature(
    label: str,
    latitude: float,
    longitude: float,
    *,
    postcode: str,
    city: str,
    score: float = 0.95,
    kind: str = "housenumber",
) -> dict[str, Any]:
    """One result as BAN writes it (coordinates are longitude first)."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": {
            "label": label,
            "score": score,
            "id": f"{postcode}_standin",
            "name": label.removesuffix(f" {postcode} {city}"),
            "postcode": postcode,
            "citycode": postcode,
            "city": city,
            "context": f"{postcode[:2]}, département {postcode[:2]}",
            "type": kind,
            "importance": 0.6,
        },
    }


def _key(query: str) -> str:
    return " ".join(query.casefold().split())


class BanStandin:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[str, list[dict[str, Any]]] = {}
        self._failures: list[int] = []
        self.queries: list[dict[str, str]] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.standin = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> BanStandin:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        """For `Settings.geocoder_url` / GEOCODER_URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, query: str, *features: dict[str, Any]) -> None:
        with self._lock:
            self._answers[_key(query)] = list(features)

    def fail_next(self, status: int = 503, times: int = 1) -> None:
        with self._lock:
            self._failures.extend([status] * times)

    def reset(self) -> None:
        with self._lock:
            self._answers.clear()
            self._failures.clear()
            self.queries.clear()

    def _respond(self, path: str) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(path)
        if parts.path.rstrip("/") != "/search":
            return 404, {"code": 404, "message": "Not found"}
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self._lock:
            self.queries.append(params)
            if self._failures:
                return self._failures.pop(0), {"code": 503, "message": "Service indisponible"}
            query = params.get("q", "")
            if not 3 <= len(query.strip()) <= 200:
                return 400, {
                    "code": 400,
                    "detail": ["q: must contain between 3 and 200 chars"],
                    "message": "Failed parsing query",
                }
            limit = int(params.get("limit", "5"))
            features = self._answers.get(_key(query), [])[:limit]
        return 200, {
            "type": "FeatureCollection",
            "version": "draft",
            "features": features,
            "attribution": "BAN",
            "licence": "ETALAB-2.0",
            "query": query,
            "limit": limit,
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: BanStandin


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        status, body = self.server.standin._respond(self.path)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass
