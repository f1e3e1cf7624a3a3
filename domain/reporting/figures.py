"""The programme's figures for one school year: cards activated, money spent per wallet and
per week, partners, deals and events published, the campaigns' reach. Every figure is an
aggregate computed by the database (queries.py); none names a person."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.core import clock
from domain.core.errors import not_found
from domain.core.transactions import snapshot
from domain.reporting import queries
from models.cards import SchoolYear


@dataclass(frozen=True)
class Count:
    starts_on: date  # the period's first Paris day (a Monday for a week, the 1st for a month)
    value: int


@dataclass(frozen=True)
class WalletSpending:
    kind: str
    label: str
    amount_cents: int
    transactions: int
    partners: int


@dataclass(frozen=True)
class CampaignReach:
    name: str
    started_at: datetime
    targeted: int
    sent: int
    people: int


@dataclass(frozen=True)
class ProgrammeFigures:
    school_year: SchoolYear
    until: date  # the last day counted: today during the year, its last day after it
    cards_issued: int
    cards_activated: int
    activations_by_month: list[Count]
    spending_by_wallet: list[WalletSpending]
    spending_by_week: list[Count]
    active_partners: int
    partners_with_transactions: int
    deals_published: int
    events_published: int
    campaigns: list[CampaignReach]
    people_reached: int

    @property
    def amount_spent_cents(self) -> int:
        return sum(w.amount_cents for w in self.spending_by_wallet)


def _weeks(first: date, last: date) -> list[date]:
    """The Mondays starting the weeks from `first`'s to `last`'s, and the one after."""
    monday = first - timedelta(days=first.weekday())
    starts = []
    while monday <= last:
        starts.append(monday)
        monday += timedelta(days=7)
    return [*starts, monday]


def _months(first: date, last: date) -> list[date]:
    """The first days of the months from `first`'s to `last`'s, and the one after."""
    month = first.replace(day=1)
    starts = []
    while month <= last:
        starts.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return [*starts, month]


async def _school_year(school_year_id: UUID | None) -> SchoolYear:
    if school_year_id is not None:
        year = await SchoolYear.get_or_none(id=school_year_id)
    else:  # the current one, or else the latest that has started
        today = clock.paris_today()
        year = await SchoolYear.filter(starts_on__lte=today).order_by("-starts_on").first()
        year = year or await SchoolYear.all().order_by("starts_on").first()
    if year is None:
        raise not_found("Année scolaire")
    return year


BucketRead = Callable[[UUID, Sequence[datetime]], Awaitable[dict[int, int]]]


async def _counts(days: list[date], read: BucketRead, school_year_id: UUID) -> list[Count]:
    """One figure per period between consecutive `days` (Paris days), zero where none."""
    bounds = [clock.start_of_paris_day(d) for d in days]
    found = await read(school_year_id, bounds)
    return [Count(day, found.get(i, 0)) for i, day in enumerate(days[:-1])]


async def programme_figures(school_year_id: UUID | None) -> ProgrammeFigures:
    year = await _school_year(school_year_id)
    until = max(year.starts_on, min(year.ends_on, clock.paris_today()))
    since_at = clock.start_of_paris_day(year.starts_on)
    until_at = clock.start_of_paris_day(year.ends_on + timedelta(days=1))
    # One consistent picture while the tills keep debiting.
    async with snapshot():
        cards = await queries.cards(year.id)
        by_month = await _counts(
            _months(year.starts_on, until), queries.activations_by_bucket, year.id
        )
        wallets = await queries.spending_by_wallet(year.id)
        by_week = await _counts(_weeks(year.starts_on, until), queries.spending_by_bucket, year.id)
        partners = await queries.partners(year.id)
        offers = await queries.offers_published(since_at, until_at)
        campaigns = await queries.campaigns_reach(since_at, until_at)
        reached = await queries.people_reached(since_at, until_at)
    return ProgrammeFigures(
        school_year=year,
        until=until,
        cards_issued=int(cards["issued"] or 0),
        cards_activated=int(cards["activated"] or 0),
        activations_by_month=by_month,
        spending_by_wallet=[
            WalletSpending(
                kind=str(w["kind"]),
                label=str(w["label"] or w["kind"]),
                amount_cents=int(w["amount_cents"] or 0),
                transactions=int(w["transactions"]),
                partners=int(w["partners"]),
            )
            for w in wallets
        ],
        spending_by_week=by_week,
        active_partners=int(partners["active"] or 0),
        partners_with_transactions=int(partners["with_transactions"] or 0),
        deals_published=offers.get("deal", 0),
        events_published=offers.get("event", 0),
        campaigns=[
            CampaignReach(
                name=str(c["name"]),
                started_at=_instant(c["started_at"]),
                targeted=int(c["targeted"] or 0),
                sent=int(c["sent"] or 0),
                people=int(c["people"] or 0),
            )
            for c in campaigns
        ],
        people_reached=reached,
    )


def _instant(value: object) -> datetime:
    """An instant as read (text on SQLite)."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
