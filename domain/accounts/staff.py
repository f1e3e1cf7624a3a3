"""The département's team: administrators invite staff members, give and take their roles,
deactivate and reactivate them; `cjeune createstaff` makes the first account.

The team is never left without an administrator: a change that would leave no active
administrator (one who is active and has set a password) is refused. The rule is checked
with every active staff row locked (`FOR UPDATE`, in id order so that two changes never
wait on each other in a circle; SQLite's transactions take turns), so two administrators
demoting each other at once cannot both succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tortoise.functions import Max

from domain.accounts import email_tokens, sessions
from domain.accounts.outgoing_email import email_after_commit
from domain.accounts.passwords import check_password_policy, hash_password
from domain.accounts.users import clean_name, normalize_email
from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, forbidden, invalid, not_found
from domain.core.transactions import atomic
from infra.settings import get_settings
from models.accounts import AuthSession, EmailToken, EmailTokenPurpose, StaffRole, User, UserKind
from push.email import OutgoingEmail

ROLE_LABELS = {
    StaffRole.MODERATION: "modération",
    StaffRole.SUPPORT: "support",
    StaffRole.FINANCE: "finances",
    StaffRole.MARKETING: "marketing",
    StaffRole.ADMINISTRATOR: "administrateur",
}
_LAST_ADMINISTRATOR = (
    "Impossible : l'équipe n'aurait plus aucun administrateur actif. "
    "Nommez d'abord un autre administrateur."
)
_CANCELLED_INVITATION = (
    "Cette invitation a été annulée. Demandez à un administrateur de vous inviter à nouveau."
)


class StaffState(StrEnum):
    INVITED = "invited"  # has not set a password yet
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


def state_of(user: User) -> StaffState:
    if not user.is_active:
        return StaffState.DEACTIVATED
    return StaffState.INVITED if user.password_hash is None else StaffState.ACTIVE


@dataclass(frozen=True)
class StaffMember:
    user: User
    state: StaffState
    last_sign_in_at: datetime | None


def _is_active_administrator(user: User) -> bool:
    return state_of(user) == StaffState.ACTIVE and StaffRole.ADMINISTRATOR in user.staff_roles


def _snapshot(user: User) -> dict[str, object]:
    return {"roles": list(user.staff_roles), "state": state_of(user).value}


def _roles(roles: list[StaffRole]) -> list[str]:
    if not roles:
        raise invalid("roles", "Choisissez au moins un rôle.")
    return sorted({StaffRole(r).value for r in roles})


async def staff_members(only: UUID | None = None) -> list[StaffMember]:
    """The whole team (or the one member `only`), by name, with when each last signed in
    (one grouped read)."""
    query = User.filter(kind=UserKind.STAFF)
    if only is not None:
        query = query.filter(id=only)
    users = await query.order_by("last_name", "first_name", "email")
    last = await (
        AuthSession.filter(user_id__in=[u.id for u in users])
        .group_by("user_id")
        .annotate(last=Max("created_at"))
        .values_list("user_id", "last")
    )
    signed_in = {str(user_id): moment for user_id, moment in last}
    return [StaffMember(u, state_of(u), signed_in.get(str(u.id))) for u in users]


async def _team_locked(actor: Viewer) -> dict[UUID, User]:
    """Every active staff row, locked until the transaction ends; refused if the actor is
    no longer an active administrator (another one changed that meanwhile)."""
    team = await User.select_for_update().filter(kind=UserKind.STAFF, is_active=True).order_by("id")
    by_id = {u.id: u for u in team}
    me = by_id.get(actor.signed_in_user.id)
    if me is None or StaffRole.ADMINISTRATOR not in me.staff_roles:
        raise forbidden("Seul un administrateur peut gérer l'équipe.")
    return by_id


def _keep_an_administrator(team: dict[UUID, User]) -> None:
    if not any(_is_active_administrator(u) for u in team.values()):
        raise DomainError(ErrorCode.LAST_ADMINISTRATOR, _LAST_ADMINISTRATOR, "roles")


async def _staff_member(staff_id: UUID) -> User:
    user = await User.select_for_update().get_or_none(id=staff_id, kind=UserKind.STAFF)
    if user is None:
        raise not_found("Membre de l'équipe")
    return user


async def invite_staff_member(
    actor: Viewer, *, email: str, first_name: str, last_name: str, roles: list[StaffRole]
) -> User:
    """A new staff account without a password, and an emailed link to choose one. Inviting
    someone whose invitation is still pending sends a new link (the older ones stop)."""
    email = normalize_email(email)
    granted = _roles(roles)
    first, last = clean_name(first_name, "firstName"), clean_name(last_name, "lastName")
    async with atomic():
        await _team_locked(actor)
        user = await User.select_for_update().get_or_none(email=email)
        before = None
        if user is None:
            user = await User.create(
                email=email,
                kind=UserKind.STAFF,
                staff_roles=granted,
                first_name=first,
                last_name=last,
            )
        elif user.kind != UserKind.STAFF:
            raise DomainError(
                ErrorCode.ACCOUNT_KIND_MISMATCH,
                "Cette adresse e-mail est déjà utilisée par un compte qui n'est pas un compte "
                "du Département. Utilisez l'adresse professionnelle de la personne.",
                "email",
            )
        elif state_of(user) != StaffState.INVITED:
            raise DomainError(
                ErrorCode.EMAIL_ALREADY_USED,
                "Cette personne fait déjà partie de l'équipe"
                + (" (compte désactivé : réactivez-le)." if not user.is_active else "."),
                "email",
            )
        else:
            before = _snapshot(user)
            user.staff_roles, user.first_name, user.last_name = granted, first, last
            await user.save(update_fields=["staff_roles", "first_name", "last_name", "updated_at"])
        await record(
            actor, "staff.invited", user, before=before, after={**_snapshot(user), "email": email}
        )
        await email_tokens.discard_unused(user.id, EmailTokenPurpose.STAFF_INVITATION)
        secret = await email_tokens.issue(user, EmailTokenPurpose.STAFF_INVITATION)
        await email_after_commit(
            OutgoingEmail(
                email,
                "staff_invitation",
                {
                    "first_name": user.first_name,
                    "inviter_name": actor.signed_in_user.full_name,
                    "roles": ", ".join(ROLE_LABELS[StaffRole(r)] for r in granted),
                    "url": f"{get_settings().public_url}/departement/invitation?jeton={secret}",
                    "valid_days": 7,
                },
            )
        )
    return user


async def set_staff_roles(actor: Viewer, staff_id: UUID, roles: list[StaffRole]) -> User:
    granted = _roles(roles)
    async with atomic():
        team = await _team_locked(actor)
        user = team.get(staff_id) or await _staff_member(staff_id)
        before = _snapshot(user)
        user.staff_roles = granted
        _keep_an_administrator(team)
        await user.save(update_fields=["staff_roles", "updated_at"])
        await record(actor, "staff.roles_changed", user, before=before, after=_snapshot(user))
    return user


async def deactivate_staff_member(actor: Viewer, staff_id: UUID) -> User:
    """The person can no longer sign in, and every session they have ends at once."""
    async with atomic():
        team = await _team_locked(actor)
        user = team.get(staff_id) or await _staff_member(staff_id)
        if not user.is_active:
            raise DomainError(ErrorCode.INVALID_STATE, "Ce compte est déjà désactivé.")
        before = _snapshot(user)
        user.is_active = False
        _keep_an_administrator({k: u for k, u in team.items() if k != staff_id})
        await user.save(update_fields=["is_active", "updated_at"])
        await sessions.revoke_all_sessions(user.id, reason="staff_deactivated")
        await email_tokens.discard_unused(user.id, EmailTokenPurpose.STAFF_INVITATION)
        await record(actor, "staff.deactivated", user, before=before, after=_snapshot(user))
    return user


async def reactivate_staff_member(actor: Viewer, staff_id: UUID) -> User:
    """Signing in works again (someone who had not accepted their invitation is invited
    again from the team's page)."""
    async with atomic():
        await _team_locked(actor)
        user = await _staff_member(staff_id)
        if user.is_active:
            raise DomainError(ErrorCode.INVALID_STATE, "Ce compte est déjà actif.")
        before = _snapshot(user)
        user.is_active = True
        await user.save(update_fields=["is_active", "updated_at"])
        await record(actor, "staff.reactivated", user, before=before, after=_snapshot(user))
    return user


async def open_staff_invitation(secret: str) -> EmailToken:
    """The invitation's link (its user loaded) while it works; changes nothing."""
    token = await email_tokens.open_link(secret, EmailTokenPurpose.STAFF_INVITATION)
    if state_of(token.user) != StaffState.INVITED or token.user.kind != UserKind.STAFF:
        raise DomainError(ErrorCode.INVALID_TOKEN, _CANCELLED_INVITATION, "token")
    return token


async def accept_staff_invitation(secret: str, password: str, client_address: str | None) -> User:
    """The invited person chooses their password; the caller then signs them in."""
    await open_staff_invitation(secret)
    async with atomic():
        token = await email_tokens.consume(secret, EmailTokenPurpose.STAFF_INVITATION)
        user = await User.select_for_update().get(id=token.user_id)
        if user.kind != UserKind.STAFF or state_of(user) != StaffState.INVITED:
            raise DomainError(ErrorCode.INVALID_TOKEN, _CANCELLED_INVITATION, "token")
        check_password_policy(
            password, email=user.email, first_name=user.first_name, last_name=user.last_name
        )
        user.password_hash = await hash_password(password)
        user.email_verified_at = user.email_verified_at or clock.now()
        await user.save(update_fields=["password_hash", "email_verified_at", "updated_at"])
        actor = Viewer(user=user, client_address=client_address)
        await record(actor, "staff.invitation_accepted", user, after=_snapshot(user))
    return user
