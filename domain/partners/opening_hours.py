"""Opening hours: a weekly schedule, exceptional days, French public holidays, and whether a
partner is open at an instant, in Europe/Paris wall-clock time.

A day's hours are ranges "HH:MM"-"HH:MM", the start included and the end excluded; "24:00"
ends a range at midnight. A range never crosses midnight: a night opening 22:00-02:00 is
entered as 22:00-24:00 one day and 00:00-02:00 the next, and the two count as one opening.
On the spring change a skipped wall time (02:30 on 29 March 2026) happens when the clock
jumps over it; on the autumn change a repeated wall time means its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from itertools import pairwise
from typing import Any

from domain.core.clock import PARIS
from domain.core.errors import invalid

MAX_RANGES_PER_DAY = 6
# The weekly_hours JSON keeps this flag beside the days: the model has no column for it.
HOLIDAYS_KEY = "closed_on_public_holidays"
# How far ahead the next change is looked for (exceptions may run for months).
HORIZON_DAYS = 400

_TIME = re.compile(r"^([01]?[0-9]|2[0-4]):([0-5][0-9])$")


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"


WEEKDAYS = list(Weekday)  # in date.weekday() order


def minutes_of(value: str, field_name: str) -> int:
    match = _TIME.match(value.strip())
    minutes = int(match.group(1)) * 60 + int(match.group(2)) if match else -1
    if not 0 <= minutes <= 24 * 60:
        raise invalid(field_name, f"Heure invalide « {value} » : écrivez HH:MM, de 00:00 à 24:00.")
    return minutes


def _label(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def clean_ranges(ranges: Sequence[tuple[str, str]], field_name: str) -> list[list[str]]:
    """One day's ranges, checked and sorted: [["09:00", "12:00"], ["14:00", "18:30"]]."""
    if len(ranges) > MAX_RANGES_PER_DAY:
        raise invalid(field_name, f"Au plus {MAX_RANGES_PER_DAY} plages horaires par jour.")
    parsed = sorted((minutes_of(s, field_name), minutes_of(e, field_name)) for s, e in ranges)
    for start, end in parsed:
        if end <= start:
            raise invalid(
                field_name,
                f"La plage {_label(start)}–{_label(end)} se termine avant de commencer. Pour "
                "une ouverture après minuit, saisissez la fin de soirée jusqu'à 24:00 et la "
                "suite le lendemain à partir de 00:00.",
            )
    for (_, previous_end), (start, end) in pairwise(parsed):
        if start < previous_end:
            raise invalid(
                field_name,
                f"La plage {_label(start)}–{_label(end)} chevauche la précédente : "
                "regroupez-les en une seule.",
            )
    return [[_label(s), _label(e)] for s, e in parsed]


def clean_week(days: Mapping[Weekday, Sequence[tuple[str, str]]]) -> dict[str, list[list[str]]]:
    """The whole week; a day left out or without ranges is closed."""
    week: dict[str, list[list[str]]] = {}
    for day, ranges in days.items():
        cleaned = clean_ranges(ranges, f"weeklyHours.{day.value}")
        if cleaned:
            week[day.value] = cleaned
    return week


# --- public holidays -------------------------------------------------------------------


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous algorithm of Meeus, Jones and Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def public_holidays(year: int) -> dict[date, str]:
    """The eleven public holidays of metropolitan France (Code du travail, L3133-1)."""
    easter = easter_sunday(year)
    return {
        date(year, 1, 1): "Jour de l'an",
        easter + timedelta(days=1): "Lundi de Pâques",
        date(year, 5, 1): "Fête du Travail",
        date(year, 5, 8): "Victoire 1945",
        easter + timedelta(days=39): "Ascension",
        easter + timedelta(days=50): "Lundi de Pentecôte",
        date(year, 7, 14): "Fête nationale",
        date(year, 8, 15): "Assomption",
        date(year, 11, 1): "Toussaint",
        date(year, 11, 11): "Armistice 1918",
        date(year, 12, 25): "Noël",
    }


def is_public_holiday(day: date) -> bool:
    return day in public_holidays(day.year)


# --- the schedule ------------------------------------------------------------------------


@dataclass(frozen=True)
class ExceptionalDays:
    """A closure (no ranges) or special hours from `starts_on` to `ends_on`, both included."""

    starts_on: date
    ends_on: date
    hours: list[list[str]]


@dataclass(frozen=True)
class Schedule:
    weekly: dict[str, list[list[str]]] = field(default_factory=dict)
    closed_on_public_holidays: bool = False
    exceptions: list[ExceptionalDays] = field(default_factory=list)

    @classmethod
    def from_stored(
        cls, weekly_hours: dict[str, Any], exceptions: Sequence[ExceptionalDays] = ()
    ) -> Schedule:
        week = {d.value: weekly_hours[d.value] for d in WEEKDAYS if weekly_hours.get(d.value)}
        return cls(week, bool(weekly_hours.get(HOLIDAYS_KEY)), list(exceptions))

    def hours_on(self, day: date) -> list[list[str]]:
        """The day's ranges: an exception first, then a public holiday, then the week."""
        for exception in self.exceptions:
            if exception.starts_on <= day <= exception.ends_on:
                return exception.hours
        if self.closed_on_public_holidays and is_public_holiday(day):
            return []
        return self.weekly.get(WEEKDAYS[day.weekday()].value, [])


@dataclass(frozen=True)
class OpeningState:
    is_open: bool
    next_change_at: datetime | None  # None: no change within the horizon


def wall_clock_instant(day: date, minutes: int) -> datetime:
    """The UTC instant at which Paris clocks show `minutes` after midnight of `day`."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
    first = wall.replace(tzinfo=PARIS).astimezone(UTC)  # fold=0: the first occurrence
    if first.astimezone(PARIS).replace(tzinfo=None) == wall:
        return first
    # Skipped by the spring change: the time passes when the clock jumps over it.
    low = wall.replace(tzinfo=PARIS, fold=1).astimezone(UTC)
    high = first
    while high - low > timedelta(minutes=1):
        middle = low + timedelta(minutes=(high - low) // timedelta(minutes=1) // 2)
        if middle.astimezone(PARIS).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high


def _openings(schedule: Schedule, first_day: date) -> Iterator[tuple[datetime, datetime]]:
    """Openings as UTC intervals from `first_day` on, those touching each other merged."""
    pending: tuple[datetime, datetime] | None = None
    for offset in range(HORIZON_DAYS + 1):
        day = first_day + timedelta(days=offset)
        for start, end in schedule.hours_on(day):
            opens = wall_clock_instant(day, minutes_of(start, "start"))
            closes = wall_clock_instant(day, minutes_of(end, "end"))
            if pending is not None and opens <= pending[1]:
                pending = (pending[0], max(pending[1], closes))
                continue
            if pending is not None:
                yield pending
            pending = (opens, closes)
    if pending is not None:
        yield pending


def opening_state(schedule: Schedule, at: datetime) -> OpeningState:
    """Open or closed at `at`, and when that changes next."""
    if at.tzinfo is None:
        raise ValueError("opening_state needs an aware datetime")
    if not schedule.weekly and not any(e.hours for e in schedule.exceptions):
        return OpeningState(False, None)  # no hours at all: no need to look a year ahead
    last_day = at.astimezone(PARIS).date() + timedelta(days=HORIZON_DAYS - 1)
    yesterday = at.astimezone(PARIS).date() - timedelta(days=1)
    for opens, closes in _openings(schedule, yesterday):
        if closes <= at:
            continue
        if opens > at:
            return OpeningState(False, opens)
        beyond_horizon = closes >= wall_clock_instant(last_day, 0)
        return OpeningState(True, None if beyond_horizon else closes)
    return OpeningState(False, None)


def is_open(schedule: Schedule, at: datetime) -> bool:
    return opening_state(schedule, at).is_open
