"""Inactive accounts, with the clock moved: a young person's account unused for
RETENTION_INACTIVE_ACCOUNT_YEARS is warned by email (in French: sign in to keep it), then
closed RETENTION_INACTIVE_WARNING_DAYS later, as `closeMyAccount` closes one; signing in
clears the warning; money still to spend this school year holds everything back; partners'
and staff accounts are never touched."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from domain.accounts import sessions
from domain.accounts.viewer import Viewer
from domain.cards.school_years import create_school_year, school_year_by_label
from domain.cards.year_end import close_school_year
from domain.core import clock
from domain.privacy.closure import CLOSED_EMAIL_DOMAIN
from domain.privacy.inactivity import years_before
from domain.privacy.retention import purge_expired
from infra.settings import get_settings
from models.accounts import StaffRole, User
from models.audit import AuditEntry
from models.cards import Card, CardStatus
from models.ledger import LedgerAccount, LedgerEntry
from tests.factories import PASSWORD, card_holder, partner_team, staff_member, young_person
from tests.finance_helpers import debit, paris
from tests.support import jobs_done

WARNING_SUBJECT = "Votre compte CJeune sera fermé le"


def unused_for_the_period(start: datetime, extra: timedelta = timedelta(hours=1)) -> datetime:
    """The instant an account last used at `start` has been unused for the period (+extra)."""
    years = get_settings().retention_inactive_account_years
    return years_before(start, -years) + extra  # years after


def warnings_to(mailbox, address: str) -> list:
    return [m for m in mailbox.to(address) if WARNING_SUBJECT in m["Subject"]]


async def run_at(instant: datetime):
    with clock.frozen(instant):
        report = await purge_expired()
    await jobs_done()
    return report


async def test_an_unused_account_is_warned_then_closed_as_closeMyAccount_closes_one(app, mailbox):
    holder = await card_holder(credit=False)  # a card of this year, no money on it
    person = holder.user
    start = clock.now()
    await run_at(unused_for_the_period(start, -timedelta(hours=1)))
    assert (await User.get(id=person.id)).inactivity_warned_at is None, "warned too early"
    assert not warnings_to(mailbox, person.email)

    warned_at = unused_for_the_period(start)
    report = await run_at(warned_at)
    assert report.inactive_accounts_warned >= 1
    warning = await mailbox.wait_for(person.email, WARNING_SUBJECT)
    closes_on = (warned_at + timedelta(days=30)).astimezone(clock.PARIS).strftime("%d/%m/%Y")
    text = warning.get_body(("plain",)).get_content()
    assert closes_on in warning["Subject"]
    assert "il suffit de vous connecter avant cette date" in text
    assert f"{get_settings().public_url}/connexion" in text
    assert (await User.get(id=person.id)).inactivity_warned_at == warned_at

    await run_at(warned_at + timedelta(days=1))  # warned once, not every night
    assert len(warnings_to(mailbox, person.email)) == 1

    warning_days = get_settings().retention_inactive_warning_days
    await run_at(warned_at + timedelta(days=warning_days, hours=-1))
    assert (await User.get(id=person.id)).is_active, "closed before the warning period"
    report = await run_at(warned_at + timedelta(days=warning_days, hours=1))
    closed = await User.get(id=person.id)
    assert not closed.is_active
    assert closed.email.endswith(CLOSED_EMAIL_DOMAIN)
    assert (closed.first_name, closed.last_name, closed.password_hash) == ("", "", None)
    assert report.inactive_accounts_closed >= 1
    card = await Card.get(id=holder.card.id)
    assert (card.status, card.opposition_reason) == (CardStatus.OPPOSED, "closed")
    entry = await AuditEntry.get(action="account.closed_inactive", object_id=str(person.id))
    assert entry.actor_kind == "system"


async def test_signing_in_after_the_warning_keeps_the_account(app, mailbox):
    person = await young_person()
    warned_at = unused_for_the_period(clock.now())
    await run_at(warned_at)
    await mailbox.wait_for(person.email, WARNING_SUBJECT)

    with clock.frozen(warned_at + timedelta(days=10)):
        await sessions.login(person.email, PASSWORD, "198.51.100.4", "Firefox")
    kept = await User.get(id=person.id)
    assert kept.inactivity_warned_at is None
    assert kept.last_active_at == warned_at + timedelta(days=10)

    await run_at(warned_at + timedelta(days=60))
    kept = await User.get(id=person.id)
    assert kept.is_active and kept.email == person.email
    assert kept.inactivity_warned_at is None


async def test_a_session_refresh_counts_as_use_written_at_most_once_a_day(app):
    person = await young_person()
    start = clock.now()
    with clock.frozen(start):
        issued = await sessions.login(person.email, PASSWORD, "198.51.100.4", "Firefox")
    with clock.frozen(start + timedelta(hours=20)):
        issued = await sessions.refresh(issued.refresh_token)
    assert (await User.get(id=person.id)).last_active_at == start, "written twice in a day"
    refreshed_at = start + timedelta(hours=25)
    with clock.frozen(refreshed_at):
        await sessions.refresh(issued.refresh_token)
    assert (await User.get(id=person.id)).last_active_at == refreshed_at

    await run_at(unused_for_the_period(start))  # unused since the sign-in, not since the refresh
    assert (await User.get(id=person.id)).inactivity_warned_at is None


async def test_money_of_a_school_year_not_closed_holds_the_account_until_the_year_end(app, mailbox):
    """The year-end rule: unspent money goes back to the département once the year is
    closed; until then the young person may spend it, and the card is not opposed."""
    year = await school_year_by_label("2016-2017") or await create_school_year(
        Viewer(), date(2016, 9, 1)
    )
    holder = await card_holder(year)
    wallets = LedgerAccount.filter(beneficiary_id=holder.beneficiary.id)
    warned_at = unused_for_the_period(clock.now())
    await run_at(warned_at)
    assert (await User.get(id=holder.user.id)).inactivity_warned_at is None
    assert not warnings_to(mailbox, holder.user.email)

    await close_school_year(year)  # its balances go back to the département
    entries = await LedgerEntry.filter(account_id__in=await wallets.values_list("id", flat=True))
    await run_at(warned_at + timedelta(days=1))
    await mailbox.wait_for(holder.user.email, WARNING_SUBJECT)
    await run_at(warned_at + timedelta(days=40))

    assert not (await User.get(id=holder.user.id)).is_active
    card = await Card.get(id=holder.card.id)
    assert (card.status, card.pin_hash) == (CardStatus.EXPIRED, None)  # expired at year end
    after = await LedgerEntry.filter(account_id__in=await wallets.values_list("id", flat=True))
    assert [e.id for e in after] == [e.id for e in entries], "the ledger is untouched"
    assert all(w.balance_cents == 0 for w in await wallets)


async def test_a_card_used_at_a_partner_counts_as_use_of_the_account(app, mailbox):
    """A young person who pays with the card but never opens the app is not inactive."""
    starts = date(clock.paris_today().year + 2, 9, 1)
    year = await school_year_by_label(f"{starts.year}-{starts.year + 1}") or (
        await create_school_year(Viewer(), starts)
    )
    holder = await card_holder(year)
    start = clock.now()
    paid_at = paris(starts + timedelta(days=31))
    await debit(await partner_team(), paid_at, 500, holder)
    with clock.frozen(paris(year.ends_on + timedelta(days=1))):
        await close_school_year(year)  # no money left to hold the account

    await run_at(unused_for_the_period(start))
    assert (await User.get(id=holder.user.id)).inactivity_warned_at is None
    await run_at(unused_for_the_period(paid_at))
    await mailbox.wait_for(holder.user.email, WARNING_SUBJECT)


async def test_partners_and_staff_accounts_are_never_warned_nor_closed(app):
    team = await partner_team()
    agent = await staff_member(StaffRole.SUPPORT)
    start = clock.now()
    await run_at(unused_for_the_period(start))
    await run_at(unused_for_the_period(start, timedelta(days=60)))
    for user in (team.principal, agent):
        kept = await User.get(id=user.id)
        assert kept.is_active and kept.inactivity_warned_at is None
