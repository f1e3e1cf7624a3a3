"""The map under a pin: tiles from MAP_TILE_URL where it is set (OpenStreetMap's by default
in production), none elsewhere; the CSP lets images come from that tile server only then.
Nothing here fetches a tile."""

from __future__ import annotations

import math
import re

import pytest

from infra.settings import OPENSTREETMAP_TILES, Settings, _map_tile_url
from web.maps import TILE, ZOOM, pin_map, world_pixel
from web.templating import content_security_policy, environment

VIEUX_PORT = (43.2951, 5.3740)
TILES = "https://tuiles.example.test/{z}/{x}/{y}.png"


def test_the_tiles_cover_the_view_and_the_pin_is_at_its_pixel():
    drawn = pin_map(TILES, *VIEUX_PORT)

    assert drawn is not None
    x, y = world_pixel(*VIEUX_PORT)
    assert (drawn.pin_x, drawn.pin_y) == (round(x, 1), round(y, 1))
    tile_x, tile_y = int(x // TILE), int(y // TILE)
    assert f"https://tuiles.example.test/{ZOOM}/{tile_x}/{tile_y}.png" in [
        t.url for t in drawn.tiles
    ]
    left, top, width, height = (float(v) for v in drawn.view_box.split())
    assert left <= x <= left + width and top <= y <= top + height
    for tile in drawn.tiles:  # every tile touches the view
        assert tile.x < left + width and tile.x + TILE > left
        assert tile.y < top + height and tile.y + TILE > top
    # The slippy-map tile numbers (OpenStreetMap's wiki formula) of the Vieux-Port.
    n = 2**ZOOM
    latitude = math.radians(VIEUX_PORT[0])
    expected_y = int((1 - math.asinh(math.tan(latitude)) / math.pi) / 2 * n)
    assert (tile_x, tile_y) == (int((VIEUX_PORT[1] + 180) / 360 * n), expected_y)
    assert (tile_x, tile_y) == (33746, 24007)


def test_without_a_tile_server_there_is_no_map_and_no_foreign_image_source():
    settings = Settings(map_tile_url="")
    assert pin_map("", *VIEUX_PORT) is None
    assert "tuiles" not in content_security_policy(settings)
    macro = environment(settings).get_template("macros/map.html").module.pin  # type: ignore[attr-defined]
    html = str(macro(*VIEUX_PORT, "Vieux-Port", "pin"))
    assert "<svg" not in html and "latitude 43.29510" in html


def test_with_a_tile_server_the_map_is_drawn_and_the_csp_allows_that_host_only():
    settings = Settings(map_tile_url=TILES)
    policy = content_security_policy(settings)
    image_sources = re.search(r"img-src ([^;]+)", policy)
    assert image_sources and "https://tuiles.example.test" in image_sources.group(1).split()
    assert "https://tuiles.example.test" not in policy.replace(image_sources.group(0), "")
    macro = environment(settings).get_template("macros/map.html").module.pin  # type: ignore[attr-defined]
    html = str(macro(*VIEUX_PORT, "Vieux-Port", "pin"))
    assert "<svg" in html and 'aria-label="Carte : Vieux-Port"' in html
    assert html.count("<image ") >= 4 and "tuiles.example.test" in html


@pytest.mark.parametrize(
    ("environment_name", "value", "expected"),
    [
        ("production", None, OPENSTREETMAP_TILES),
        ("development", None, ""),
        ("production", "none", ""),
        ("development", TILES, TILES),
    ],
)
def test_the_setting_defaults_to_openstreetmap_in_production(
    monkeypatch, environment_name, value, expected
):
    monkeypatch.setenv("ENVIRONMENT", environment_name)
    if value is None:
        monkeypatch.delenv("MAP_TILE_URL", raising=False)
    else:
        monkeypatch.setenv("MAP_TILE_URL", value)
    assert _map_tile_url() == expected
