"""Who is asking: the signed-in person, their session and their active delegations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from models.accounts import StaffRole, User, UserKind
from models.partners import Delegate, DelegatePermission, Partner


@dataclass(frozen=True)
class TerminalIdentity:
    """A paired payment terminal, authenticated by its own credential (domain/terminals/)."""

    id: UUID
    partner_id: UUID
    name: str
    # The delegate answerable for what it records (its transactions' delegate).
    responsible_user_id: UUID
    # Its partner as read with it (a till's request then reads no partner again).
    partner: Partner | None = field(default=None, compare=False, repr=False)


@dataclass
class Viewer:
    user: User | None = None
    session_id: UUID | None = None
    client_address: str | None = None
    # Active delegations of an active partner, by partner id; loaded once per request.
    delegations: dict[UUID, Delegate] = field(default_factory=dict)
    # When the access token it came from expires (a POSIX timestamp); a WebSocket keeps
    # its connection_init's viewer, and a new operation there needs an unexpired token.
    token_expires_at: int | None = None
    # Anonymous because the access token presented had expired: the client should refresh.
    token_expired: bool = False
    # A payment terminal instead of a person: only the till's fields allow it.
    terminal: TerminalIdentity | None = None

    @property
    def is_authenticated(self) -> bool:
        """A person is signed in (a terminal is not a person: see `is_terminal`)."""
        return self.user is not None

    @property
    def is_terminal(self) -> bool:
        return self.terminal is not None

    def is_terminal_of(self, partner_id: UUID | str | None) -> bool:
        return self.terminal is not None and str(self.terminal.partner_id) == str(partner_id)

    @property
    def acting_user_id(self) -> UUID:
        """Whom a till's record names: the person signed in, or the delegate answerable for
        the terminal."""
        if self.user is not None:
            return self.user.id
        if self.terminal is not None:
            return self.terminal.responsible_user_id
        raise RuntimeError("no one is signed in: the resolver lacks its permission rule")

    @property
    def till_key(self) -> str:
        """Who the lookup limits count: a person, or a terminal."""
        if self.terminal is not None:
            return f"terminal:{self.terminal.id}"
        return str(self.acting_user_id)

    def token_expired_at(self, now: datetime) -> bool:
        """Has the access token behind this viewer expired by `now`?"""
        if self.token_expired:
            return True
        return self.token_expires_at is not None and self.token_expires_at <= now.timestamp()

    @property
    def signed_in_user(self) -> User:
        """The person signed in, for rules that a permission check only lets them reach."""
        if self.user is None:
            raise RuntimeError("no one is signed in: the resolver lacks its permission rule")
        return self.user

    @property
    def is_young_person(self) -> bool:
        return self.user is not None and self.user.kind == UserKind.YOUNG_PERSON

    @property
    def is_staff(self) -> bool:
        return self.user is not None and self.user.kind == UserKind.STAFF

    def has_staff_role(self, *roles: StaffRole) -> bool:
        if self.user is None or self.user.kind != UserKind.STAFF:
            return False
        held = set(self.user.staff_roles)
        return StaffRole.ADMINISTRATOR in held or any(role in held for role in roles)

    def delegation(self, partner_id: UUID | str | None) -> Delegate | None:
        if partner_id is None:
            return None
        try:
            return self.delegations.get(UUID(str(partner_id)))
        except ValueError:
            return None

    def may_act_for(self, partner_id: UUID | str | None, permission: DelegatePermission) -> bool:
        delegate = self.delegation(partner_id)
        return delegate is not None and (
            delegate.is_principal or permission in delegate.permissions
        )

    def is_principal_of(self, partner_id: UUID | str | None) -> bool:
        delegate = self.delegation(partner_id)
        return delegate is not None and delegate.is_principal

    @property
    def actor_kind(self) -> str:
        if self.user is not None:
            return self.user.kind.value
        return "terminal" if self.terminal is not None else "system"
