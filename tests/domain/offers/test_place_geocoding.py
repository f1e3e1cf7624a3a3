"""Places are on the map at once (their commune's centre), then refined to the address by a
job that asks the address base (the real geopy client against a local BAN stand-in)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from domain.accounts.sessions import load_viewer, login
from domain.core import clock
from domain.offers.editing import OfferChanges, PlaceInput, create_offer
from domain.offers.place_geocoding import refine_offer_places
from infra.geocoding import BanGeocoder, GeocoderUnavailable, use_geocoder
from infra.settings import use_settings
from models.accounts import AuthSession
from models.offers import DealType, OfferKind, OfferRevision, OfferTheme
from tests.factories import PASSWORD, partner_team
from tests.geocoder_standin import BanStandin, feature
from tests.support import jobs_done

CANEBIERE = feature(
    "12 La Canebière 13001 Marseille", 43.29748, 5.37795, postcode="13001", city="Marseille"
)


@pytest.fixture(scope="module")
def ban() -> Iterator[BanStandin]:
    standin = BanStandin().start()
    yield standin
    standin.stop()


@pytest.fixture
def ban_geocoding(app, settings, ban) -> Iterator[BanStandin]:
    """`app` configures the in-process job broker, as the API process does."""
    ban.reset()
    use_settings(replace(settings, geocoder="ban", geocoder_url=ban.url))
    previous = use_geocoder(BanGeocoder(ban.url))
    yield ban
    use_geocoder(previous)
    use_settings(settings)


async def _deal(street: str = "12 La Canebière") -> OfferRevision:
    team = await partner_team()
    await login(team.principal.email, PASSWORD, "192.0.2.9", "tests")
    session = await AuthSession.filter(user_id=team.principal.id).first()
    viewer = await load_viewer(team.principal.id, session.id, "192.0.2.9")  # as in a request
    today = clock.paris_today()
    offer = await create_offer(
        viewer,
        team.partner.id,
        OfferKind.DEAL,
        OfferChanges(
            title="Place à 5 €",
            description="Une séance",
            theme=OfferTheme.CULTURE,
            deal_type=DealType.GOODIES,
            valid_from=today,
            valid_until=today + timedelta(days=5),
            places=[PlaceInput(street, "13001", "Marseille")],
        ),
    )
    return await OfferRevision.get(id=offer.working_revision_id)


async def test_a_place_is_at_its_commune_at_once_and_at_its_address_after_the_job(ban_geocoding):
    ban_geocoding.answer("12 La Canebière 13001 Marseille", CANEBIERE)

    revision = await _deal()
    (at_once,) = revision.places
    await jobs_done()  # the job kicked after the commit, in-process here
    (refined,) = (await OfferRevision.get(id=revision.id)).places

    assert at_once["precision"] == "commune"
    assert (refined["latitude"], refined["longitude"], refined["precision"]) == (
        43.29748,
        5.37795,
        "address",
    )


async def test_an_address_the_base_does_not_know_stays_at_its_commune(ban_geocoding):
    revision = await _deal("999 Rue Imaginaire")
    await jobs_done()

    assert await refine_offer_places(revision.id) == 0
    (place,) = (await OfferRevision.get(id=revision.id)).places
    assert place["precision"] == "commune"


async def test_a_base_that_does_not_answer_fails_the_job_so_it_is_retried(ban_geocoding):
    revision = await _deal()
    await jobs_done()
    ban_geocoding.reset()
    ban_geocoding.fail_next(status=503, times=5)
    await OfferRevision.filter(id=revision.id).update(places=revision.places)

    with pytest.raises(GeocoderUnavailable):
        await refine_offer_places(revision.id)
    assert (await OfferRevision.get(id=revision.id)).places[0]["precision"] == "commune"


async def test_the_api_tells_a_place_at_its_address_from_one_at_its_commune(ban_geocoding):
    from schema.offers import OfferPlace

    ban_geocoding.answer("12 La Canebière 13001 Marseille", CANEBIERE)
    revision = await _deal()
    (at_once,) = revision.places
    await jobs_done()
    (refined,) = (await OfferRevision.get(id=revision.id)).places

    assert OfferPlace.from_json(at_once).at_address is False
    assert OfferPlace.from_json(refined).at_address is True
