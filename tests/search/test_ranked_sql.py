"""PostgreSQL ranks a text search's candidates in SQL (search/ranked_sql.py): the same rank
as search/text.py `rank_key`, over texts folded as `fold` folds them, and only a page of
rows leaves the database."""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Any

import pytest

from domain.core.errors import DomainError
from domain.core.text import fold
from models import sql
from models.sql import Sql
from search.backend import Near, SearchQuery
from search.database import DatabaseSearch
from search.ranked import RankCursor
from search.ranked_sql import Ranking
from search.text import Rankable, TextQuery, Weights, rank_key
from tests.search.contract import ADULT, VIEUX_PORT, World

pytestmark = [
    pytest.mark.usefixtures("settings"),
    pytest.mark.skipif(
        os.environ.get("CJEUNE_TEST_DATABASE") != "postgres", reason="PostgreSQL's own path"
    ),
]

FRENCH = [
    "L'Été du Théâtre — 2e édition !",
    "Cœur de Provence, Aix-en-Provence",
    "ÉCOLE DE DANSE « Pas à pas »",
    "Piscine Vallier : natation & aquagym",
    "Kayak/Paddle — Calanques (Cassis)",
    "Soutien scolaire : maths, français…",
    "Ça bouge à l’Estaque",
]


@pytest.mark.parametrize("text", FRENCH)
async def test_postgres_folds_french_as_python_does(text: str) -> None:
    [row] = await sql.rows("SELECT cjeune_fold($1) AS folded", text)
    assert row["folded"].split() == fold(text).split()


HITS = [  # title, everything else, km, super, published days ago
    ("concert jazz vieux port", "musique live marseille", 1.2, False, 3),
    ("concerts du mois", "salle marseille", 4.0, True, 0),
    ("atelier danse", "concert de fin d annee marseille", 0.4, False, 10),
    ("conservatoire", "cours de musique aix", 7.5, False, None),
    ("festival", "jazz concertiste aix", 2.2, False, 40),
]


@pytest.mark.parametrize("typed", ["concert", "concerts jazz", "conc", "jazz marseille", "aix"])
@pytest.mark.parametrize("near", [False, True])
async def test_the_sql_rank_is_rank_key(typed: str, near: bool) -> None:
    text, today = TextQuery.of(typed), date(2026, 12, 7)
    weights = Weights(km_per_point=3.0, super_boost=0.7)
    for title, body, km, is_super, days in HITS:
        s = Sql()
        title_words, body_words = s(f" {title} "), s(f"{body} ")
        published = "NULL::timestamptz"
        if days is not None:  # noon, Paris time, `days` days before `today`
            published = (
                f"({s(today)}::date - {s(days)}::int)::timestamp AT TIME ZONE 'Europe/Paris' "
                "+ interval '12 hours'"
            )
        candidate = (
            f"SELECT {title_words}::text AS title_words, {title_words} || {body_words} "
            f"AS all_words, {s(km if near else None)}::float8 AS km, "
            f"{s(is_super)}::bool AS is_super, {published} AS published"
        )
        columns = Ranking(text, weights, today).columns(s, Near(0, 0, 10) if near else None)
        [row] = await s.rows(f"SELECT {columns} FROM ({candidate}) c")
        facts = Rankable(
            title=title,
            body=body,
            distance_km=km if near else None,
            is_super=is_super,
            published_on=None if days is None else today - timedelta(days=days),
        )
        assert (row["r1"], row["r2"]) == pytest.approx(rank_key(text, facts, today, weights))


async def test_only_a_page_of_rows_leaves_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World()
    shop = await world.partner("Boutique")
    for n in range(12):
        await world.offer(f"Stage {n}", shop, published_days_ago=n)
    read: list[int] = []
    original = sql._rows

    async def counting(client: Any, statement: str, values: Any) -> list[dict[str, Any]]:
        rows = await original(client, statement, values)
        read.append(len(rows))
        return rows

    monkeypatch.setattr(sql, "_rows", counting)
    for near in (None, Near(VIEUX_PORT[0], VIEUX_PORT[1], 5)):
        read.clear()
        query = SearchQuery(text=f"{world.word} stage", first=3, near=near)
        page = await DatabaseSearch().search(query, ADULT)

        assert world.names(page.hits) == ["Stage 0", "Stage 1", "Stage 2"]
        assert len(read) == 2  # the corrections, then the ranked page of every kind
        assert read[1] <= 3 * (query.first + 1)  # each kind: a page and one more, at most


async def test_a_text_cursor_with_another_id_is_refused() -> None:
    forged = RankCursor((1.0, 2.0), "not-an-id").encode()

    with pytest.raises(DomainError) as refused:
        await DatabaseSearch().search(SearchQuery(text="stage", after=forged), ADULT)

    assert refused.value.field == "after"
