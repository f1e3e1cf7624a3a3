"""The one source of "now": UTC instants, Paris calendar days.

Tests move time with `frozen(...)`, which only changes what this module answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

_frozen_at: ContextVar[datetime | None] = ContextVar("frozen_at", default=None)


def now() -> datetime:
    return _frozen_at.get() or datetime.now(UTC)


def paris_today() -> date:
    return now().astimezone(PARIS).date()


def start_of_paris_day(day: date) -> datetime:
    """The instant a Paris calendar day starts (its day is [start, next day's start)), in
    UTC like the stored instants: SQLite compares them as text."""
    return datetime.combine(day, time(), tzinfo=PARIS).astimezone(UTC)


def age_on(birth_date: date, day: date) -> int:
    years = day.year - birth_date.year
    return years - ((day.month, day.day) < (birth_date.month, birth_date.day))


@contextmanager
def frozen(instant: datetime) -> Iterator[None]:
    if instant.tzinfo is None:
        raise ValueError("frozen() needs an aware datetime")
    token = _frozen_at.set(instant.astimezone(UTC))
    try:
        yield
    finally:
        _frozen_at.reset(token)
