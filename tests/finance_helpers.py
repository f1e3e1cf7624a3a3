"""Builders for the reimbursement tests: a fortnight of their own, debits at a given time.

The test database is shared by the whole session, so each test takes fortnights far in the
future that no other test uses: closing them touches only that test's debits.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, time

from domain.accounts.viewer import Viewer
from domain.cards.transactions import DebitRequest, debit_card
from domain.core import clock
from domain.finance.bank_details import BankDetailsInput, decide, submit
from domain.finance.periods import Fortnight, fortnight_of
from models.accounts import StaffRole
from models.partners import Delegate, DelegatePermission
from tests.factories import PartnerTeam, card_holder, partner_team, staff_member

SPORT = "SPORT_CULTURE_LOISIRS"
_months = itertools.count(0)
IBAN = "FR7630004001000001000123456"  # BNP Paribas
BIC = "BNPAFRPP"


def fresh_fortnights(count: int = 1) -> list[Fortnight]:
    """`count` consecutive fortnights no other test uses (from January 2031 on)."""
    month = next(_months) * 2  # two months per test: room for a next period
    year, month0 = 2031 + month // 12, month % 12
    first = fortnight_of(date(year, month0 + 1, 1))
    periods = [first]
    while len(periods) < count:
        periods.append(periods[-1].next())
    return periods


_past_months = itertools.count(0)


def past_fortnight() -> Fortnight:
    """A fortnight of 2025 no other test uses, over in real time: a page served by a real
    server (the browser tests', whose clock no test freezes) can close it. One a month from
    January 2025, the first half of the month: 20 for the session."""
    month = next(_past_months)
    assert month < 20, "no past fortnight left for the tests"
    return fortnight_of(date(2025 + month // 12, month % 12 + 1, 1))


def paris(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), clock.PARIS)


def viewer_of(user, team: PartnerTeam, delegate: Delegate | None = None) -> Viewer:
    return Viewer(user=user, delegations={team.partner.id: delegate} if delegate else {})


async def principal_viewer(team: PartnerTeam) -> Viewer:
    delegate = await Delegate.get(partner_id=team.partner.id, is_principal=True)
    return viewer_of(team.principal, team, delegate)


async def debit(team: PartnerTeam, when: datetime, cents: int, holder=None, wallet=SPORT):
    """A debit by the principal at `when` (Paris), on a new card holder unless given."""
    with clock.frozen(when):
        holder = holder or await card_holder()
        euros = f"{cents // 100},{cents % 100:02d}"
        return await debit_card(
            await principal_viewer(team),
            DebitRequest(team.partner.id, holder.card.code, wallet, euros, uuid.uuid4().hex),
        )


async def finance_staff() -> Viewer:
    return Viewer(user=await staff_member(StaffRole.FINANCE))


async def paid_partner(name: str = "Librairie") -> PartnerTeam:
    """A partner with validated bank details."""
    team = await partner_team(name=name)
    submitted = await submit(
        await principal_viewer(team), team.partner.id, BankDetailsInput(IBAN, BIC, "SARL " + name)
    )
    await decide(await finance_staff(), submitted.id, approve=True)
    return team


FINANCE = DelegatePermission.FINANCE
