"""A text search on the database backend: matched in SQL, ranked as search/text.py says.

Each kind (deals and events, partners, services) gives at most `SEARCH_CANDIDATES` rows that
hold every word of the query, with the filters, the age rules, the circle and the map box
of any search; they are ranked by `rank_key` and merged; the cursor is the last hit's rank
and id, so the next page is the same candidates after it.

PostgreSQL: a word is found in the documents' `search_vector` (migration 0029: French
stemming, stop words, accents removed) as the known words (`search_terms`) it starts
("cin" -> "cine | cinema"), or as one of its typo corrections: the known words nearest to
it by trigram similarity, taken when the word starts no known word, or when they are
nearly the same ("soutient" -> "soutien"). Without a position the candidates are read
unsorted, those holding every word as typed first; with a position or a map box, places
nearest first through the GiST index of places and their words. The candidates are ranked
and cut to the page by PostgreSQL, in the same statement (search/ranked_sql.py).

SQLite: each word is the start of a word of the folded text, or its singular is (LIKE on
`search_text`, in Python for partners); no stemming beyond plurals, no typo tolerance, no
suggestions from similarity of spelling beyond Python's trigram scoring of partner names
and communes (docs/search.md).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from domain.core import clock
from domain.core.errors import invalid
from domain.core.text import fold
from infra.geocoding import COMMUNES
from infra.settings import get_settings
from models.partners import PartnerStatus
from models.sql import Sql
from models.sql import rows as sql_rows
from search.backend import Audience, HitKind, SearchHit, SearchPage, SearchQuery
from search.database import (
    _HIT_KINDS,
    _OfferSource,
    _PartnerSource,
    _planar,
    _select,
    _ServiceSource,
    _within,
)
from search.ranked_sql import Page, Ranking, ranked_in_postgres
from search.text import Rankable, TextQuery, Weights, matches_loosely, nearest, rank_key

CONFIG = "'cjeune_french'"
SUGGESTIONS_OF_PARTNERS, SUGGESTIONS_OF_COMMUNES = 3, 2
COMMUNE_NAMES = sorted({name for entries in COMMUNES.values() for name, _, _ in entries})


# For each word: the known words it starts (up to PREFIX_WORDS + 1, from the primary key's
# range), and the 4 known words nearest in spelling (the GiST index walks them).
CORRECTIONS = """
SELECT q.word,
       ARRAY(SELECT s.term FROM search_terms s WHERE s.term >= q.word AND s.term < q.word || '~'
             ORDER BY s.term LIMIT 9) AS starting,
       ARRAY(SELECT t.term FROM search_terms t ORDER BY t.term <-> q.word LIMIT 4) AS nearest,
       ARRAY(SELECT similarity(t.term, q.word) FROM search_terms t
             ORDER BY t.term <-> q.word LIMIT 4) AS scores
FROM unnest($1::text[]) AS q(word)
"""
PREFIX_WORDS = 8  # a prefix starting more known words than this stays a prefix query
# word_similarity: the typed words against the best stretch of the name (GiST walks it).
PARTNER_NAMES_LIKE = """
SELECT trade_name, word_similarity($1, lower(cjeune_unaccent(trade_name))) AS score
FROM partners WHERE status = $2
ORDER BY $1 <<-> lower(cjeune_unaccent(trade_name)) LIMIT 10
"""
ACTIVE_PARTNER_NAMES = "SELECT trade_name FROM partners WHERE status = $1"


@dataclass(frozen=True)
class RankCursor:
    """Where the previous page of a text search stopped: its last rank and id."""

    rank: tuple[float, float]
    id: str

    def encode(self) -> str:
        first, second = self.rank
        text = f"t|{first!r}|{second!r}|{self.id}"
        return base64.urlsafe_b64encode(text.encode()).decode()

    @classmethod
    def decode(cls, cursor: str) -> RankCursor:
        try:
            parts = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise invalid("after", "Curseur de pagination invalide.") from None
        if len(parts) != 4 or parts[0] != "t" or not parts[3]:
            raise invalid("after", "Curseur d'une autre recherche : recommencez au début.")
        try:
            return cls((float(parts[1]), float(parts[2])), str(UUID(parts[3])))
        except ValueError:  # the id too: PostgreSQL compares it as a uuid
            raise invalid("after", "Curseur de pagination invalide.") from None

    def key(self) -> tuple[float, float, str]:
        return (*self.rank, self.id)


@dataclass(frozen=True)
class Spelling:
    """What the known words say of a query's word (PostgreSQL)."""

    starting: tuple[str, ...] = ()  # the known words it is the start of (all, or too many)
    corrections: tuple[str, ...] = ()  # known words it may be a typo of


@dataclass(frozen=True)
class Matcher:
    """How the query's words are looked for in one dialect.

    On PostgreSQL each word becomes the known words it starts, written out ("cin" ->
    "cine | cinema"; a prefix query `cin:*` only when it starts more than PREFIX_WORDS or
    is not a known word's start), or'ed with its corrections: the GiST index of places
    with their words can then tell a match from the index alone (a prefix it cannot)."""

    text: TextQuery
    postgres: bool
    spellings: dict[str, Spelling]

    def tsquery(self, with_corrections: bool = True) -> str:
        groups = []
        for word in self.text.words:
            spelling = self.spellings.get(word)
            if spelling is None or not 0 < len(spelling.starting) <= PREFIX_WORDS:
                alternatives = [f"{word}:*"]
            else:
                alternatives = list(spelling.starting)
            if spelling is not None and spelling.corrections:
                if with_corrections:
                    alternatives += spelling.corrections
                if not spelling.starting:  # a typo of a word that starts no known word
                    alternatives = alternatives[1:] or [f"{word}:*"]
            groups.append("(" + " | ".join(alternatives) + ")")
        return " & ".join(groups)

    def hopeless(self) -> bool:
        """A word starts no known word and has no correction: nothing can match (and a
        prefix query would make the index of places read every place of the circle)."""
        return any(not s.starting and not s.corrections for s in self.spellings.values())

    def corrected(self) -> bool:
        return any(s.corrections for s in self.spellings.values())

    def condition(
        self, sql: Sql, vector: str, folded_column: str, with_corrections: bool = True
    ) -> str:
        """Every word found in the row: `vector` on PostgreSQL, `folded_column` on SQLite."""
        if self.postgres:
            return f"{vector} @@ to_tsquery({CONFIG}, {_literal(self.tsquery(with_corrections))})"
        return " AND ".join(self._like(sql, folded_column, word) for word in self.text.words)

    @staticmethod
    def _like(sql: Sql, column: str, word: str) -> str:
        # Folded text has single spaces between words: ' ' + text holds ' word' at a start.
        starts = f"(' ' || {column}) LIKE {sql(f'% {word}%')}"
        bare = word[:-1] if len(word) > 3 and word[-1] in "sx" else word
        if bare == word:
            return starts
        return f"({starts} OR (' ' || {column}) LIKE {sql(f'% {bare}%')})"

    def best_first(self, sql: Sql, vector: str) -> str:
        """An ORDER BY of the candidates without a position (PostgreSQL): those holding
        the words as typed first."""
        return f"({self.condition(sql, vector, '', with_corrections=False)}) DESC, "


_TSQUERY = re.compile(r"[a-z0-9:*|&() ]+")


def _literal(tsquery: str) -> str:
    """The query written into the statement, not sent as a parameter: with a parameter,
    PostgreSQL soon plans the statement once for any words (a generic plan) and reads every
    offer; written out, each search is planned for its own words (as the coordinates in
    search/database.py `_number`). Folded words, `:*`, `|`, `&` and brackets only."""
    if not _TSQUERY.fullmatch(tsquery):
        raise ValueError(f"unexpected characters in a text query: {tsquery!r}")
    return f"'{tsquery}'"


async def spellings_of(text: TextQuery, threshold: float) -> dict[str, Spelling]:
    """word -> the known words it starts and may be a typo of (PostgreSQL's
    `search_terms`). A correction is taken when the word starts no known word and is at
    least `threshold` similar, or when it is nearly the same word (0.6: "soutient" ->
    "soutien"), whatever it starts."""
    asked = text.correctable()
    if not asked:
        return {}
    spellings = {}
    for row in await sql_rows(CORRECTIONS, asked):
        word, starting = row["word"], tuple(row["starting"])
        floor = 0.6 if starting else threshold
        corrections = tuple(
            term
            for term, score in zip(row["nearest"], row["scores"], strict=True)
            if score >= floor and not term.startswith(word)
        )
        spellings[word] = Spelling(starting, corrections[:3])
    return spellings


class _Ranked:
    """A source whose words are matched by `Matcher`, not by its own filters."""

    def __init__(self, query: SearchQuery, audience: Audience, kinds: frozenset[HitKind]) -> None:
        super().__init__(query, audience, kinds, None)  # type: ignore[call-arg]
        self.words: list[str] = []


class _RankedOffers(_Ranked, _OfferSource):
    async def candidates(self, matcher: Matcher, limit: int) -> list[dict[str, Any]]:
        """SQLite: the first offers by id holding the words, each at one place; with a
        position or a map box, the places, nearest first, each carrying its offer's words."""
        sql = Sql()
        columns = (
            "o.id, o.kind, o.title, o.theme, o.is_super, o.first_published_at, o.search_text, "
            "p.trade_name AS subtitle"
        )
        box, near = self.box(), self.query.near
        if box is None:
            tables = "offers o JOIN partners p ON p.id = o.partner_id"
            where = [*self.conditions(sql), matcher.condition(sql, "", "o.search_text")]
            rows = await _select(sql, columns, tables, where, "o.id", limit)
            return await self._with_a_place(rows)
        where = [
            *self.conditions(sql),
            matcher.condition(sql, "l.search_vector", "o.search_text"),
            _within("l.latitude", "l.longitude", box),
        ]
        order = _planar(sql, "l.latitude", "l.longitude", near) if near else "l.id"
        tables = (
            "offer_locations l JOIN offers o ON o.id = l.offer_id "
            "JOIN partners p ON p.id = o.partner_id"
        )
        # An offer's places come one row each (most offers have one).
        return await _select(
            sql, f"{columns}, l.latitude, l.longitude", tables, where, order, limit + limit // 4
        )

    def ranked(
        self, rows: list[dict[str, Any]], rank: _Ranking
    ) -> list[tuple[tuple[float, float], SearchHit]]:
        hits = {h.id: h for h in _nearest_place_each(self, rows)}
        texts = {str(r["id"]): r for r in rows}
        out = []
        for hit in hits.values():
            row = texts[hit.id]
            published = row["first_published_at"]
            facts = Rankable(
                title=fold(f"{row['title'] or ''} {row['subtitle'] or ''}"),
                body=row["search_text"] or "",
                distance_km=hit.distance_km,
                is_super=hit.is_super,
                published_on=_paris_day(published),
            )
            out.append((rank(facts), hit))
        return out


def _nearest_place_each(source: _RankedOffers, rows: list[dict[str, Any]]) -> list[SearchHit]:
    best: dict[str, SearchHit] = {}
    for row in rows:
        hit = SearchHit(
            kind=_HIT_KINDS[row["kind"]],
            id=str(row["id"]),
            title=row["title"] or "",
            subtitle=row["subtitle"] or "",
            distance_km=source.distance(row["latitude"], row["longitude"]),
            latitude=row["latitude"],
            longitude=row["longitude"],
            theme=row["theme"],
            is_super=bool(row["is_super"]),
        )
        known = best.get(hit.id)
        if known is None or (hit.distance_km or 0) < (known.distance_km or 0):
            best[hit.id] = hit
    return list(best.values())


def _paris_day(value: datetime | str | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite, read raw
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(clock.PARIS).date()


class _RankedPartners(_Ranked, _PartnerSource):
    async def candidates(self, matcher: Matcher, limit: int) -> list[dict[str, Any]]:
        sql = Sql()
        where = [
            f"p.status = {sql(PartnerStatus.ACTIVE.value)}",
            "pp.latitude IS NOT NULL",
            "pp.longitude IS NOT NULL",
        ]
        box, near = self.box(), self.query.near
        if box is not None:
            where.append(_within("pp.latitude", "pp.longitude", box))
        if near is not None:
            order = _planar(sql, "pp.latitude", "pp.longitude", near) + ", p.id"
        else:
            order = "p.id"
        hours = "pp.weekly_hours" if self.query.open_now else "NULL AS weekly_hours"
        columns = (
            f"p.id, p.trade_name, p.categories, pp.city, pp.description, "
            f"pp.accessibility, {hours}, pp.latitude, pp.longitude"
        )
        tables = "partner_profiles pp JOIN partners p ON p.id = pp.partner_id"
        # The names are matched folded, here; a partner base fits in memory.
        rows = await _select(sql, columns, tables, where, order, 1_000_000)
        kept = [
            r
            for r in rows
            if matches_loosely(
                matcher.text, fold(f"{r['trade_name']} {r['city']} {r['description']}")
            )
        ]
        return kept[:limit]

    async def ranked_hits(
        self, rows: list[dict[str, Any]], rank: _Ranking
    ) -> list[tuple[tuple[float, float], SearchHit]]:
        hits = await self.finish(rows, None)
        by_id = {str(r["id"]): r for r in rows}
        out = []
        for hit in hits:
            if not _within_radius(self.query, hit):
                continue
            row = by_id[hit.id]
            facts = Rankable(
                title=fold(row["trade_name"]),
                body=fold(f"{row['city'] or ''} {row['description'] or ''}"),
                distance_km=hit.distance_km,
            )
            out.append((rank(facts), hit))
        return out


class _RankedServices(_Ranked, _ServiceSource):
    async def candidates(self, matcher: Matcher, limit: int) -> list[dict[str, Any]]:
        sql = Sql()
        where = [
            f"s.published = {sql(True)}",
            matcher.condition(sql, "s.search_vector", "s.search_text"),
        ]
        box, near = self.box(), self.query.near
        if box is not None:
            where.append(_within("s.latitude", "s.longitude", box))
        if near is not None:
            order = _planar(sql, "s.latitude", "s.longitude", near) + ", s.id"
        else:
            order = "s.id"
        columns = "s.id, s.title, s.category, s.city, s.latitude, s.longitude, s.search_text"
        return await _select(sql, columns, "department_services s", where, order, limit)

    async def ranked_hits(
        self, rows: list[dict[str, Any]], rank: _Ranking
    ) -> list[tuple[tuple[float, float], SearchHit]]:
        by_id = {str(r["id"]): r for r in rows}
        out = []
        for hit in await self.finish(rows, None):
            if not _within_radius(self.query, hit):
                continue
            row = by_id[hit.id]
            facts = Rankable(
                title=fold(row["title"]),
                body=row["search_text"] or "",
                distance_km=hit.distance_km,
            )
            out.append((rank(facts), hit))
        return out


class _Ranking:
    def __init__(self, text: TextQuery, weights: Weights, today: date) -> None:
        self.text, self.weights, self.today = text, weights, today

    def __call__(self, facts: Rankable) -> tuple[float, float]:
        return rank_key(self.text, facts, self.today, self.weights)


def weights_from_settings() -> Weights:
    settings = get_settings()
    return Weights(
        km_per_point=settings.search_km_per_point,
        super_boost=settings.search_super_boost,
    )


async def ranked_search(query: SearchQuery, audience: Audience, text: TextQuery) -> SearchPage:
    settings = get_settings()
    centred = query.near is None and query.bbox is not None
    after = RankCursor.decode(query.after) if query.after else None
    postgres = Sql().postgres
    spellings = await spellings_of(text, settings.search_typo_similarity) if postgres else {}
    matcher = Matcher(text, postgres, spellings)
    kinds = query.kinds_asked()
    if matcher.hopeless():
        kinds = frozenset()
    if postgres:  # ranked and cut by PostgreSQL (search/ranked_sql.py)
        ranking = Ranking(text, weights_from_settings(), clock.paris_today())
        page_asked = Page(settings.search_candidates, query.first + 1, after)
        ranked = await ranked_in_postgres(query, audience, kinds, matcher, ranking, page_asked)
    else:
        ranked = await _ranked_here(query, audience, kinds, matcher)
    ranked.sort(key=lambda pair: (*pair[0], pair[1].id))
    if after is not None:
        ranked = [pair for pair in ranked if (*pair[0], pair[1].id) > after.key()]
    page = ranked[: query.first]
    cursor = None
    if len(ranked) > query.first:
        cursor = RankCursor(page[-1][0], page[-1][1].id).encode()
    hits = [hit for _, hit in page]
    if centred:
        hits = [_hidden_distance(hit) for hit in hits]
    suggestions: list[str] = []
    if not hits and after is None:
        suggestions = await did_you_mean(text, postgres)
    return SearchPage(hits, cursor, suggestions)


async def _ranked_here(
    query: SearchQuery, audience: Audience, kinds: frozenset[HitKind], matcher: Matcher
) -> list[tuple[tuple[float, float], SearchHit]]:
    """SQLite: every candidate read, ranked in Python (`rank_key`)."""
    rank = _Ranking(matcher.text, weights_from_settings(), clock.paris_today())
    limit = get_settings().search_candidates
    ranked: list[tuple[tuple[float, float], SearchHit]] = []
    offers = _RankedOffers(query, audience, kinds)
    if offers.wanted():
        rows = await offers.candidates(matcher, limit)
        ranked += [
            (key, hit) for key, hit in offers.ranked(rows, rank) if _within_radius(query, hit)
        ]
    partners = _RankedPartners(query, audience, kinds)
    if partners.wanted():
        ranked += await partners.ranked_hits(await partners.candidates(matcher, limit), rank)
    services = _RankedServices(query, audience, kinds)
    if services.wanted():
        ranked += await services.ranked_hits(await services.candidates(matcher, limit), rank)
    return ranked


def _within_radius(query: SearchQuery, hit: SearchHit) -> bool:
    near = query.near
    return near is None or (hit.distance_km is not None and hit.distance_km <= near.radius_km)


def _hidden_distance(hit: SearchHit) -> SearchHit:
    return SearchHit(
        hit.kind, hit.id, hit.title, hit.subtitle, None, hit.latitude, hit.longitude,
        hit.theme, hit.is_super,
    )  # fmt: skip


async def did_you_mean(text: TextQuery, postgres: bool) -> list[str]:
    """The active partners' names and the communes nearest in spelling to the query."""
    typed = " ".join(text.words)
    threshold = get_settings().search_typo_similarity
    active = PartnerStatus.ACTIVE.value
    if postgres:
        rows = await sql_rows(PARTNER_NAMES_LIKE, typed, active)
        names = [r["trade_name"] for r in rows if float(r["score"]) >= threshold]
        names = names[:SUGGESTIONS_OF_PARTNERS]
    else:
        rows = await sql_rows(ACTIVE_PARTNER_NAMES, active)
        all_names = [r["trade_name"] for r in rows]
        names = nearest(typed, all_names, SUGGESTIONS_OF_PARTNERS, threshold)
    communes = nearest(typed, COMMUNE_NAMES, SUGGESTIONS_OF_COMMUNES, threshold)
    return list(dict.fromkeys(names + communes))
