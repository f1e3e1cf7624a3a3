"""Closing a young person's account (GDPR art. 17, the right to erasure).

What identifies the person is erased; what public accounting must keep (transactions,
ledger, reimbursements, statements) stays, pointing at rows that no longer say who:
- the account (`users`): name, birth date, postal code, email (replaced by one that names
  nobody), password and preferences are erased; the row stays, deactivated, because the
  audit trail, the ledger's accounts and the cards refer to it by id;
- the beneficiary: first and last names keep only their first letter (the initials the
  partners' statements already print, so every statement reads the same after), the birth
  date becomes CLOSED_BIRTH_DATE, the school identifier and school go;
- the card photos (`card_photos`, pending, refused or validated) are deleted, rows and files;
- every card still usable is opposed (`closed`): nobody can pay with it again. Its wallets'
  balances stay in the ledger, untouched, and go back to the département with every other
  balance at the school year's end (domain/cards/year_end.py): the ledger still sums to zero;
- deleted: sessions and refresh tokens, emailed links, devices, notifications and their
  deliveries, follows, likes, favourites, themes, campaign sends, parental consent records
  (their proof is kept as long as the account), login failures of the address;
- kept: append-only tables hold ids and no personal data (audit entries, consent events,
  ledger), so they stay as they are; a post report keeps its reason but not its free text;
- the copies of their data they asked for (domain/privacy/export.py) are deleted.

The retention job closes an account left unused the same way (`close_inactive_account`,
domain/privacy/inactivity.py), the system as actor.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from domain.accounts import throttle
from domain.accounts.throttle import email_key
from domain.accounts.viewer import Viewer
from domain.cards import card_photos
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode
from domain.core.transactions import atomic
from domain.privacy import export
from models.accounts import AuthSession, EmailToken, LoginFailure, User, UserKind
from models.campaigns import CampaignRecipient, ThemeInterest
from models.cards import Beneficiary, Card, CardStatus
from models.notifications import Device, Notification, ParentalConsent
from models.offers import Favorite
from models.social import Follow, PostLike, PostReport

# Not anyone's birthday: the constraint that a young person's row has a birth date holds.
CLOSED_BIRTH_DATE = date(1900, 1, 1)
CLOSED_EMAIL_DOMAIN = "compte-ferme.invalid"  # RFC 2606: never delivered


def closed_email() -> str:
    return f"ferme-{uuid4().hex}@{CLOSED_EMAIL_DOMAIN}"


async def close_account(viewer: Viewer, password: str) -> None:
    """The young person closes their own account, confirming with their password."""
    user = viewer.user
    if user is None or user.kind != UserKind.YOUNG_PERSON:
        raise DomainError(ErrorCode.FORBIDDEN, "Seul un jeune peut fermer son compte ici.")
    await throttle.confirm_password(
        user,
        password,
        viewer.client_address,
        DomainError(ErrorCode.INVALID_CREDENTIALS, "Mot de passe incorrect.", "password"),
    )
    async with atomic():
        user = await User.select_for_update().get(id=user.id)
        await _close(user, viewer, "account.closed")
    await export.forget_exports(user.id)


async def close_inactive_account(user_id: UUID, warned_before: datetime) -> bool:
    """The retention job closes an account nobody used since it was warned, before
    `warned_before` (domain/privacy/inactivity.py): the same closure, by the system. False
    when, meanwhile, the person signed in (which clears the warning) or closed it."""
    async with atomic():
        user = await User.select_for_update().get_or_none(id=user_id)
        if (
            user is None
            or not user.is_active
            or user.kind != UserKind.YOUNG_PERSON
            or user.inactivity_warned_at is None
            or user.inactivity_warned_at >= warned_before
        ):
            return False
        await _close(user, Viewer(), "account.closed_inactive")
    await export.forget_exports(user.id)
    return True


async def _close(user: User, actor: Viewer, action: str) -> None:
    """Inside the transaction that holds the user's row."""
    old_email = user.email
    await _oppose_cards_and_pseudonymise(user)
    await _erase_what_is_not_accounting(user, old_email)
    await User.filter(id=user.id).update(
        email=closed_email(),
        first_name="",
        last_name="",
        birth_date=CLOSED_BIRTH_DATE,
        postal_code=None,
        password_hash=None,
        email_verified_at=None,
        is_active=False,
        marketing_email_opt_in=False,
        marketing_push_opt_in=False,
        notify_by_push=False,
        notify_by_email=False,
        last_active_at=None,
        inactivity_warned_at=None,
    )
    await record(actor, action, user)


async def _oppose_cards_and_pseudonymise(user: User) -> None:
    for beneficiary in await Beneficiary.filter(user_id=user.id).select_for_update():
        await Card.filter(
            beneficiary_id=beneficiary.id,
            status__in=[CardStatus.ACTIVE, CardStatus.NOT_ACTIVATED],
        ).update(status=CardStatus.OPPOSED, opposed_at=clock.now(), opposition_reason="closed")
        await Card.filter(beneficiary_id=beneficiary.id).update(pin_hash=None)
        await Beneficiary.filter(id=beneficiary.id).update(
            first_name=beneficiary.first_name[:1],
            last_name=beneficiary.last_name[:1],
            birth_date=CLOSED_BIRTH_DATE,
            school_identifier=None,
            school_name=None,
        )
    await card_photos.erase_photos_of(user.id)


async def _erase_what_is_not_accounting(user: User, old_email: str) -> None:
    for model in (
        AuthSession,
        EmailToken,
        Device,
        Notification,
        Follow,
        PostLike,
        Favorite,
        ThemeInterest,
        CampaignRecipient,
    ):
        await model.filter(user_id=user.id).delete()
    await ParentalConsent.filter(young_person_id=user.id).delete()
    await PostReport.filter(reporter_id=user.id).update(text="")
    await LoginFailure.filter(email_key=email_key(old_email)).delete()
