"""Geocoding through geopy's real BANFrance client against a local BAN stand-in, and the
offline table of the département's communes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from infra.geocoding import (
    COMMUNES,
    AddressNotFound,
    BanGeocoder,
    GeocoderUnavailable,
    OfflineGeocoder,
    geocoder_for,
    in_departement,
)
from infra.settings import ImproperlyConfigured, Settings
from tests.geocoder_standin import BanStandin, feature
from tests.support import free_port

CANEBIERE = feature(
    "12 La Canebière 13001 Marseille", 43.29748, 5.37795, postcode="13001", city="Marseille"
)


@pytest.fixture(scope="module")
def ban() -> Iterator[BanStandin]:
    standin = BanStandin().start()
    yield standin
    standin.stop()


@pytest.fixture(autouse=True)
def _fresh(ban: BanStandin) -> None:
    ban.reset()


async def test_an_address_of_the_departement_is_located(ban):
    ban.answer("12 La Canebière 13001 Marseille", CANEBIERE)

    point = await BanGeocoder(ban.url).geocode("12 La Canebière", "13001", "Marseille")

    assert (point.latitude, point.longitude) == (43.29748, 5.37795)
    assert point.label == "12 La Canebière 13001 Marseille"
    assert point.score == 0.95
    assert ban.queries == [{"q": "12 La Canebière 13001 Marseille", "limit": "5"}]


async def test_the_first_answer_inside_the_departement_is_kept(ban):
    avignon = feature(
        "12 Rue de la République 84000 Avignon", 43.9464, 4.8062, postcode="84000", city="Avignon"
    )
    arles = feature(
        "12 Rue de la République 13200 Arles", 43.6774, 4.6290, postcode="13200", city="Arles"
    )
    ban.answer("12 Rue de la République 13200 Arles", avignon, arles)

    point = await BanGeocoder(ban.url).geocode("12 Rue de la République", "13200", "Arles")

    assert point.label == "12 Rue de la République 13200 Arles"


@pytest.mark.parametrize(
    "answers",
    [
        [],  # unknown to BAN
        [feature("Rue des Papes 84000 Avignon", 43.95, 4.81, postcode="84000", city="Avignon")],
        [CANEBIERE | {"properties": CANEBIERE["properties"] | {"score": 0.31}}],  # a guess
    ],
    ids=["unknown", "outside-13", "low-score"],
)
async def test_an_address_not_found_in_the_departement_is_refused(ban, answers):
    ban.answer("3 Rue des Papes 13001 Marseille", *answers)

    with pytest.raises(AddressNotFound) as refused:
        await BanGeocoder(ban.url).geocode("3 Rue des Papes", "13001", "Marseille")

    assert "vérifiez le numéro, la rue, le code postal et la commune" in refused.value.message


async def test_a_failing_service_is_reported_as_unavailable(ban):
    ban.fail_next(503)

    with pytest.raises(GeocoderUnavailable) as unavailable:
        await BanGeocoder(ban.url).geocode("12 La Canebière", "13001", "Marseille")

    assert "ne répond pas" in unavailable.value.message


async def test_a_service_that_is_down_is_reported_as_unavailable():
    nothing_listens = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(GeocoderUnavailable):
        await BanGeocoder(nothing_listens).geocode("12 La Canebière", "13001", "Marseille")


async def test_offline_the_commune_centre_is_used():
    geocoder = OfflineGeocoder()

    marseille = await geocoder.geocode("12 La Canebière", "13001", "Marseille")
    tholonet = await geocoder.geocode("Route Cézanne", "13100", "Le Tholonet")
    aix = await geocoder.geocode("Cours Mirabeau", "13100", "Aix en Provence")

    assert marseille.label == "13001 Marseille 1er"
    assert tholonet.label == "13100 Le Tholonet"
    assert aix.label == "13100 Aix-en-Provence"
    assert await geocoder.geocode("1 Rue Inconnue", "13999", "Nulle-part") is None


def test_the_offline_table_has_every_commune_and_arrondissement():
    names = {name for communes in COMMUNES.values() for name, _, _ in communes}
    assert len(names) == 119 - 1 + 16  # Marseille counted by its 16 arrondissements
    assert {"Marseille 1er", "Marseille 16e", "Les Baux-de-Provence", "Arles"} <= names
    assert len(COMMUNES["13100"]) > 1 and COMMUNES["13100"][0][0] == "Aix-en-Provence"


def test_every_offline_commune_is_inside_the_departement():
    for postal_code, communes in COMMUNES.items():
        assert postal_code.startswith("13")
        for name, latitude, longitude in communes:
            assert in_departement(latitude, longitude), name


def test_the_setting_chooses_the_geocoder():
    ban = geocoder_for(Settings(geocoder="ban", geocoder_url="http://127.0.0.1:8123"))

    assert isinstance(ban, BanGeocoder)
    assert (ban.scheme, ban.domain) == ("http", "127.0.0.1:8123")
    assert isinstance(geocoder_for(Settings()), OfflineGeocoder)
    with pytest.raises(ImproperlyConfigured):
        replace(Settings(), geocoder="google").check()
