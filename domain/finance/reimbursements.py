"""Closing a fortnight: every debit of the period that was not reversed is assigned to one
reimbursement of its partner, and reimbursed debits reversed since are taken back.

Set-based (INSERT … SELECT), in one transaction that sees one snapshot: a million debits
close in seconds, and the tills may keep debiting meanwhile. Closing twice changes nothing.
The figures are reconciled before the transaction commits (domain/finance/reconciliation.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from tortoise.exceptions import IntegrityError

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode
from domain.core.transactions import snapshot
from domain.finance import queries, reconciliation
from domain.finance.periods import Fortnight, fortnight_of
from models.finance import Reimbursement, ReimbursementPeriod
from models.partners import Partner

logger = logging.getLogger("cjeune.finance")

Progress = Callable[[int, int], None]
LATE_COMMITS = timedelta(days=1)  # how far before the period unassigned debits are sought


@dataclass(frozen=True)
class CloseReport:
    period: ReimbursementPeriod
    already_closed: bool
    reimbursements: int
    lines: int
    adjustments: int
    total_cents: int


def reference_of(starts_on: date, siret: str) -> str:
    """Stable and readable: the period's first day and the partner's SIRET."""
    return f"RB{starts_on:%Y%m%d}-{siret}"


async def period_row(fortnight: Fortnight) -> ReimbursementPeriod:
    period = await ReimbursementPeriod.get_or_none(starts_on=fortnight.starts_on)
    if period is not None:
        return period
    try:
        return await ReimbursementPeriod.create(
            starts_on=fortnight.starts_on, ends_on=fortnight.ends_on
        )
    except IntegrityError:  # created meanwhile by a concurrent close
        return await ReimbursementPeriod.get(starts_on=fortnight.starts_on)


async def close_period(
    day: date, viewer: Viewer | None = None, progress: Progress | None = None
) -> CloseReport:
    """Close the fortnight containing `day`, once it has ended (Paris days)."""
    fortnight = fortnight_of(day)
    if fortnight.ends_on >= clock.paris_today():
        raise DomainError(
            ErrorCode.PERIOD_NOT_ENDED,
            f"La période {fortnight.label} n'est pas terminée : elle se clôt le lendemain "
            "de son dernier jour.",
        )
    period = await period_row(fortnight)
    steps = 6
    tick = progress or (lambda done, total: None)
    async with snapshot():
        locked = await ReimbursementPeriod.filter(id=period.id).select_for_update().first()
        assert locked is not None
        period = locked
        if period.closed_at is not None:
            return await _report(period, already_closed=True)
        previous = await ReimbursementPeriod.get_or_none(
            starts_on=fortnight.previous().starts_on, closed_at__isnull=False
        )
        # A debit committed after its own period was closed (a late commit: the close runs
        # a day later, a debit commits in milliseconds) joins this one.
        since = fortnight.starts_at.astimezone(UTC)
        if previous is not None:
            since -= LATE_COMMITS
        until = fortnight.ends_before.astimezone(UTC)
        now = clock.now()
        partner_ids = await queries.partners_to_reimburse(since, until)
        tick(1, steps)
        sirets = dict(await Partner.filter(id__in=partner_ids).values_list("id", "siret"))
        await Reimbursement.bulk_create(
            [
                Reimbursement(
                    reference=reference_of(fortnight.starts_on, sirets[p]),
                    partner_id=p,
                    period_id=period.id,
                    created_at=now,
                )
                for p in partner_ids
            ],
            batch_size=1000,
        )
        # Fresh statistics (own rows count): else the planner, believing the table small,
        # walks the debits partner by partner, a million random reads.
        await queries.refresh_statistics("reimbursements")
        tick(2, steps)
        await queries.assign_debits(period.id, since, until, now)
        tick(3, steps)
        await queries.take_back_reversed(period.id, now)
        await queries.refresh_statistics("reimbursement_lines")
        await queries.write_wallet_totals(period.id)
        tick(4, steps)
        await queries.write_totals(period.id)
        tick(5, steps)
        gaps = await reconciliation.discrepancies()
        period.closed_at = now
        period.discrepancies = [g.as_json() for g in gaps] or None
        await period.save(update_fields=["closed_at", "discrepancies"])
        if gaps:
            logger.error("period %s closed with gaps: %s", fortnight.label, gaps[:5])
        if viewer is not None and viewer.user is not None:
            await record(
                viewer,
                "period.closed",
                period,
                after={"reimbursements": len(partner_ids), "gaps": len(gaps)},
            )
        tick(6, steps)
    report = await _report(period, already_closed=False)
    logger.info(
        "period %s closed: %d reimbursements, %d lines, %d adjustments",
        fortnight.label,
        report.reimbursements,
        report.lines,
        report.adjustments,
    )
    return report


async def _report(period: ReimbursementPeriod, *, already_closed: bool) -> CloseReport:
    reimbursements, lines, adjustments, total = await queries.period_counts(period.id)
    return CloseReport(period, already_closed, reimbursements, lines, adjustments, total)


async def close_ended_periods(viewer: Viewer | None = None) -> list[CloseReport]:
    """The daily job: close the fortnight that ended most recently, and the one before if a
    failed run left it open."""
    latest = fortnight_of(clock.paris_today()).previous()
    reports = []
    for fortnight in (latest.previous(), latest):
        existing = await ReimbursementPeriod.get_or_none(starts_on=fortnight.starts_on)
        if existing is None or existing.closed_at is None:
            reports.append(await close_period(fortnight.starts_on, viewer))
    return reports
