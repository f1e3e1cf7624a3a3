"""Reimbursement periods: the 1st to the 15th and the 16th to the end of each month, in
Paris days. A period's instants run from its first day's midnight to the next period's."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.core.clock import PARIS


@dataclass(frozen=True)
class Fortnight:
    starts_on: date
    ends_on: date

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.starts_on, time(0), PARIS)

    @property
    def ends_before(self) -> datetime:
        """The first instant after the period (midnight in Paris, DST-aware)."""
        return datetime.combine(self.ends_on + timedelta(days=1), time(0), PARIS)

    @property
    def label(self) -> str:
        return f"du {self.starts_on:%d/%m/%Y} au {self.ends_on:%d/%m/%Y}"

    def previous(self) -> Fortnight:
        return fortnight_of(self.starts_on - timedelta(days=1))

    def next(self) -> Fortnight:
        return fortnight_of(self.ends_on + timedelta(days=1))


def fortnight_of(day: date) -> Fortnight:
    if day.day <= 15:
        return Fortnight(day.replace(day=1), day.replace(day=15))
    last = calendar.monthrange(day.year, day.month)[1]
    return Fortnight(day.replace(day=16), day.replace(day=last))
