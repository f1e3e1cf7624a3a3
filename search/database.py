"""The default search backend: plain SQL on SQLite and PostgreSQL, distances in Python.

Distance order walks the rows nearest first by a planar distance the database can order
(and, on PostgreSQL, read from a GiST index on `point(longitude * K, latitude)` with `<->`),
then ranks them by the exact haversine distance. The planar distance is within a known
ratio `1 ± ε` of the true one around the département, so once the rows up to planar
distance P are read, every hit nearer than P / (1 + ε) is known and exactly ordered; the
read grows until a page of such hits is complete. No extension is needed (earthdistance and
PostGIS need a superuser).

A map box without `near` is read the same way from its centre (distances not shown); text
and filters alone come by id.
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.core import clock
from domain.core.text import fold, matches, words
from domain.partners.opening_hours import ExceptionalDays, Schedule, is_open
from models.offers import OfferKind
from models.partners import PartnerStatus
from models.social import OpeningException
from models.sql import Sql, as_uuid
from search.backend import (
    ADULT_THEMES,
    EARTH_RADIUS_KM,
    Audience,
    BoundingBox,
    HitKind,
    Near,
    Position,
    SearchHit,
    SearchPage,
    SearchQuery,
    distances_from,
    haversine_km,
    order_key,
)
from search.text import TextQuery

# Longitude degrees are multiplied by cos(43.5°) so that a degree east weighs what it does
# in the département; the PostgreSQL index expression must use the very same constant.
LONGITUDE_SCALE = 0.725
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180
# Beyond the latitude spread: the planar approximation of the sphere, for radii <= 100 km.
PLANAR_SLACK = 0.003


def planar_error(near: Near) -> float:
    """ε such that planar / haversine stays within [1 - ε, 1 + ε] inside the circle."""
    reach = near.radius_km / KM_PER_DEGREE
    low, high = max(-89.0, near.latitude - reach), min(89.0, near.latitude + reach)
    spread = max(abs(LONGITUDE_SCALE / math.cos(math.radians(lat)) - 1) for lat in (low, high))
    return spread + PLANAR_SLACK


def planar_km(near: Near, latitude: float, longitude: float) -> float:
    dx = (longitude - near.longitude) * LONGITUDE_SCALE
    return KM_PER_DEGREE * math.hypot(latitude - near.latitude, dx)


def circle_box(near: Near) -> BoundingBox:
    """A box around the circle, slightly larger than needed."""
    dlat = near.radius_km / KM_PER_DEGREE * 1.01
    cos_lat = max(math.cos(math.radians(near.latitude) + math.radians(dlat)), 0.01)
    dlon = min(180.0, dlat / cos_lat)
    return BoundingBox(
        near.latitude - dlat, near.longitude - dlon, near.latitude + dlat, near.longitude + dlon
    )


def enclosing_circle(box: BoundingBox) -> Near:
    """A circle around the box's centre holding the whole box."""
    latitude, longitude = (box.south + box.north) / 2, (box.west + box.east) / 2
    corners = [(lat, lon) for lat in (box.south, box.north) for lon in (box.west, box.east)]
    reach = max(haversine_km(latitude, longitude, lat, lon) for lat, lon in corners)
    return Near(latitude, longitude, reach * 1.01 + 0.001)


def _within(lat: str, lon: str, box: BoundingBox) -> str:
    south, west, north, east = map(_number, (box.south, box.west, box.north, box.east))
    return f"{lat} BETWEEN {south} AND {north} AND {lon} BETWEEN {west} AND {east}"


def _planar(sql: Sql, lat: str, lon: str, near: Near) -> str:
    """An expression ordered like the planar distance (in degrees, or squared)."""
    y, x = _number(near.latitude), _number(near.longitude * LONGITUDE_SCALE)
    if sql.postgres:
        return f"point({lon} * {LONGITUDE_SCALE}, {lat}) <-> point({x}, {y})"
    # SQLite: the squared distance.
    dy, dx = f"({lat} - {y})", f"({lon} * {LONGITUDE_SCALE} - {x})"
    return f"({dy} * {dy} + {dx} * {dx})"


def _planar_at_least(sql: Sql, expression: str, km: float) -> str:
    degrees = km / KM_PER_DEGREE
    return f"{expression} >= {sql(degrees if sql.postgres else degrees * degrees)}"


def _one_of(sql: Sql, column: str, values: Iterable[Any]) -> str:
    return sql.one_of(column, [str(v) for v in values])


async def _select(
    sql: Sql, columns: str, tables: str, where: list[str], order: str, limit: int
) -> list[dict[str, Any]]:
    # Only column names, constants and placeholders are written into the text.
    return await sql.rows(
        f"SELECT {columns} FROM {tables} WHERE {' AND '.join(where)} "  # noqa: S608
        f"ORDER BY {order} LIMIT {sql(limit)}"
    )


def _number(value: float) -> str:
    """Coordinates are written into the statement, not sent as parameters: PostgreSQL then
    plans each search for its own box and point. With parameters it soon switches to a
    generic plan that guesses the box small, picks the (latitude, longitude) btree and
    sorts every row of the box: 100 ms instead of 1 ms on 50,000 places. (And a statement
    may use the planar expression twice.)"""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("a coordinate must be finite")
    return repr(number)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


@dataclass(frozen=True)
class Window:
    """What one read asks: nearest first from `from_km` (distance order) or ids after
    `after_id` (id order), at most `limit` rows."""

    limit: int
    from_km: float = 0.0
    after_id: str | None = None


class DatabaseSearch:
    """The `SearchBackend` over the application's database."""

    def __init__(self, first_read: int | None = None) -> None:
        self.first_read = first_read  # rows of a source's first read; None: from the page

    async def search(self, query: SearchQuery, audience: Audience) -> SearchPage:
        query = query.checked()
        text = TextQuery.of(query.text)
        if text:
            from search.ranked import ranked_search  # it builds on this module's sources

            return await ranked_search(query, audience, text)
        # A map box alone is read nearest its centre first: the index walks it, and a page
        # cut short shows the middle of the map. The distances are internal: not shown.
        centred = query.near is None and query.bbox is not None
        if centred:
            query = replace(query, near=enclosing_circle(query.bbox))
        after = Position.decode(query.after, query.near is not None) if query.after else None
        need = query.first + 1
        kinds = query.kinds_asked()
        hits: list[SearchHit] = []
        for source in (_OfferSource, _PartnerSource, _ServiceSource):
            found = source(query, audience, kinds, self.first_read)
            if found.wanted():
                hits += await found.page(after, need)
        hits.sort(key=order_key)
        page = hits[: query.first]
        more = len(hits) > query.first
        cursor = Position(page[-1].distance_km, page[-1].id).encode() if more else None
        if centred:
            page = [_without_distance(hit) for hit in page]
        return SearchPage(page, cursor)


class _Source(ABC):
    """One table of hits; subclasses say how to read and shape it."""

    def __init__(
        self,
        query: SearchQuery,
        audience: Audience,
        kinds: frozenset[HitKind],
        first_read: int | None,
    ) -> None:
        self.query, self.audience, self.kinds = query, audience, kinds
        self.first_read = first_read
        self.words = words(query.text)
        near = query.near
        self._distance_to = distances_from(near.latitude, near.longitude) if near else None

    @abstractmethod
    def wanted(self) -> bool: ...

    @abstractmethod
    async def read(self, window: Window) -> list[dict[str, Any]]: ...

    @abstractmethod
    async def finish(
        self, rows: list[dict[str, Any]], after: Position | None
    ) -> list[SearchHit]: ...

    def box(self) -> BoundingBox | None:
        """The rectangle rows must lie in: the map box, the circle's box, or both."""
        boxes = [b for b in (self.query.bbox, self.query.near and circle_box(self.query.near)) if b]
        if not boxes:
            return None
        return BoundingBox(
            max(b.south for b in boxes),
            max(b.west for b in boxes),
            min(b.north for b in boxes),
            min(b.east for b in boxes),
        )

    def distance(self, latitude: float | None, longitude: float | None) -> float | None:
        if self._distance_to is None or latitude is None or longitude is None:
            return None
        return self._distance_to(latitude, longitude)

    async def page(self, after: Position | None, need: int) -> list[SearchHit]:
        near = self.query.near
        # A little more than a page: an offer's other places and the rows past the planar
        # horizon are dropped; a short read grows (x4) and is rare.
        limit = self.first_read or max(need + need // 4 + 8, 32)
        epsilon = planar_error(near) if near else 0.0
        from_km = after.distance_km * (1 - epsilon) if near and after else 0.0
        while True:
            window = Window(limit, from_km, None if near or after is None else after.id)
            rows = await self.read(window)
            truncated = len(rows) == limit
            hits = [h for h in await self.finish(rows, after) if _after(h, after)]
            if near is not None:
                horizon = math.inf
                if truncated:
                    last = rows[-1]
                    horizon = planar_km(near, last["latitude"], last["longitude"]) / (1 + epsilon)
                hits = [h for h in hits if h.distance_km < horizon]
                hits = [h for h in hits if h.distance_km <= near.radius_km]
            elif truncated:
                # Rows come by id: hits past the last id read may still be missing.
                last_id = str(rows[-1]["id"])
                hits = [h for h in hits if h.id <= last_id]
            hits.sort(key=order_key)
            if len(hits) >= need or not truncated:
                return hits[:need]
            limit *= 4


_HIT_KINDS = {kind.value: kind for kind in HitKind}


def _without_distance(hit: SearchHit) -> SearchHit:
    """`replace(hit, distance_km=None)`, without its field-by-field introspection."""
    return SearchHit(
        hit.kind, hit.id, hit.title, hit.subtitle, None, hit.latitude, hit.longitude,
        hit.theme, hit.is_super,
    )  # fmt: skip


def _after(hit: SearchHit, after: Position | None) -> bool:
    return after is None or order_key(hit) > after.key()


class _OfferSource(_Source):
    def offer_kinds(self) -> list[OfferKind]:
        return [k for k in (OfferKind.DEAL, OfferKind.EVENT) if HitKind(k.value) in self.kinds]

    def wanted(self) -> bool:
        return bool(self.offer_kinds())

    def conditions(self, sql: Sql) -> list[str]:
        q, day = self.query, self.query.day()
        where = [
            "o.published_revision_id IS NOT NULL",
            "o.withdrawn_at IS NULL",
            f"o.valid_from <= {sql(day)}",
            f"o.valid_until >= {sql(day)}",
            f"p.status = {sql(PartnerStatus.ACTIVE.value)}",
            _one_of(sql, "o.kind", self.offer_kinds()),
        ]
        if not self.audience.adult_themes:
            where.append(f"o.adults_only = {sql(False)}")
            adult = _one_of(sql, "o.theme", sorted(ADULT_THEMES))
            where.append(f"(o.theme IS NULL OR NOT {adult})")
        if q.themes:
            where.append(_one_of(sql, "o.theme", sorted(q.themes)))
        if q.deal_types:
            where.append(_one_of(sql, "o.deal_type", sorted(q.deal_types)))
        where += [f"o.search_text LIKE {sql(f'%{word}%')}" for word in self.words]
        return where

    async def read(self, window: Window) -> list[dict[str, Any]]:
        sql = Sql()
        columns = "o.id, o.kind, o.title, o.theme, o.is_super, p.trade_name AS subtitle"
        box, near = self.box(), self.query.near
        if box is None:  # text and filters only: any place of the offer will do
            where = self.conditions(sql)
            if window.after_id:
                where.append(f"o.id > {sql(UUID(window.after_id))}")
            tables = "offers o JOIN partners p ON p.id = o.partner_id"
            rows = await _select(sql, columns, tables, where, "o.id", window.limit)
            return await self._with_a_place(rows)
        where = [*self.conditions(sql), _within("l.latitude", "l.longitude", box)]
        if near is not None:
            planar = _planar(sql, "l.latitude", "l.longitude", near)
            if window.from_km > 0:
                where.append(_planar_at_least(sql, planar, window.from_km))
            order = planar
        else:
            if window.after_id:
                where.append(f"o.id > {sql(UUID(window.after_id))}")
            order = "o.id"
        tables = (
            "offer_locations l JOIN offers o ON o.id = l.offer_id "
            "JOIN partners p ON p.id = o.partner_id"
        )
        return await _select(
            sql, f"{columns}, l.latitude, l.longitude", tables, where, order, window.limit
        )

    async def _with_a_place(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not rows:
            return rows
        sql = Sql()
        where = [sql.one_of("offer_id", [as_uuid(r["id"]) for r in rows])]
        places: dict[str, tuple[float, float]] = {}
        columns = "offer_id, latitude, longitude"
        for place in await _select(
            sql, columns, "offer_locations", where, "id DESC", len(rows) * 1000
        ):
            places[str(place["offer_id"])] = (place["latitude"], place["longitude"])
        for row in rows:
            row["latitude"], row["longitude"] = places.get(str(row["id"]), (None, None))
        return rows

    async def finish(self, rows: list[dict[str, Any]], after: Position | None) -> list[SearchHit]:
        best: dict[str, SearchHit] = {}
        for row in rows:
            hit = SearchHit(
                kind=_HIT_KINDS[row["kind"]],
                id=str(row["id"]),
                title=row["title"] or "",
                subtitle=row["subtitle"] or "",
                distance_km=self.distance(row["latitude"], row["longitude"]),
                latitude=row["latitude"],
                longitude=row["longitude"],
                theme=row["theme"],
                is_super=bool(row["is_super"]),
            )
            known = best.get(hit.id)
            if known is None or (hit.distance_km or 0) < (known.distance_km or 0):
                best[hit.id] = hit
        if self.query.near is not None and after is not None and best:
            await self._nearest_places(best)
        return list(best.values())

    async def _nearest_places(self, best: dict[str, SearchHit]) -> None:
        """Read from a distance: an offer's nearest place may lie before the read, where
        it was already shown; take each offer at its nearest place (the caller then drops
        those before the cursor)."""
        sql = Sql()
        where = [sql.one_of("offer_id", [UUID(i) for i in best])]
        columns = "offer_id, latitude, longitude"
        for place in await _select(sql, columns, "offer_locations", where, "id", len(best) * 1000):
            key = str(place["offer_id"])
            distance = self.distance(place["latitude"], place["longitude"])
            hit = best[key]
            if distance is not None and distance < (hit.distance_km or 0):
                box = self.query.bbox
                if box is None or box.contains(place["latitude"], place["longitude"]):
                    best[key] = _moved(hit, distance, place["latitude"], place["longitude"])


def _moved(hit: SearchHit, distance: float, latitude: float, longitude: float) -> SearchHit:
    return SearchHit(
        hit.kind,
        hit.id,
        hit.title,
        hit.subtitle,
        distance,
        latitude,
        longitude,
        hit.theme,
        hit.is_super,
    )


class _PartnerSource(_Source):
    def wanted(self) -> bool:
        return HitKind.PARTNER in self.kinds

    async def read(self, window: Window) -> list[dict[str, Any]]:
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
            order = _planar(sql, "pp.latitude", "pp.longitude", near)
            if window.from_km > 0:
                where.append(_planar_at_least(sql, order, window.from_km))
        else:
            order = "p.id"
            if window.after_id:
                where.append(f"p.id > {sql(UUID(window.after_id))}")
        # The long columns only when a filter reads them.
        description = "pp.description" if self.words else "'' AS description"
        hours = "pp.weekly_hours" if self.query.open_now else "NULL AS weekly_hours"
        columns = (
            f"p.id, p.trade_name, p.categories, pp.city, {description}, "
            f"pp.accessibility, {hours}, pp.latitude, pp.longitude"
        )
        tables = "partner_profiles pp JOIN partners p ON p.id = pp.partner_id"
        return await _select(sql, columns, tables, where, order, window.limit)

    async def finish(self, rows: list[dict[str, Any]], after: Position | None) -> list[SearchHit]:
        q = self.query
        kept = []
        for row in rows:
            if q.partner_categories and not q.partner_categories & set(_json(row["categories"])):
                continue
            if q.accessibility and not q.accessibility <= set(_json(row["accessibility"])):
                continue
            # Folding costs more than the SQL of a page: only when there are words to match.
            if self.words and not matches(
                fold(f"{row['trade_name']} {row['city']} {row['description']}"), self.words
            ):
                continue
            kept.append(row)
        if q.open_now:
            kept = await self._open_now(kept)
        return [
            SearchHit(
                kind=HitKind.PARTNER,
                id=str(row["id"]),
                title=row["trade_name"],
                subtitle=row["city"] or "",
                distance_km=self.distance(row["latitude"], row["longitude"]),
                latitude=row["latitude"],
                longitude=row["longitude"],
            )
            for row in kept
        ]

    async def _open_now(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not rows:
            return rows
        now = clock.now()
        today = clock.paris_today()
        exceptions: dict[str, list[ExceptionalDays]] = {}
        for exception in await OpeningException.filter(
            partner_id__in=[as_uuid(r["id"]) for r in rows],
            starts_on__lte=today + timedelta(days=1),
            ends_on__gte=today - timedelta(days=1),
        ):
            exceptions.setdefault(str(exception.partner_id), []).append(
                ExceptionalDays(exception.starts_on, exception.ends_on, exception.hours)
            )
        return [
            row
            for row in rows
            if is_open(
                Schedule.from_stored(
                    _json(row["weekly_hours"]) or {}, exceptions.get(str(row["id"]), [])
                ),
                now,
            )
        ]


class _ServiceSource(_Source):
    def wanted(self) -> bool:
        return HitKind.SERVICE in self.kinds

    async def read(self, window: Window) -> list[dict[str, Any]]:
        sql = Sql()
        where = [f"s.published = {sql(True)}"]
        where += [f"s.search_text LIKE {sql(f'%{word}%')}" for word in self.words]
        box, near = self.box(), self.query.near
        if box is not None:
            where.append(_within("s.latitude", "s.longitude", box))
        if near is not None:
            order = _planar(sql, "s.latitude", "s.longitude", near)
            if window.from_km > 0:
                where.append(_planar_at_least(sql, order, window.from_km))
        else:
            order = "s.id"
            if window.after_id:
                where.append(f"s.id > {sql(UUID(window.after_id))}")
        columns = "s.id, s.title, s.category, s.city, s.latitude, s.longitude"
        return await _select(sql, columns, "department_services s", where, order, window.limit)

    async def finish(self, rows: list[dict[str, Any]], after: Position | None) -> list[SearchHit]:
        return [
            SearchHit(
                kind=HitKind.SERVICE,
                id=str(row["id"]),
                title=row["title"],
                subtitle=row["city"] or "",
                distance_km=self.distance(row["latitude"], row["longitude"]),
                latitude=row["latitude"],
                longitude=row["longitude"],
                theme=row["category"],
            )
            for row in rows
        ]
