"""Closing a fortnight: each debit repaid once, reversals taken back, figures that add up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise.exceptions import IntegrityError

from domain.accounts.viewer import Viewer
from domain.cards.transactions import cancel_transaction, regularize_transaction
from domain.core import clock
from domain.core.errors import DomainError, ErrorCode
from domain.core.transactions import snapshot
from domain.finance import reconciliation
from domain.finance.reimbursements import close_period
from models import sql
from models.accounts import StaffRole
from models.finance import (
    Reimbursement,
    ReimbursementAdjustment,
    ReimbursementLine,
    ReimbursementWalletTotal,
)
from tests.factories import partner_team, staff_member
from tests.finance_helpers import debit, fresh_fortnights, paris, principal_viewer
from tests.ledger_invariants import assert_ledger_invariants


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(app):
    yield
    await assert_ledger_invariants()


def after(fortnight):
    return clock.frozen(paris(fortnight.ends_on + timedelta(days=1), 2))


async def test_a_period_cannot_close_before_its_last_day_has_ended(settings):
    [period] = fresh_fortnights()
    with clock.frozen(paris(period.ends_on, 23, 59)):
        with pytest.raises(DomainError) as refused:
            await close_period(period.starts_on)
    assert refused.value.code == ErrorCode.PERIOD_NOT_ENDED


async def test_closing_assigns_each_debit_once_with_wallet_totals_and_twice_changes_nothing(
    settings,
):
    [period] = fresh_fortnights()
    team, other = await partner_team(), await partner_team()
    first = await debit(team, paris(period.starts_on, 0, 1), 1050)  # first minute, Paris
    await debit(team, paris(period.ends_on, 23, 59), 250)  # last minute
    await debit(other, paris(period.starts_on + timedelta(days=3)), 700)
    before = await debit(team, paris(period.starts_on - timedelta(days=1), 23, 59), 999)
    cancelled = await debit(team, paris(period.starts_on + timedelta(days=2), 9), 400)
    with clock.frozen(paris(period.starts_on + timedelta(days=2), 18)):
        await cancel_transaction(await principal_viewer(team), cancelled.id)

    with after(period):
        report = await close_period(period.starts_on)
        again = await close_period(period.ends_on)

    mine = await Reimbursement.get(partner_id=team.partner.id, period_id=report.period.id)
    assert (mine.lines_count, mine.lines_cents, mine.amount_cents) == (2, 1300, 1300)
    assert mine.reference.startswith(f"RB{period.starts_on:%Y%m%d}-{team.partner.siret}")
    assert await ReimbursementLine.filter(transaction_id=first.id).exists()
    assert not await ReimbursementLine.filter(transaction_id=before.id).exists()
    assert not await ReimbursementLine.filter(transaction_id=cancelled.id).exists()
    totals = await ReimbursementWalletTotal.filter(reimbursement_id=mine.id)
    assert [(t.wallet_kind, t.transactions_count, t.amount_cents) for t in totals] == [
        ("SPORT_CULTURE_LOISIRS", 2, 1300)
    ]
    theirs = await Reimbursement.get(partner_id=other.partner.id, period_id=report.period.id)
    assert theirs.amount_cents == 700
    assert (report.reimbursements, report.lines, report.total_cents) == (2, 3, 2000)
    assert again.already_closed and (again.lines, again.total_cents) == (3, 2000)
    assert await ReimbursementLine.filter(reimbursement__period_id=report.period.id).count() == 3
    assert report.period.discrepancies is None


async def test_the_database_refuses_a_second_assignment_and_rewritten_lines(settings):
    [period, following] = fresh_fortnights(2)
    team = await partner_team()
    transaction = await debit(team, paris(period.starts_on), 500)
    with after(period):
        first = await close_period(period.starts_on)
    with after(following):
        second = await close_period(following.starts_on)
    line = await ReimbursementLine.get(transaction_id=transaction.id)
    with pytest.raises(IntegrityError):
        await ReimbursementLine.create(
            reimbursement_id=line.reimbursement_id,
            transaction_id=transaction.id,
            wallet_kind=line.wallet_kind,
            amount_cents=500,
            created_at=clock.now(),
        )
    with pytest.raises(Exception, match="append-only"):
        await sql.execute("UPDATE reimbursement_lines SET amount_cents = 1 WHERE id = $1", line.id)
    assert first.lines == 1 and second.lines == 0


async def test_a_regularisation_after_reimbursement_is_taken_back_from_the_next(settings):
    [period, following] = fresh_fortnights(2)
    team = await partner_team()
    reimbursed = await debit(team, paris(period.starts_on + timedelta(days=1)), 1200)
    with after(period):
        await close_period(period.starts_on)
    support = Viewer(user=await staff_member(StaffRole.SUPPORT))
    with clock.frozen(paris(following.starts_on + timedelta(days=2))):
        await regularize_transaction(support, reimbursed.id, "Double saisie signalée par le jeune")
    await debit(team, paris(following.starts_on + timedelta(days=4)), 300)

    with after(following):
        report = await close_period(following.starts_on)

    next_one = await Reimbursement.get(partner_id=team.partner.id, period_id=report.period.id)
    assert (next_one.lines_cents, next_one.adjustments_cents, next_one.amount_cents) == (
        300,
        -1200,
        -900,
    )
    adjustment = await ReimbursementAdjustment.get(transaction_id=reimbursed.id)
    assert adjustment.amount_cents == -1200
    assert report.period.discrepancies is None


async def test_a_regularisation_before_the_close_is_simply_not_reimbursed(settings):
    [period] = fresh_fortnights()
    team = await partner_team()
    transaction = await debit(team, paris(period.starts_on), 800)
    support = Viewer(user=await staff_member(StaffRole.SUPPORT))
    with clock.frozen(paris(period.starts_on + timedelta(days=3))):
        await regularize_transaction(support, transaction.id, "Erreur de porte-monnaie")
    with after(period):
        report = await close_period(period.starts_on)
    assert not await ReimbursementLine.filter(transaction_id=transaction.id).exists()
    assert not await Reimbursement.filter(
        partner_id=team.partner.id, period_id=report.period.id
    ).exists()


async def test_the_figures_add_up_and_a_broken_one_is_found(settings):
    [period] = fresh_fortnights()
    team = await partner_team()
    await debit(team, paris(period.starts_on), 600)
    with after(period):
        await close_period(period.starts_on)
    async with snapshot():
        assert str(team.partner.id) not in {
            g.partner_id for g in await reconciliation.discrepancies()
        }
    mine = await Reimbursement.get(partner_id=team.partner.id, period__starts_on=period.starts_on)
    await Reimbursement.filter(id=mine.id).update(lines_cents=700, amount_cents=700)
    try:
        async with snapshot():
            gaps = {g.partner_id: g for g in await reconciliation.discrepancies()}
        gap = gaps[str(team.partner.id)]
        assert (gap.ledger_cents, gap.from_transactions_cents, gap.from_reimbursements_cents) == (
            600,
            600,
            700,
        )
    finally:
        await Reimbursement.filter(id=mine.id).update(lines_cents=600, amount_cents=600)
