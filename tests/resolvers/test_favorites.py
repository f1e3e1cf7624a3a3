"""Favourites and the deals and events of followed partners in the feed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from domain.core import clock
from infra.geocoding import OfflineGeocoder, use_geocoder
from models.accounts import StaffRole
from models.offers import Offer
from tests.factories import staff_member, token_for, young_person
from tests.resolvers.test_offers import birth_date_for, published_deal, publisher_team
from tests.support import GraphQLClient


@pytest.fixture(scope="module", autouse=True)
def offline_geocoder() -> Iterator[None]:
    previous = use_geocoder(OfflineGeocoder())
    yield
    use_geocoder(previous)


@pytest.fixture(scope="module")
async def moderator(app) -> str:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.12", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await token_for(GraphQLClient(http), await staff_member(StaffRole.MODERATION))


SAVE = """mutation($id: ID!) { saveFavorite(offerId: $id) {
  __typename ... on FavoriteSaved { saved offer { id } } ... on UserError { code } } }"""
MINE = "{ myFavorites { offers { id published { title } } } }"
FEED = """{ feed(first: 50) { items { __typename
  ... on FeedOffer { offer { id kind published { title } } } } } }"""


async def test_a_young_person_saves_a_deal_and_only_they_see_the_list(gql, moderator):
    team, publisher = await publisher_team()
    deal = await published_deal(gql, await token_for(gql, publisher), moderator, team.partner.id)
    me = await token_for(gql, await young_person(birth_date_for(14)))

    saved = await gql.post(SAVE, {"id": deal["id"]}, token=me)
    again = await gql.post(SAVE, {"id": deal["id"]}, token=me)
    mine = await gql.post(MINE, token=me)
    by_partner = await gql.post(MINE, token=await token_for(gql, team.principal))

    assert saved["data"]["saveFavorite"] == {
        "__typename": "FavoriteSaved",
        "saved": True,
        "offer": {"id": deal["id"]},
    }
    assert again["data"] == saved["data"]
    assert [o["id"] for o in mine["data"]["myFavorites"]["offers"]] == [deal["id"]]
    assert by_partner["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_adults_only_deal_cannot_be_saved_by_a_minor(gql, moderator):
    team, publisher = await publisher_team()
    deal = await published_deal(
        gql, await token_for(gql, publisher), moderator, team.partner.id, theme="TOURISME"
    )
    minor = await token_for(gql, await young_person(birth_date_for(16)))
    adult = await token_for(gql, await young_person(birth_date_for(19)))

    refused = await gql.post(SAVE, {"id": deal["id"]}, token=minor)
    accepted = await gql.post(SAVE, {"id": deal["id"]}, token=adult)

    assert refused["data"]["saveFavorite"] == {"__typename": "UserError", "code": "NOT_FOUND"}
    assert accepted["data"]["saveFavorite"]["saved"] is True


async def test_an_expired_favourite_drops_out_of_my_list(gql, moderator):
    team, publisher = await publisher_team()
    deal = await published_deal(gql, await token_for(gql, publisher), moderator, team.partner.id)
    me = await token_for(gql, await young_person(birth_date_for(13)))
    await gql.post(SAVE, {"id": deal["id"]}, token=me)

    yesterday = clock.paris_today() - timedelta(days=1)
    await Offer.filter(id=deal["id"]).update(valid_from=yesterday, valid_until=yesterday)

    assert (await gql.post(MINE, token=me))["data"]["myFavorites"]["offers"] == []


async def test_the_feed_shows_new_deals_of_followed_partners_only(gql, moderator):
    followed, other = await publisher_team(), await publisher_team()
    mine = await published_deal(
        gql, await token_for(gql, followed[1]), moderator, followed[0].partner.id
    )
    theirs = await published_deal(
        gql, await token_for(gql, other[1]), moderator, other[0].partner.id
    )
    me = await token_for(gql, await young_person(birth_date_for(15)))
    await gql.post(
        "mutation($p: ID!) { follow(partnerId: $p) { __typename } }",
        {"p": str(followed[0].partner.id)},
        token=me,
    )

    answer = await gql.post(FEED, token=me)
    items = answer["data"]["feed"]["items"]
    offer_ids = {i["offer"]["id"] for i in items if i["__typename"] == "FeedOffer"}
    assert mine["id"] in offer_ids and theirs["id"] not in offer_ids


async def test_a_post_points_to_one_of_the_partners_own_deals(gql, moderator):
    team, publisher = await publisher_team()
    other, _ = await publisher_team()
    token = await token_for(gql, publisher)
    deal = await published_deal(gql, token, moderator, team.partner.id)
    foreign = await published_deal(
        gql, await token_for(gql, other.principal), moderator, other.partner.id
    )
    create = """mutation($p: ID!, $input: PostInput!) { createPost(partnerId: $p, input: $input) {
      __typename ... on PostSuccess { post { offer { id published { title } } } }
      ... on UserError { code field } } }"""

    pointing = await gql.post(
        create,
        {"p": str(team.partner.id), "input": {"body": "Vu ?", "offerId": deal["id"]}},
        token=token,
    )
    stolen = await gql.post(
        create,
        {"p": str(team.partner.id), "input": {"body": "Hop", "offerId": foreign["id"]}},
        token=token,
    )

    assert pointing["data"]["createPost"]["post"]["offer"] == {
        "id": deal["id"],
        "published": {"title": deal["published"]["title"]},
    }
    assert stolen["data"]["createPost"] == {
        "__typename": "UserError",
        "code": "INVALID_INPUT",
        "field": "offerId",
    }
