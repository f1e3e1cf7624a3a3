"""Opening hours: checked ranges, French public holidays, and whether a partner is open at an
instant in Paris time, on ordinary days, at range boundaries, on both 2026 clock changes,
during exceptional periods and on public holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.core.clock import PARIS
from domain.core.errors import DomainError
from domain.partners.opening_hours import (
    ExceptionalDays,
    Schedule,
    clean_ranges,
    easter_sunday,
    opening_state,
    public_holidays,
    wall_clock_instant,
)

SHOP = {
    day: [["09:00", "12:00"], ["14:00", "18:30"]]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
}


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- checking ranges -------------------------------------------------------------------------


def test_ranges_are_sorted_and_may_end_at_midnight():
    assert clean_ranges([("20:00", "24:00"), ("9:00", "12:00")], "monday") == [
        ["09:00", "12:00"],
        ["20:00", "24:00"],
    ]
    assert clean_ranges([("09:00", "12:00"), ("12:00", "14:00")], "monday") == [
        ["09:00", "12:00"],
        ["12:00", "14:00"],
    ]


@pytest.mark.parametrize(
    ("ranges", "says"),
    [
        ([("10:00", "12:00"), ("11:30", "13:00")], "chevauche"),
        ([("22:00", "02:00")], "24:00"),  # past midnight: split it, the message says how
        ([("12:00", "12:00")], "se termine avant de commencer"),
        ([("09h00", "12:00")], "Heure invalide"),
        ([("09:00", "24:30")], "Heure invalide"),
        ([("25:00", "26:00")], "Heure invalide"),
        ([("09:60", "10:00")], "Heure invalide"),
        ([(f"{h:02d}:00", f"{h:02d}:30") for h in range(7)], "Au plus 6"),
    ],
)
def test_bad_ranges_are_refused_with_a_french_reason(ranges, says):
    with pytest.raises(DomainError) as refused:
        clean_ranges(ranges, "weeklyHours.monday")
    assert says in refused.value.message
    assert refused.value.field == "weeklyHours.monday"


# --- public holidays ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2000, date(2000, 4, 23)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_the_eleven_public_holidays_of_2026():
    holidays = public_holidays(2026)
    assert len(holidays) == 11
    assert holidays[date(2026, 4, 6)] == "Lundi de Pâques"
    assert holidays[date(2026, 5, 14)] == "Ascension"
    assert holidays[date(2026, 5, 25)] == "Lundi de Pentecôte"
    assert {date(2026, 1, 1), date(2026, 7, 14), date(2026, 11, 11), date(2026, 12, 25)} <= set(
        holidays
    )
    assert date(2026, 4, 5) not in holidays  # Easter Sunday is a Sunday anyway


# --- open or closed ----------------------------------------------------------------------------

WITH_HOLIDAYS = Schedule(SHOP, closed_on_public_holidays=True)
SUMMER_BREAK = Schedule(SHOP, exceptions=[ExceptionalDays(date(2026, 8, 3), date(2026, 8, 16), [])])
SHORT_DAY = Schedule(
    SHOP, exceptions=[ExceptionalDays(date(2026, 3, 2), date(2026, 3, 2), [["10:00", "11:00"]])]
)
OPEN_ON_BASTILLE_DAY = Schedule(
    SHOP,
    closed_on_public_holidays=True,
    exceptions=[ExceptionalDays(date(2026, 7, 14), date(2026, 7, 14), [["10:00", "13:00"]])],
)
SUNDAY_MORNING = Schedule({"sunday": [["10:00", "12:00"]]})
# A night club: Saturday 22:00 until 04:00 on Sunday, entered as two ranges.
NIGHT = Schedule({"saturday": [["22:00", "24:00"]], "sunday": [["00:00", "04:00"]]})
SPRING_GAP = Schedule({"sunday": [["00:00", "02:30"]]})
ALWAYS = Schedule({d: [["00:00", "24:00"]] for d in SHOP})  # Monday to Saturday

TRUTH_TABLE = [
    # (schedule, instant, open?, next change) -- Monday 2 March 2026 is an ordinary Monday
    (Schedule(SHOP), paris(2026, 3, 2, 8, 59, 59), False, paris(2026, 3, 2, 9, 0)),
    (Schedule(SHOP), paris(2026, 3, 2, 9, 0), True, paris(2026, 3, 2, 12, 0)),  # start included
    (Schedule(SHOP), paris(2026, 3, 2, 11, 59, 59), True, paris(2026, 3, 2, 12, 0)),
    (Schedule(SHOP), paris(2026, 3, 2, 12, 0), False, paris(2026, 3, 2, 14, 0)),  # end excluded
    (Schedule(SHOP), paris(2026, 3, 2, 18, 30), False, paris(2026, 3, 3, 9, 0)),
    (Schedule(SHOP), paris(2026, 3, 7, 18, 30), False, paris(2026, 3, 9, 9, 0)),  # no Sunday
    (Schedule(), paris(2026, 3, 2, 10, 0), False, None),
    (ALWAYS, paris(2026, 3, 4, 3, 0), True, paris(2026, 3, 8, 0, 0)),  # until Sunday
    # Spring change, Sunday 29 March 2026: 02:00 CET becomes 03:00 CEST (UTC+2).
    (SUNDAY_MORNING, utc(2026, 3, 29, 7, 59), False, utc(2026, 3, 29, 8, 0)),
    (SUNDAY_MORNING, utc(2026, 3, 29, 8, 0), True, utc(2026, 3, 29, 10, 0)),
    (NIGHT, utc(2026, 3, 28, 21, 0), True, utc(2026, 3, 29, 2, 0)),  # 22:00 CET to 04:00 CEST
    (NIGHT, utc(2026, 3, 29, 1, 59), True, utc(2026, 3, 29, 2, 0)),
    (NIGHT, utc(2026, 3, 29, 2, 0), False, utc(2026, 4, 4, 20, 0)),
    (SPRING_GAP, utc(2026, 3, 29, 0, 59), True, utc(2026, 3, 29, 1, 0)),  # 02:30 is skipped
    (SPRING_GAP, utc(2026, 3, 29, 1, 0), False, utc(2026, 4, 4, 22, 0)),
    # Autumn change, Sunday 25 October 2026: 03:00 CEST becomes 02:00 CET (UTC+1).
    (SUNDAY_MORNING, utc(2026, 10, 25, 8, 59), False, utc(2026, 10, 25, 9, 0)),
    (SUNDAY_MORNING, utc(2026, 10, 25, 9, 0), True, utc(2026, 10, 25, 11, 0)),
    (NIGHT, utc(2026, 10, 24, 20, 0), True, utc(2026, 10, 25, 3, 0)),  # 22:00 CEST to 04:00 CET
    (NIGHT, utc(2026, 10, 25, 0, 30), True, utc(2026, 10, 25, 3, 0)),  # 02:30, first time
    (NIGHT, utc(2026, 10, 25, 1, 30), True, utc(2026, 10, 25, 3, 0)),  # 02:30, second time
    (NIGHT, utc(2026, 10, 25, 3, 0), False, utc(2026, 10, 31, 21, 0)),
    # Exceptional periods win over the week and over public holidays.
    (SUMMER_BREAK, paris(2026, 8, 3, 10, 0), False, paris(2026, 8, 17, 9, 0)),
    (SUMMER_BREAK, paris(2026, 7, 31, 17, 0), True, paris(2026, 7, 31, 18, 30)),
    (SHORT_DAY, paris(2026, 3, 2, 9, 30), False, paris(2026, 3, 2, 10, 0)),
    (SHORT_DAY, paris(2026, 3, 2, 10, 30), True, paris(2026, 3, 2, 11, 0)),
    (SHORT_DAY, paris(2026, 3, 2, 11, 0), False, paris(2026, 3, 3, 9, 0)),
    (OPEN_ON_BASTILLE_DAY, paris(2026, 7, 14, 10, 0), True, paris(2026, 7, 14, 13, 0)),
    # Public holidays close the partner only when it says so.
    (WITH_HOLIDAYS, paris(2026, 4, 6, 10, 0), False, paris(2026, 4, 7, 9, 0)),  # Easter Monday
    (Schedule(SHOP), paris(2026, 4, 6, 10, 0), True, paris(2026, 4, 6, 12, 0)),
    (WITH_HOLIDAYS, paris(2026, 5, 13, 17, 0), True, paris(2026, 5, 13, 18, 30)),
    (WITH_HOLIDAYS, paris(2026, 5, 13, 19, 0), False, paris(2026, 5, 15, 9, 0)),  # Ascension
    (WITH_HOLIDAYS, paris(2026, 12, 24, 19, 0), False, paris(2026, 12, 26, 9, 0)),  # Christmas
]


@pytest.mark.parametrize(("schedule", "at", "is_open", "next_change"), TRUTH_TABLE)
def test_opening_state(schedule, at, is_open, next_change):
    state = opening_state(schedule, at)

    assert (state.is_open, state.next_change_at) == (is_open, next_change)


def test_always_open_has_no_next_change():
    every_day = Schedule({d: [["00:00", "24:00"]] for d in [*SHOP, "sunday"]})

    state = opening_state(every_day, utc(2026, 3, 29, 1, 30))

    assert state.is_open and state.next_change_at is None


def test_an_instant_needs_its_offset():
    with pytest.raises(ValueError, match="aware"):
        opening_state(Schedule(SHOP), datetime(2026, 3, 2, 10, 0))


def test_wall_clock_instants_on_the_clock_changes():
    assert wall_clock_instant(date(2026, 3, 29), 2 * 60 + 30) == utc(2026, 3, 29, 1, 0)
    assert wall_clock_instant(date(2026, 3, 29), 3 * 60) == utc(2026, 3, 29, 1, 0)
    assert wall_clock_instant(date(2026, 10, 25), 2 * 60 + 30) == utc(2026, 10, 25, 0, 30)
    assert wall_clock_instant(date(2026, 10, 25), 24 * 60) == utc(2026, 10, 25, 23, 0)
