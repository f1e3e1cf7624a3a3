"""A text search's page on PostgreSQL: the candidates ranked and cut in one statement.

Each kind's candidates are read as search/ranked.py describes (at most `SEARCH_CANDIDATES`
rows holding every word; the places nearest first with a position or a map box). The same
statement then gives each candidate the rank of `search/text.py` `rank_key` (tier,
relevance with the distance, freshness, the super boost) and keeps, per kind, only the rows
after the cursor that can be on the page (`first + 1`): Python shapes at most that many
hits instead of folding and scoring every candidate (about 6 ms of a worker's CPU for 100
to 200 candidates). An offer without a position is given its place after the cut.

The words are looked for (`strpos`) in folded texts padded with spaces: a word of the hit
is `' word '`, the start of one `' word'`. `search_text` is folded by Python
(`domain.core.text.fold`) when written; titles and partners' names, communes and
descriptions are folded by PostgreSQL into stored generated columns (migration 0043:
`cjeune_fold`, which agrees with `fold` on French text and may differ on other scripts and
symbols: `fold` drops a character `unaccent` does not know, `cjeune_fold` makes it a space).

Partners filtered by category, accessibility or opening hours are filtered in Python
(`_Partners.kept`): their kind keeps every ranked candidate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from models.partners import PartnerStatus
from models.sql import Sql
from search.backend import (
    EARTH_RADIUS_KM,
    Audience,
    BoundingBox,
    HitKind,
    Near,
    SearchHit,
    SearchQuery,
)
from search.database import (
    _HIT_KINDS,
    _json,
    _number,
    _OfferSource,
    _PartnerSource,
    _planar,
    _ServiceSource,
    _within,
)
from search.text import NEVER_PUBLISHED, TIER_SPAN, TextQuery, Weights, singular

if TYPE_CHECKING:
    from search.ranked import Matcher, RankCursor

# The columns every kind's ranked rows have, in this order (the branches are UNION ALL'ed).
COLUMNS = (
    "kind, id, title, subtitle, theme, is_super, latitude, longitude, km, r1, r2, "
    "categories, accessibility, weekly_hours"
)


def _km(near: Near | None, latitude: str, longitude: str) -> str:
    """search/backend.py `haversine_km` from the query's point, in SQL."""
    if near is None:
        return "NULL::float8"
    phi1 = _number(near.latitude)
    cos_phi1 = _number(math.cos(math.radians(near.latitude)))
    lon1 = _number(near.longitude)
    h = (
        f"sin((radians({latitude}) - radians({phi1})) / 2) ^ 2 + {cos_phi1} * "
        f"cos(radians({latitude})) * sin(radians({longitude} - {lon1}) / 2) ^ 2"
    )
    return f"(2 * {EARTH_RADIUS_KM!r} * asin(least(1.0::float8, sqrt({h}))))"


class Ranking:
    """`search/text.py` `rank_key` as SQL over a candidate's padded words."""

    def __init__(self, text: TextQuery, weights: Weights, today: date) -> None:
        self.text, self.weights, self.today = text, weights, today

    def _found(self, sql: Sql, column: str, word: str) -> tuple[str, str]:
        """(a word of the column is the word or another number of it, a word starts it).
        `strpos` finds a fixed string in half the time of LIKE '%…%'."""
        bare = singular(word)
        exact = " OR ".join(
            f"strpos({column}, {sql(f' {form} ')}) > 0" for form in (bare, f"{bare}s", f"{bare}x")
        )
        return f"({exact})", f"strpos({column}, {sql(f' {word}')}) > 0"

    def columns(self, sql: Sql, near: Near | None) -> str:
        """`r1` (tier and relevance) and `r2` (age in days) of a row of `c`, which has
        `title_words`, `all_words`, `km`, `is_super` and `published`."""
        tiers, in_title = [], []
        for word in self.text.words:
            exact, prefix = self._found(sql, "c.all_words", word)
            tiers.append(f"CASE WHEN {exact} THEN 0 WHEN {prefix} THEN 1 ELSE 2 END")
            exact, prefix = self._found(sql, "c.title_words", word)
            in_title.append(f"CASE WHEN {exact} OR {prefix} THEN 1 ELSE 0 END")
        count = len(self.text.words)
        weights = self.weights
        points = (
            f"(({' + '.join(in_title)})::float8 / {count} + "
            f"{weights.super_boost!r}::float8 * c.is_super::int)"
        )
        relevance = f"c.km - {weights.km_per_point!r}::float8 * {points}" if near else f"-{points}"
        r1 = f"GREATEST({', '.join(tiers)}) * {TIER_SPAN!r}::float8 + ({relevance})"
        published_day = "(c.published AT TIME ZONE 'Europe/Paris')::date"
        # (GREATEST ignores a NULL: the CASE gives partners and services their age.)
        r2 = (
            f"CASE WHEN c.published IS NULL THEN {NEVER_PUBLISHED!r}::float8 "
            f"ELSE GREATEST({sql(self.today)}::date - {published_day}, 0)::float8 END"
        )
        return f"{r1} AS r1, {r2} AS r2"


def _ranked(
    sql: Sql,
    candidates: str,
    ranking: Ranking,
    near: Near | None,
    after: RankCursor | None,
    limit: str,
    nearest_place_each: bool = False,
) -> str:
    """The candidates ranked, within the radius, after the cursor, the first `limit` (a
    placeholder)."""
    source = f"({candidates}) c"
    if nearest_place_each:  # an offer's places: the nearest (or the first read) only
        source = (
            f"(SELECT DISTINCT ON (c.id) c.* FROM {source} "  # noqa: S608 (constants)
            "ORDER BY c.id, c.km, c.place_id) c"
        )
    where = []
    if near is not None:
        where.append(f"r.km <= {sql(float(near.radius_km))}")
    if after is not None:
        first, second = after.rank
        where.append(
            f"(r.r1, r.r2, r.id) > ({sql(first)}::float8, {sql(second)}::float8, "
            f"{sql(UUID(after.id))}::uuid)"
        )
    return (
        f"SELECT * FROM (SELECT c.*, {ranking.columns(sql, near)} FROM {source}) r "  # noqa: S608
        f"{'WHERE ' + ' AND '.join(where) if where else ''} "
        f"ORDER BY r.r1, r.r2, r.id LIMIT {limit}"
    )


NO_PARTNER_COLUMNS = (
    "NULL::jsonb AS categories, NULL::jsonb AS accessibility, NULL::jsonb AS weekly_hours"
)


class _Words:
    """A source whose words are matched by the Matcher, not by its own LIKE filters."""

    def __init__(self, query: SearchQuery, audience: Audience, kinds: frozenset[HitKind]) -> None:
        super().__init__(query, audience, kinds, None)  # type: ignore[call-arg]
        self.words: list[str] = []


class _Offers(_Words, _OfferSource):
    def branch(self, sql: Sql, matcher: Matcher, ranking: Ranking, page: Page) -> str:
        box, near = self.box(), self.query.near
        title_words = "o.title_words || p.name_words"
        columns = (
            "o.kind AS kind, o.id, o.title, p.trade_name AS subtitle, o.theme, o.is_super, "
            f"o.first_published_at AS published, {title_words} AS title_words, "
            f"{title_words} || o.search_text || ' ' AS all_words, {NO_PARTNER_COLUMNS}"
        )
        tables = "offers o JOIN partners p ON p.id = o.partner_id"
        if box is None:
            # As typed first, then through a correction; unsorted (search/ranked.py).
            as_typed = matcher.condition(sql, "o.search_vector", "", with_corrections=False)
            stages = [as_typed]
            if matcher.corrected():
                corrected = matcher.condition(sql, "o.search_vector", "")
                stages.append(f"{corrected} AND NOT {as_typed}")
            limit = sql(page.candidates)
            selects = [
                f"(SELECT {columns}, NULL::float8 AS km FROM {tables} "  # noqa: S608
                f"WHERE {' AND '.join([*self.conditions(sql), stage])} LIMIT {limit})"
                for stage in stages
            ]
            candidates = selects[0][1:-1]
            if len(selects) > 1:
                candidates = f"{' UNION ALL '.join(selects)} LIMIT {limit}"
            ranked = _ranked(sql, candidates, ranking, None, page.after, sql(page.need))
            # Only the page's offers are given a place: their first.
            return (
                "SELECT t.kind, t.id, t.title, t.subtitle, t.theme, t.is_super, "  # noqa: S608
                "pl.latitude, pl.longitude, t.km, t.r1, t.r2, t.categories, t.accessibility, "
                f"t.weekly_hours FROM ({ranked}) t LEFT JOIN LATERAL (SELECT latitude, longitude "
                "FROM offer_locations WHERE offer_id = t.id ORDER BY id LIMIT 1) pl ON true"
            )
        where = [
            *self.conditions(sql),
            matcher.condition(sql, "l.search_vector", ""),
            _within("l.latitude", "l.longitude", box),
        ]
        order = _planar(sql, "l.latitude", "l.longitude", near) if near else "l.id"
        candidates = (
            f"SELECT {columns}, l.id AS place_id, l.latitude, l.longitude, "  # noqa: S608
            f"{_km(near, 'l.latitude', 'l.longitude')} AS km "
            "FROM offer_locations l JOIN offers o ON o.id = l.offer_id "
            f"JOIN partners p ON p.id = o.partner_id WHERE {' AND '.join(where)} "
            # An offer's places come one row each; most offers have one (1.25 on average in
            # the benchmark): about SEARCH_CANDIDATES offers. (Until 2026-12-07: twice that
            # many places, each costing the join and the rank.)
            f"ORDER BY {order} LIMIT {sql(page.candidates + page.candidates // 4)}"
        )
        return _ranked(
            sql, candidates, ranking, near, page.after, sql(page.need), nearest_place_each=True
        )


def _placed(
    sql: Sql,
    matcher: Matcher,
    where: list[str],
    box: BoundingBox | None,
    near: Near | None,
    table: str,
    key: str,
) -> str:
    """Adds to `where` the words' condition on `table`'s search vector and the map box, if
    any; returns the candidates' order: nearest first with a position, else best words
    first (then `key`, so that the order is total)."""
    where.append(matcher.condition(sql, f"{table}.search_vector", ""))
    if box is not None:
        where.append(_within(f"{table}.latitude", f"{table}.longitude", box))
    if near is not None:
        return _planar(sql, f"{table}.latitude", f"{table}.longitude", near) + f", {key}"
    return matcher.best_first(sql, f"{table}.search_vector") + key


class _Partners(_Words, _PartnerSource):
    def filtered_here(self) -> bool:
        q = self.query
        return bool(q.partner_categories or q.accessibility or q.open_now)

    def branch(self, sql: Sql, matcher: Matcher, ranking: Ranking, page: Page) -> str:
        where = [
            f"p.status = {sql(PartnerStatus.ACTIVE.value)}",
            "pp.latitude IS NOT NULL",
            "pp.longitude IS NOT NULL",
        ]
        near = self.query.near
        order = _placed(sql, matcher, where, self.box(), near, "pp", "p.id")
        hours = "pp.weekly_hours" if self.query.open_now else "NULL::jsonb"
        candidates = (
            "SELECT 'partner'::text AS kind, p.id, p.trade_name AS title, "  # noqa: S608
            "coalesce(pp.city, '') AS subtitle, NULL::text AS theme, false AS is_super, "
            f"pp.latitude, pp.longitude, {_km(near, 'pp.latitude', 'pp.longitude')} AS km, "
            f"p.categories, pp.accessibility, {hours} AS weekly_hours, "
            "NULL::timestamptz AS published, p.name_words AS title_words, "
            "p.name_words || pp.body_words AS all_words "
            # A partner read by its key for each profile holding the words (OFFSET 0 keeps
            # the subquery apart): the planner, which prices an index read as a disk's,
            # would rather hash every partner (1 ms for 3,000).
            "FROM partner_profiles pp CROSS JOIN LATERAL (SELECT p.id, p.trade_name, "
            "p.categories, p.status, p.name_words FROM partners p "
            "WHERE p.id = pp.partner_id OFFSET 0) p "
            f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT {sql(page.candidates)}"
        )
        # Filtered in Python afterwards: then any candidate may be on the page.
        cut = page.candidates if self.filtered_here() else page.need
        return _ranked(sql, candidates, ranking, near, page.after, sql(cut))

    async def kept(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows of the partners the filters of the query keep."""
        q = self.query
        if q.partner_categories:
            rows = [r for r in rows if q.partner_categories & set(_json(r["categories"]))]
        if q.accessibility:
            rows = [r for r in rows if q.accessibility <= set(_json(r["accessibility"]))]
        if q.open_now:
            rows = await self._open_now(rows)
        return rows


class _Services(_Words, _ServiceSource):
    def branch(self, sql: Sql, matcher: Matcher, ranking: Ranking, page: Page) -> str:
        where = [f"s.published = {sql(True)}"]
        near = self.query.near
        order = _placed(sql, matcher, where, self.box(), near, "s", "s.id")
        candidates = (
            "SELECT 'service'::text AS kind, s.id, s.title, "  # noqa: S608
            "coalesce(s.city, '') AS subtitle, s.category AS theme, false AS is_super, "
            f"s.latitude, s.longitude, {_km(near, 's.latitude', 's.longitude')} AS km, "
            "NULL::timestamptz AS published, s.title_words, "
            f"s.title_words || s.search_text || ' ' AS all_words, {NO_PARTNER_COLUMNS} "
            f"FROM department_services s WHERE {' AND '.join(where)} "
            f"ORDER BY {order} LIMIT {sql(page.candidates)}"
        )
        return _ranked(sql, candidates, ranking, near, page.after, sql(page.need))


@dataclass(frozen=True)
class Page:
    """What each kind's branch reads: at most `candidates` rows ranked, the first `need`
    after the cursor `after` kept."""

    candidates: int
    need: int
    after: RankCursor | None


async def ranked_in_postgres(
    query: SearchQuery,
    audience: Audience,
    kinds: frozenset[HitKind],
    matcher: Matcher,
    ranking: Ranking,
    page: Page,
) -> list[tuple[tuple[float, float], SearchHit]]:
    """The page's candidates of every kind, ranked, in one statement: at most `page.need`
    of each kind (more for partners filtered in Python), unsorted across kinds."""
    sql = Sql()
    partners = _Partners(query, audience, kinds)
    sources = (_Offers(query, audience, kinds), partners, _Services(query, audience, kinds))
    branches = [
        f"(SELECT {COLUMNS} FROM ({source.branch(sql, matcher, ranking, page)}) b)"  # noqa: S608
        for source in sources
        if source.wanted()
    ]
    if not branches:
        return []
    rows = await sql.rows(" UNION ALL ".join(branches))
    if partners.filtered_here():
        partner_rows = [r for r in rows if r["kind"] == HitKind.PARTNER.value]
        dropped = {id(r) for r in partner_rows} - {id(r) for r in await partners.kept(partner_rows)}
        rows = [r for r in rows if id(r) not in dropped]
    return [((row["r1"], row["r2"]), _hit(row)) for row in rows]


def _hit(row: dict[str, Any]) -> SearchHit:
    return SearchHit(
        kind=_HIT_KINDS[row["kind"]],
        id=str(row["id"]),
        title=row["title"] or "",
        subtitle=row["subtitle"] or "",
        distance_km=row["km"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        theme=row["theme"],
        is_super=bool(row["is_super"]),
    )
