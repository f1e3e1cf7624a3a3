"""Inactive accounts: a young person's account unused for RETENTION_INACTIVE_ACCOUNT_YEARS
is warned by email, then closed RETENTION_INACTIVE_WARNING_DAYS later if still unused,
through the same closure as `closeMyAccount` (domain/privacy/closure.py).

- Used means a sign-in or a session refresh (`users.last_active_at`, domain/accounts/
  activity.py; `created_at` for an account never used since), or the card: a payment or a
  deal at a partner's counts as much as the app.
- Never warned nor closed while a wallet of a school year not yet closed holds money: the
  young person may spend it until 31 August, and closing would oppose the card. Once the
  year-end job has run (domain/cards/year_end.py), the balance has gone back to the
  département and the account is counted like any other.
- Young people only: partners' delegates and staff accounts belong to a convention or a
  job, and are deactivated when it ends (docs/privacy.md).
- Signing in after the warning clears it; an account that turned out to be in use keeps no
  warning either, so an account is never closed without a warning at least the warning
  period before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.expressions import Q

from domain.accounts.outgoing_email import email_after_commit
from domain.core import clock
from domain.core.transactions import atomic
from domain.privacy.closure import close_inactive_account
from infra.settings import get_settings
from models.accounts import User, UserKind
from models.ledger import AccountKind, LedgerAccount
from models.transactions import BonPlanUse, CardTransaction
from push.email import OutgoingEmail

CHUNK = 200
WARNING_TEMPLATE = "inactive_account_warning"


@dataclass(frozen=True)
class InactivityReport:
    warned: int
    closed: int


def years_before(instant: datetime, years: int) -> datetime:
    try:
        return instant.replace(year=instant.year - years)
    except ValueError:  # 29 February
        return instant.replace(year=instant.year - years, day=28)


def _unused_since(cutoff: datetime) -> Q:
    return Q(last_active_at__lt=cutoff) | Q(last_active_at__isnull=True, created_at__lt=cutoff)


async def _in_use(user_id: UUID, since: datetime) -> bool:
    """The card used since `since`, or money still to spend this school year."""
    card_used = (
        await CardTransaction.filter(
            card__beneficiary__user_id=user_id, created_at__gte=since
        ).exists()
        or await BonPlanUse.filter(
            card__beneficiary__user_id=user_id, created_at__gte=since
        ).exists()
    )
    return (
        card_used
        or await LedgerAccount.filter(
            kind=AccountKind.WALLET,
            beneficiary__user_id=user_id,
            balance_cents__gt=0,
            school_year__closed_at__isnull=True,
        ).exists()
    )


async def _young_people(condition: Q, after: UUID | None) -> list[User]:
    query = User.filter(condition, kind=UserKind.YOUNG_PERSON, is_active=True)
    if after is not None:
        query = query.filter(id__gt=after)
    return await query.order_by("id").limit(CHUNK)


async def warn_inactive_accounts() -> int:
    """Email the accounts unused for the period and not warned yet; returns how many."""
    settings = get_settings()
    now = clock.now()
    cutoff = years_before(now, settings.retention_inactive_account_years)
    closes_on = (now + timedelta(days=settings.retention_inactive_warning_days)).astimezone(
        clock.PARIS
    )
    warned, after = 0, None
    while users := await _young_people(
        _unused_since(cutoff) & Q(inactivity_warned_at__isnull=True), after
    ):
        after = users[-1].id
        for user in users:
            if await _in_use(user.id, cutoff):
                continue
            async with atomic():
                marked = await User.filter(
                    _unused_since(cutoff), id=user.id, inactivity_warned_at__isnull=True
                ).update(inactivity_warned_at=now)
                if marked:
                    await email_after_commit(_warning(user, closes_on.date().strftime("%d/%m/%Y")))
            warned += marked
    return warned


def _warning(user: User, closes_on: str) -> OutgoingEmail:
    return OutgoingEmail(
        user.email,
        WARNING_TEMPLATE,
        {
            "first_name": user.first_name,
            "years": get_settings().retention_inactive_account_years,
            "closes_on": closes_on,
            "url": f"{get_settings().public_url}/connexion",
        },
    )


async def close_warned_accounts() -> int:
    """Close the accounts warned more than the warning period ago and unused since;
    returns how many. One found in use meanwhile (its card) loses its warning instead."""
    settings = get_settings()
    now = clock.now()
    cutoff = years_before(now, settings.retention_inactive_account_years)
    warned_before = now - timedelta(days=settings.retention_inactive_warning_days)
    closed, after = 0, None
    while users := await _young_people(Q(inactivity_warned_at__lt=warned_before), after):
        after = users[-1].id
        for user in users:
            if await _in_use(user.id, cutoff):
                await User.filter(id=user.id).update(inactivity_warned_at=None)
            elif await close_inactive_account(user.id, warned_before):
                closed += 1
    return closed


async def retire_inactive_accounts() -> InactivityReport:
    # Closing first: an account warned tonight is not closed tonight.
    closed = await close_warned_accounts()
    return InactivityReport(warned=await warn_inactive_accounts(), closed=closed)
