"""The database search backend: the shared contract, plus what only it promises (the
planar bound it relies on) and the `search` field over GraphQL with the viewer's age."""

from __future__ import annotations

import math
import os
from datetime import date

import pytest
import strawberry

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.errors import DomainError
from domain.core.text import fold
from models.offers import OfferTheme
from resolvers.context import Context
from schema.search import SearchQueries
from search.backend import HitKind, Near, SearchQuery
from search.database import DatabaseSearch, planar_error, planar_km
from tests.factories import young_person
from tests.search.contract import (
    ADULT,
    VIEUX_PORT,
    SearchContract,
    World,
    offset,
    reference_km,
)

pytestmark = pytest.mark.usefixtures("settings")


class TestDatabaseBackend(SearchContract):
    @pytest.fixture
    def backend(self) -> DatabaseSearch:
        return DatabaseSearch()

    @pytest.fixture
    def indexed(self):
        async def nothing_to_index() -> None:
            return None

        return nothing_to_index

    @pytest.fixture
    def relevance_floor(self) -> float:
        """PostgreSQL meets every case; SQLite has no typo tolerance (docs/search.md): it
        misses the 17 cases with a mistyped word and meets the 32 others."""
        return 1.0 if os.environ.get("CJEUNE_TEST_DATABASE") == "postgres" else 32 / 49


class TestDatabaseBackendReadingFewRowsAtATime(TestDatabaseBackend):
    """The same cases when every source reads 3 rows first and grows its reads: the
    planar horizon and the nearest place of an offer read from a distance are exercised."""

    @pytest.fixture
    def backend(self) -> DatabaseSearch:
        return DatabaseSearch(first_read=3)


def test_fold_is_what_search_text_and_queries_share() -> None:
    assert fold("Événement : Théâtre de l'Œuvre, 2ᵉ ÉDITION") == (
        "evenement theatre de l oeuvre 2e edition"
    )


@pytest.mark.parametrize("latitude", [43.15, 43.5, 43.95])
def test_planar_distance_stays_within_its_bound(latitude: float) -> None:
    near = Near(latitude, 5.0, 50)
    epsilon = planar_error(near)
    for bearing in range(0, 360, 15):
        for km in (0.5, 10, 49):
            lat = latitude + km / 111.2 * math.cos(math.radians(bearing))
            lon = 5.0 + km / 111.2 * math.sin(math.radians(bearing)) / math.cos(
                math.radians(latitude)
            )
            ratio = planar_km(near, lat, lon) / reference_km(latitude, 5.0, lat, lon)
            assert 1 - epsilon <= ratio <= 1 + epsilon


SEARCH = """
query Search($query: SearchInput!) {
  search(query: $query) {
    __typename
    ... on SearchPage { hits { kind title theme distanceKm isSuper } nextCursor }
    ... on UserError { code field }
  }
}
"""


async def run(viewer: Viewer, query: dict) -> dict:
    schema = strawberry.Schema(query=SearchQueries)
    result = await schema.execute(
        SEARCH, variable_values={"query": query}, context_value=Context(None, viewer=viewer)
    )
    assert result.errors is None, result.errors
    return result.data["search"]


async def test_search_field_shows_adult_themes_from_the_birth_date() -> None:
    world = World()
    agency = await world.partner("Agence")
    await world.offer("Croisière", agency, theme=OfferTheme.TOURISME, is_super=True)
    await world.offer("Musée", agency, theme=OfferTheme.CULTURE)
    today = clock.paris_today()
    minor = await young_person(date(today.year - 17, 1, 1))
    adult = await young_person(date(today.year - 19, 1, 1))
    query = {"text": world.word, "kinds": ["DEAL"], "near": {
        "latitude": VIEUX_PORT[0], "longitude": VIEUX_PORT[1], "radiusKm": 5
    }}  # fmt: skip

    def titles(answer: dict) -> set[str]:
        return {h["title"].split()[0] for h in answer["hits"]}

    assert titles(await run(Viewer(), query)) == {"Musée"}
    assert titles(await run(Viewer(minor), query)) == {"Musée"}
    answer = await run(Viewer(adult), query)
    assert titles(answer) == {"Croisière", "Musée"}
    cruise = next(h for h in answer["hits"] if h["title"].startswith("Croisière"))
    assert cruise == {
        "kind": "DEAL",
        "title": cruise["title"],
        "theme": "TOURISME",
        "distanceKm": pytest.approx(0.0, abs=1e-6),
        "isSuper": True,
    }


async def test_search_field_gives_distances_to_a_tenth_of_a_km_and_pages_on_exact_ones() -> None:
    world = World()
    for name, at in (("Stage", (1.234, 0.5678)), ("Cours", (1.2345, 0.5679))):
        partner = await world.partner(name)
        await world.offer(name, partner, places=(offset(VIEUX_PORT, *at),))
    query = {"text": world.word, "kinds": ["DEAL"], "first": 1, "near": {
        "latitude": VIEUX_PORT[0], "longitude": VIEUX_PORT[1], "radiusKm": 5
    }}  # fmt: skip

    first = await run(Viewer(), query)
    second = await run(Viewer(), {**query, "after": first["nextCursor"]})

    exact = reference_km(*VIEUX_PORT, *offset(VIEUX_PORT, 1.234, 0.5678))
    assert round(exact, 1) == 1.4 and exact != 1.4
    assert [h["distanceKm"] for h in first["hits"] + second["hits"]] == [1.4, 1.4]
    # The two places are 1.4 km away on a map, a few metres apart: each comes once.
    assert len({h["title"] for h in first["hits"] + second["hits"]}) == 2


async def test_search_field_refuses_a_bad_cursor_or_radius() -> None:
    answer = await run(Viewer(), {"text": "x", "after": "pas-un-curseur"})
    assert answer == {"__typename": "UserError", "code": "INVALID_INPUT", "field": "after"}
    far = {"latitude": 43.3, "longitude": 5.4, "radiusKm": 500}
    answer = await run(Viewer(), {"near": far})
    assert answer["__typename"] == "UserError"
    assert answer["field"] == "near.radiusKm"


async def test_near_ties_keep_the_true_order_across_reads() -> None:
    """East-west and north-south distances weigh slightly differently in the planar order
    (0.4 % here): reading in that order must not let a truly nearer place come late."""
    world = World()
    shop = await world.partner("Boutique", at=None)
    for name, (north, east) in {
        "C": (1, 0), "A1": (0, 10), "A2": (0, 10.001), "B": (9.98, 0), "D": (9.99, 0)
    }.items():  # fmt: skip
        await world.offer(name, shop, places=(offset(VIEUX_PORT, north, east),))
    near = Near(VIEUX_PORT[0], VIEUX_PORT[1], 20)
    backend = DatabaseSearch(first_read=4)

    hits = await SearchContract().all_pages(
        backend, SearchQuery(text=world.word, near=near, first=3)
    )

    assert world.names(hits) == ["C", "B", "D", "A1", "A2"]


# --- text: what the contract leaves to each backend ------------------------------------------

POSTGRES = os.environ.get("CJEUNE_TEST_DATABASE") == "postgres"


async def test_a_search_without_hits_suggests_partner_names_and_communes() -> None:
    world = World()
    renoir = await world.partner("Cinéma Renoir")
    await world.offer("Ciné-club", renoir)
    deals = frozenset({HitKind.DEAL})
    backend = DatabaseSearch()

    mistyped = await backend.search(SearchQuery(text=f"renwar {world.word}", kinds=deals), ADULT)
    commune = await backend.search(SearchQuery(text="zqxw aubagn"), ADULT)
    found = await backend.search(SearchQuery(text=f"cine {world.word}"), ADULT)

    assert mistyped.hits == [] and f"Cinéma Renoir {world.word}" in mistyped.suggestions[:3]
    assert commune.hits == [] and "Aubagne" in commune.suggestions
    assert found.hits and found.suggestions == []


@pytest.mark.skipif(not POSTGRES, reason="typo tolerance and stemming: PostgreSQL only")
async def test_postgres_forgives_typos_and_stems_but_every_word_must_match() -> None:
    world = World()
    pool = await world.partner("Piscine", city="Aubagne")
    await world.offer(
        "Cours de natation", pool, description="Bassins et plongeoirs.", city="Aubagne"
    )
    await world.offer("Aquagym", pool, city="Aubagne", published_days_ago=3)

    async def titles(text: str) -> list[str]:
        page = await DatabaseSearch().search(
            SearchQuery(text=f"{world.word} {text}", kinds=frozenset({HitKind.DEAL})), ADULT
        )
        return world.names(page.hits)

    assert await titles("natatoin") == ["Cours de natation"]
    assert await titles("plongeoir") == ["Cours de natation"]  # "plongeoirs", stemmed
    assert await titles("aubange") == ["Cours de natation", "Aquagym"]
    assert await titles("natatoin cinema") == []


async def test_exact_words_come_before_prefixes_and_typos_and_a_super_deal_is_boosted() -> None:
    world = World()
    shop = await world.partner("Boutique", at=None)
    await world.offer("Danse classique", shop, published_days_ago=30)
    await world.offer("Dansez la salsa", shop, published_days_ago=1)
    await world.offer("Danse moderne", shop, published_days_ago=2)
    await world.offer("Danse africaine", shop, published_days_ago=3, is_super=True)

    page = await DatabaseSearch().search(
        SearchQuery(text=f"{world.word} danse", kinds=frozenset({HitKind.DEAL})), ADULT
    )

    # Exact first (the super deal ahead, then the fresher), then the prefix match.
    assert world.names(page.hits) == [
        "Danse africaine", "Danse moderne", "Danse classique", "Dansez la salsa"
    ]  # fmt: skip


async def test_text_pages_follow_the_rank_and_refuse_another_search_s_cursor() -> None:
    world = World()
    shop = await world.partner("Boutique")
    for n in range(7):
        await world.offer(f"Stage {n}", shop, published_days_ago=n % 3)
    query = SearchQuery(text=f"{world.word} stage", first=2)
    backend = DatabaseSearch()

    everything = (await backend.search(SearchQuery(text=query.text, first=50), ADULT)).hits
    paged = await SearchContract().all_pages(backend, query, ADULT)
    by_distance = await backend.search(
        SearchQuery(near=Near(VIEUX_PORT[0], VIEUX_PORT[1], 5), first=1), ADULT
    )

    assert [h.id for h in paged] == [h.id for h in everything] and len(paged) == 7
    with pytest.raises(DomainError) as refused:
        await backend.search(SearchQuery(text="stage", after=by_distance.next_cursor), ADULT)
    assert refused.value.field == "after"
