"""The public directory the guide promises (« logo et nom de l'enseigne … référencés sur le
site internet »): the active partners, by commune and category, readable by anyone.

Only what a partner publishes on its profile is read here, never a person's data. Pages are
numbered rather than cursored: a search engine and a visitor both link to « page 3 » of a
commune, and the lists are a few hundred rows at most.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import fixed_sql
from models.partners import Partner, PartnerCategory, PartnerStatus
from models.social import PartnerProfile
from models.sql import Sql

MAX_PER_PAGE = 100  # schema/cost.py counts no more items per page


@dataclass(frozen=True)
class DirectoryPage:
    partners: list[tuple[Partner, PartnerProfile | None]]
    total: int
    page: int
    per_page: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class DirectoryCommune:
    name: str
    partner_count: int


def _where(sql: Sql, commune: str | None, category: PartnerCategory | None) -> str:
    where = [f"p.status = {sql(PartnerStatus.ACTIVE.value)}"]
    if commune:
        where.append(f"lower(pp.city) = lower({sql(commune.strip())})")
    if category is not None:
        # categories is a JSON list of the enum's values: the quoted value is one element.
        text = "p.categories::text" if sql.postgres else "p.categories"
        pattern = '%"' + PartnerCategory(category).value + '"%'
        where.append(f"{text} LIKE {sql(pattern)}")
    return " AND ".join(where)


# Every active partner is referenced, its profile written or not (those without a commune
# come last, after the communes in order).
_TABLES = "FROM partners p LEFT JOIN partner_profiles pp ON pp.partner_id = p.id"
_ORDER = "(coalesce(pp.city, '') = ''), lower(pp.city), lower(p.trade_name), p.id"


async def directory_page(
    commune: str | None, category: PartnerCategory | None, page: int, per_page: int
) -> DirectoryPage:
    """Active partners, by commune then name; `page` counts from 1."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    counting = Sql()
    counted = await counting.rows(
        f"SELECT count(*) AS n {_TABLES} WHERE {_where(counting, commune, category)}"
    )
    total = int(counted[0]["n"])
    listing = Sql()
    where = _where(listing, commune, category)
    text = fixed_sql.select(
        [(Partner, "p"), (PartnerProfile, "pp")],
        f"{_TABLES} WHERE {where} ORDER BY {_ORDER} "
        f"LIMIT {listing(per_page)} OFFSET {listing((page - 1) * per_page)}",
    )
    partners = [
        (
            fixed_sql.hydrate(Partner, row, "p"),
            fixed_sql.hydrate(PartnerProfile, row, "pp") if row["pp.id"] is not None else None,
        )
        for row in await listing.rows(text)
    ]
    return DirectoryPage(partners, total, page, per_page)


async def directory_communes(category: PartnerCategory | None = None) -> list[DirectoryCommune]:
    """The communes with at least one active partner (of `category`), by name."""
    sql = Sql()
    where = _where(sql, None, category) + " AND pp.city <> ''"
    rows = await sql.rows(
        f"SELECT min(pp.city) AS name, count(*) AS n {_TABLES} WHERE {where} "
        "GROUP BY lower(pp.city) ORDER BY lower(pp.city)"
    )
    return [DirectoryCommune(row["name"], int(row["n"])) for row in rows]
