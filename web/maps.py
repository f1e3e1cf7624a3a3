"""A pin on a map, drawn without JavaScript: an inline SVG places the tile server's
256-pixel tiles around the point (Web Mercator, as OpenStreetMap serves them) and draws
the pin at its exact pixel. Only where a tile server is set (`MAP_TILE_URL`); the
address and the coordinates are always written next to it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

TILE = 256
ZOOM = 16
VIEW_WIDTH, VIEW_HEIGHT = 640, 360


@dataclass(frozen=True)
class Tile:
    x: int  # the tile's top-left corner, in world pixels at ZOOM
    y: int
    url: str


@dataclass(frozen=True)
class PinMap:
    tiles: list[Tile]
    pin_x: float
    pin_y: float
    view_box: str
    attribution: str


def world_pixel(latitude: float, longitude: float, zoom: int = ZOOM) -> tuple[float, float]:
    scale = TILE * 2**zoom
    x = (longitude + 180.0) / 360.0 * scale
    sin = math.sin(math.radians(latitude))
    y = (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * scale
    return x, y


def pin_map(tile_url: str, latitude: float, longitude: float) -> PinMap | None:
    """The tiles covering a VIEW_WIDTH x VIEW_HEIGHT window centred on the point."""
    if not tile_url:
        return None
    x, y = world_pixel(latitude, longitude)
    left, top = x - VIEW_WIDTH / 2, y - VIEW_HEIGHT / 2
    first_x, last_x = int(left // TILE), int((left + VIEW_WIDTH) // TILE)
    first_y, last_y = int(top // TILE), int((top + VIEW_HEIGHT) // TILE)
    tiles = [
        Tile(tx * TILE, ty * TILE, tile_url.format(z=ZOOM, x=tx, y=ty))
        for ty in range(first_y, last_y + 1)
        for tx in range(first_x, last_x + 1)
    ]
    return PinMap(
        tiles=tiles,
        pin_x=round(x, 1),
        pin_y=round(y, 1),
        view_box=f"{left:.1f} {top:.1f} {VIEW_WIDTH} {VIEW_HEIGHT}",
        attribution="© les contributeurs d'OpenStreetMap"
        if "openstreetmap" in tile_url
        else "Fond de carte : " + (urlsplit(tile_url).hostname or ""),
    )


def tile_origin(tile_url: str) -> str:
    """The scheme and host the CSP must let images come from ("" without a tile server)."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url)
    return f"{parts.scheme}://{parts.netloc}"


AREA_ZOOM = 12  # about 15 km across a 640-pixel map: a commune and its neighbours


@dataclass(frozen=True)
class AreaPin:
    number: int  # the same number as the place's in the list beside the map
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class AreaMap:
    tiles: list[Tile]
    pins: list[AreaPin]
    view_box: str
    attribution: str


def area_map(
    tile_url: str,
    latitude: float,
    longitude: float,
    places: list[tuple[str, float, float]],
    zoom: int = AREA_ZOOM,
) -> AreaMap | None:
    """Numbered pins for `places` (label, latitude, longitude) around a centre; the places
    outside the window are left to the list."""
    if not tile_url:
        return None
    x, y = world_pixel(latitude, longitude, zoom)
    left, top = x - VIEW_WIDTH / 2, y - VIEW_HEIGHT / 2
    first_x, last_x = int(left // TILE), int((left + VIEW_WIDTH) // TILE)
    first_y, last_y = int(top // TILE), int((top + VIEW_HEIGHT) // TILE)
    tiles = [
        Tile(tx * TILE, ty * TILE, tile_url.format(z=zoom, x=tx, y=ty))
        for ty in range(first_y, last_y + 1)
        for tx in range(first_x, last_x + 1)
    ]
    pins = []
    for number, (label, lat, lon) in enumerate(places, start=1):
        px, py = world_pixel(lat, lon, zoom)
        if left <= px <= left + VIEW_WIDTH and top <= py <= top + VIEW_HEIGHT:
            pins.append(AreaPin(number, round(px, 1), round(py, 1), label))
    return AreaMap(
        tiles=tiles,
        pins=pins,
        view_box=f"{left:.1f} {top:.1f} {VIEW_WIDTH} {VIEW_HEIGHT}",
        attribution=_attribution(tile_url),
    )


def _attribution(tile_url: str) -> str:
    if "openstreetmap" in tile_url:
        return "© les contributeurs d'OpenStreetMap"
    return "Fond de carte : " + (urlsplit(tile_url).hostname or "")
