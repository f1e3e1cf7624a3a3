"""A partner's dashboard figures: today's and the fortnight's takings per wallet (cancelled
transactions left out), the next reimbursement (the fortnight under way, then the closed
one waiting for its transfer), and the yearly bon plan commitment."""

from __future__ import annotations

from datetime import date, timedelta

from domain.cards.transactions import cancel_transaction
from domain.core import clock
from domain.finance.reimbursements import close_period
from domain.finance.takings import next_reimbursement, partner_takings
from domain.offers.commitment import bon_plan_commitment
from domain.offers.moderation import withdraw
from tests.factories import partner_team
from tests.finance_helpers import debit, fresh_fortnights, paris, principal_viewer


async def test_takings_of_today_and_of_the_fortnight_per_wallet(app):
    [period] = fresh_fortnights()
    team, other = await partner_team(), await partner_team()
    day = period.starts_on + timedelta(days=4)
    await debit(team, paris(period.starts_on, 0, 1), 1050)  # earlier in the fortnight
    await debit(team, paris(day, 9), 250)
    await debit(team, paris(day, 17), 700)
    await debit(other, paris(day, 10), 5000)  # another partner's
    await debit(team, paris(period.starts_on - timedelta(days=1), 23, 59), 999)  # before
    cancelled = await debit(team, paris(day, 11), 400)
    with clock.frozen(paris(day, 12)):
        await cancel_transaction(await principal_viewer(team), cancelled.id)

    figures = await partner_takings(team.partner.id, day)

    assert (figures.today.transactions_count, figures.today.amount_cents) == (2, 950)
    assert (figures.fortnight.starts_on, figures.fortnight.ends_on) == (
        period.starts_on,
        period.ends_on,
    )
    assert [(w.kind, w.transactions_count, w.amount_cents) for w in figures.fortnight.wallets] == [
        ("SPORT_CULTURE_LOISIRS", 3, 2000)
    ]
    assert figures.fortnight.wallets[0].label  # the school year's own name of the wallet
    quiet = await partner_takings(team.partner.id, period.ends_on + timedelta(days=20))
    assert quiet.today.wallets == [] and quiet.fortnight.amount_cents == 0


async def test_the_next_reimbursement_is_the_fortnight_under_way_then_the_closed_one(app):
    [period] = fresh_fortnights()
    team = await partner_team()
    await debit(team, paris(period.starts_on + timedelta(days=1)), 1234)

    ahead = await next_reimbursement(team.partner.id, period.starts_on)
    assert ahead.reference is None and ahead.amount_cents is None
    assert ahead.period_ends_on == period.ends_on

    with clock.frozen(paris(period.ends_on + timedelta(days=1), 2)):
        await close_period(period.starts_on)
    due = await next_reimbursement(team.partner.id, period.ends_on + timedelta(days=3))
    assert due.amount_cents == 1234 and due.reference and due.status.value == "pending"
    assert due.period_starts_on == period.starts_on and due.transfer_on is None


async def test_the_yearly_commitment_needs_an_approved_deal_not_withdrawn(app):
    from tests.resolvers.test_bon_plan_uses import published_deal, viewer_of

    team = await partner_team()
    today = clock.paris_today()

    missing = await bon_plan_commitment(team.partner.id, today)
    assert not missing.met and missing.ends_on.month == 8 and missing.ends_on.day == 31
    deal = await published_deal(team)
    kept = await bon_plan_commitment(team.partner.id, today)
    assert kept.met and kept.school_year == f"{kept.ends_on.year - 1}-{kept.ends_on.year}"
    next_year = await bon_plan_commitment(team.partner.id, date(kept.ends_on.year, 9, 2))
    assert not next_year.met
    await withdraw(await viewer_of(team.principal), deal.id)
    assert not (await bon_plan_commitment(team.partner.id, today)).met
