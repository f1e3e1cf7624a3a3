"""Delegates: the people who act for a partner, each with their own login and permissions."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.accounts import email_tokens, sessions, throttle
from domain.accounts.outgoing_email import email_after_commit
from domain.accounts.passwords import check_password_policy, hash_password, verify_password
from domain.accounts.users import clean_name, normalize_email
from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, forbidden, invalid, not_found
from domain.core.transactions import atomic
from infra.settings import get_settings
from models.accounts import AuthSession, EmailToken, EmailTokenPurpose, User, UserKind
from models.audit import AuditEntry
from models.partners import Delegate, DelegatePermission, DelegateStatus, Partner
from models.transactions import CardTransaction
from push.email import OutgoingEmail

PERMISSION_LABELS = {
    DelegatePermission.TRANSACTIONS: "transactions",
    DelegatePermission.OFFERS_AND_POSTS: "bons plans, événements et publications",
    DelegatePermission.PROFILE: "profil",
    DelegatePermission.FINANCE: "finances",
    DelegatePermission.DELEGATES: "délégués",
    DelegatePermission.TERMINALS: "terminaux de paiement",
}


def _snapshot(delegate: Delegate) -> dict[str, object]:
    return {
        "status": delegate.status.value,
        "permissions": sorted(delegate.permissions),
        "isPrincipal": delegate.is_principal,
    }


async def _person_for_invitation(email: str, first_name: str, last_name: str) -> User:
    user = await User.get_or_none(email=email)
    if user is None:
        return await User.create(
            email=email,
            kind=UserKind.DELEGATE,
            first_name=clean_name(first_name, "firstName"),
            last_name=clean_name(last_name, "lastName"),
        )
    if user.kind != UserKind.DELEGATE:
        raise DomainError(
            ErrorCode.ACCOUNT_KIND_MISMATCH,
            "Cette adresse e-mail est déjà utilisée par un compte qui n'est pas un compte "
            "partenaire. Utilisez une adresse professionnelle.",
            "email",
        )
    return user


def _check_grant(actor: Viewer, partner_id: UUID, permissions: set[str]) -> None:
    """A collaborator holding the delegates permission manages other collaborators, but
    only the principal (or staff) may hand out the delegates permission itself."""
    if actor.is_staff or actor.is_principal_of(partner_id):
        return
    if DelegatePermission.DELEGATES in permissions:
        raise forbidden("Seul le délégué principal peut accorder la gestion des délégués.")


async def invite(
    actor: Viewer,
    partner: Partner,
    *,
    email: str,
    first_name: str,
    last_name: str,
    permissions: list[DelegatePermission],
    principal: bool = False,
) -> Delegate:
    """Invite a person to act for `partner`; call inside atomic()."""
    email = normalize_email(email)
    granted = {p.value for p in permissions}
    _check_grant(actor, partner.id, granted)
    user = await _person_for_invitation(email, first_name, last_name)
    delegate = await Delegate.get_or_none(partner_id=partner.id, user_id=user.id)
    if delegate is not None and delegate.status not in (
        DelegateStatus.REVOKED,
        DelegateStatus.INVITED,  # inviting again resends the link
    ):
        raise DomainError(
            ErrorCode.ALREADY_DELEGATE, "Cette personne est déjà délégué de ce partenaire.", "email"
        )
    before = _snapshot(delegate) if delegate else None
    if delegate is None:
        delegate = Delegate(partner_id=partner.id, user_id=user.id)
    delegate.is_principal = principal
    delegate.permissions = sorted(granted)
    delegate.status = DelegateStatus.INVITED
    delegate.invited_by_id = actor.user.id if actor.user else None
    await delegate.save()
    await record(
        actor,
        "delegate.invited",
        delegate,
        partner_id=partner.id,
        before=before,
        after={**_snapshot(delegate), "email": email},
    )
    await email_tokens.discard_for_delegate(delegate.id)  # only the newest link works
    secret = await email_tokens.issue(user, EmailTokenPurpose.DELEGATE_INVITATION, delegate.id)
    message = OutgoingEmail(
        email,
        "delegate_invitation",
        {
            "first_name": user.first_name,
            "partner_name": partner.trade_name,
            "inviter_name": actor.user.full_name if actor.user else "Le Département",
            "role_label": "délégué principal" if principal else "délégué",
            "url": f"{get_settings().public_url}/partenaires/invitation?jeton={secret}",
            "valid_days": 7,
        },
    )
    await email_after_commit(message)
    return delegate


async def invite_collaborator(
    actor: Viewer,
    partner_id: UUID,
    *,
    email: str,
    first_name: str,
    last_name: str,
    permissions: list[DelegatePermission],
) -> Delegate:
    async with atomic():
        partner = await Partner.get_or_none(id=partner_id)
        if partner is None:
            raise not_found("Partenaire")
        return await invite(
            actor,
            partner,
            email=email,
            first_name=first_name,
            last_name=last_name,
            permissions=permissions,
        )


_CANCELLED_INVITATION = (
    "Cette invitation a été annulée. Demandez au délégué principal de vous inviter à nouveau."
)


def _not_theirs() -> DomainError:
    return DomainError(
        ErrorCode.INVALID_CREDENTIALS,
        "Vous avez déjà un compte partenaire : saisissez votre mot de passe actuel.",
        "password",
    )


async def open_invitation(secret: str) -> tuple[EmailToken, Delegate]:
    """The link and the invited delegation (its partner loaded) while the link works; for
    the page that asks for the password. Changes nothing."""
    token = await email_tokens.open_link(secret, EmailTokenPurpose.DELEGATE_INVITATION)
    delegate = await Delegate.get_or_none(id=token.delegate_id).select_related("partner")
    if delegate is None or delegate.status != DelegateStatus.INVITED:
        raise DomainError(ErrorCode.INVALID_TOKEN, _CANCELLED_INVITATION, "token")
    return token, delegate


async def accept_invitation(secret: str, password: str, client_address: str | None) -> Delegate:
    opened, _ = await open_invitation(secret)
    confirmed = opened.user.password_hash
    if confirmed is not None:
        # Already a delegate elsewhere: their existing password confirms it is them, and a
        # wrong one counts as a failed sign-in (throttled like one).
        await throttle.confirm_password(opened.user, password, client_address, _not_theirs())
    async with atomic():
        token = await email_tokens.consume(secret, EmailTokenPurpose.DELEGATE_INVITATION)
        delegate = await Delegate.select_for_update().get_or_none(id=token.delegate_id)
        if delegate is None or delegate.status != DelegateStatus.INVITED:
            raise DomainError(ErrorCode.INVALID_TOKEN, _CANCELLED_INVITATION, "token")
        user = await User.select_for_update().get(id=token.user_id)
        if user.password_hash is None:
            check_password_policy(
                password, email=user.email, first_name=user.first_name, last_name=user.last_name
            )
            user.password_hash = await hash_password(password)
        elif user.password_hash != confirmed and not await verify_password(
            password, user.password_hash
        ):  # the password was set or changed since it was confirmed above
            raise _not_theirs()
        user.email_verified_at = user.email_verified_at or clock.now()
        await user.save(update_fields=["password_hash", "email_verified_at", "updated_at"])
        delegate.status = DelegateStatus.ACTIVE
        delegate.accepted_at = clock.now()
        await delegate.save(update_fields=["status", "accepted_at", "updated_at"])
        actor = Viewer(user=user, client_address=client_address)
        await record(
            actor,
            "delegate.invitation_accepted",
            delegate,
            partner_id=delegate.partner_id,
            after=_snapshot(delegate),
        )
    return delegate


async def _managed_delegate(actor: Viewer, delegate_id: UUID) -> Delegate:
    delegate = await Delegate.select_for_update().get_or_none(id=delegate_id)
    if delegate is None:
        raise not_found("Délégué")
    if delegate.is_principal and not actor.is_staff:
        raise forbidden("Le délégué principal ne peut être modifié que par le Département.")
    if actor.user is not None and delegate.user_id == actor.user.id:
        raise forbidden("Vous ne pouvez pas modifier vos propres droits.")
    return delegate


async def set_permissions(
    actor: Viewer, delegate_id: UUID, permissions: list[DelegatePermission]
) -> Delegate:
    async with atomic():
        delegate = await _managed_delegate(actor, delegate_id)
        granted = {p.value for p in permissions}
        _check_grant(actor, delegate.partner_id, granted - set(delegate.permissions))
        before = _snapshot(delegate)
        delegate.permissions = sorted(granted)
        await delegate.save(update_fields=["permissions", "updated_at"])
        await record(
            actor,
            "delegate.permissions_changed",
            delegate,
            partner_id=delegate.partner_id,
            before=before,
            after=_snapshot(delegate),
        )
    return delegate


_TRANSITIONS = {
    DelegateStatus.SUSPENDED: {DelegateStatus.ACTIVE},
    DelegateStatus.ACTIVE: {DelegateStatus.SUSPENDED},
    DelegateStatus.REVOKED: {
        DelegateStatus.INVITED,
        DelegateStatus.ACTIVE,
        DelegateStatus.SUSPENDED,
    },
}
_ACTIONS = {
    DelegateStatus.SUSPENDED: "delegate.suspended",
    DelegateStatus.ACTIVE: "delegate.reactivated",
    DelegateStatus.REVOKED: "delegate.revoked",
}


async def set_status(actor: Viewer, delegate_id: UUID, status: DelegateStatus) -> Delegate:
    """Suspend, reactivate or revoke. Access ends at once: every request re-reads delegations."""
    if status not in _TRANSITIONS:
        raise invalid("status", "Statut de délégué invalide.")
    async with atomic():
        delegate = await _managed_delegate(actor, delegate_id)
        if delegate.status not in _TRANSITIONS[status]:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                f"Impossible : ce délégué est actuellement « {delegate.status.value} ».",
            )
        before = _snapshot(delegate)
        delegate.status = status
        await delegate.save(update_fields=["status", "updated_at"])
        if status == DelegateStatus.REVOKED:
            if not await Delegate.filter(
                user_id=delegate.user_id, status=DelegateStatus.ACTIVE
            ).exists():
                await sessions.revoke_all_sessions(delegate.user_id, reason="delegate_revoked")
        await record(
            actor,
            _ACTIONS[status],
            delegate,
            partner_id=delegate.partner_id,
            before=before,
            after=_snapshot(delegate),
        )
    return delegate


async def last_activity(partner_id: UUID, user_id: UUID) -> datetime | None:
    """When the person last did something that shows: signed in, made a transaction for
    this partner, or an audited change of its data; None before any."""
    moments: list[object] = [
        *await AuditEntry.filter(partner_id=partner_id, actor_id=user_id)
        .order_by("-id")
        .limit(1)
        .values_list("occurred_at", flat=True),
        *await CardTransaction.filter(partner_id=partner_id, delegate_user_id=user_id)
        .order_by("-created_at")
        .limit(1)
        .values_list("created_at", flat=True),
        *await AuthSession.filter(user_id=user_id)
        .order_by("-created_at")
        .limit(1)
        .values_list("created_at", flat=True),
    ]
    found: list[datetime] = [m for m in moments if isinstance(m, datetime)]
    return max(found, default=None)


async def set_daily_collection_email(actor: Viewer, partner_id: UUID, enabled: bool) -> Delegate:
    """The signed-in delegate's own choice: the evening report by email, or not."""
    user = actor.signed_in_user
    async with atomic():
        delegate = await Delegate.select_for_update().get_or_none(
            partner_id=partner_id, user_id=user.id, status=DelegateStatus.ACTIVE
        )
        if delegate is None:
            raise not_found("Délégation")
        before = {"dailyCollectionEmail": delegate.daily_collection_email}
        delegate.daily_collection_email = enabled
        await delegate.save(update_fields=["daily_collection_email", "updated_at"])
        await record(
            actor,
            "delegate.daily_collection_email_set",
            delegate,
            partner_id=partner_id,
            before=before,
            after={"dailyCollectionEmail": enabled},
        )
    return delegate
