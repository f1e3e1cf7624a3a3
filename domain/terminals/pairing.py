"""A partner's terminals: create one (step 1: a one-time pairing code), pair it (step 2:
the terminal gets its credential), rotate its credential, rename it, revoke it.

Who may: a delegate of the partner with the terminals permission (the principal holds every
permission). The terminal itself only pairs (with the code) and rotates its own credential.
Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, forbidden, invalid, not_found
from domain.core.text import clean_text
from domain.core.transactions import atomic
from domain.partners.pin_policy import PaymentChannel, pin_required
from domain.terminals import credentials
from infra.counters import shared_counter
from infra.settings import get_settings
from models.partners import Delegate, DelegatePermission, DelegateStatus
from models.terminals import Terminal, TerminalKind, TerminalState

PAIRING_MINUTES = 10
# Codes a partner may create per hour, and wrong codes an address may submit per 10 minutes:
# with 10 symbols of 31 and 10 minutes of life, guessing a live code is out of reach.
CODES_PER_PARTNER_PER_HOUR = 20
WRONG_CODES_PER_ADDRESS = 10
WRONG_CODES_PER_PARTNER = 20
HOUR, TEN_MINUTES = 3600, 600

PAIRING_REFUSED = DomainError(
    ErrorCode.INVALID_TOKEN,
    "Code d'appairage inconnu, expiré ou déjà utilisé : créez un nouveau terminal dans "
    "votre espace partenaire pour en obtenir un autre.",
    "code",
)


@dataclass(frozen=True)
class Pairing:
    """A terminal waiting for its pairing code; the code is shown once, here."""

    terminal: Terminal
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class IssuedCredential:
    """A paired terminal and its credential, handed over once."""

    terminal: Terminal
    credential: str


def snapshot(terminal: Terminal) -> dict[str, object]:
    return {
        "name": terminal.name,
        "kind": TerminalKind(terminal.kind).value,
        "state": TerminalState(terminal.state).value,
        "partnerId": str(terminal.partner_id) if terminal.partner_id else None,
        "serialNumber": terminal.serial_number,
    }


def clean_name(name: str) -> str:
    cleaned = clean_text("name", name, max_length=60)
    if not cleaned:
        raise invalid("name", "Donnez un nom au terminal (par exemple « Caisse 1 »).")
    return cleaned


def may_manage(viewer: Viewer, partner_id: UUID | None) -> bool:
    return partner_id is not None and viewer.may_act_for(partner_id, DelegatePermission.TERMINALS)


async def _limit_creation(partner_id: UUID) -> None:
    counter = shared_counter(get_settings().redis_url)
    created = await counter.hit(f"terminal-codes:partner:{partner_id}", HOUR)
    if created > CODES_PER_PARTNER_PER_HOUR:
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            "Trop de codes d'appairage créés : patientez une heure avant d'en créer d'autres.",
        )


async def new_pairing_code(terminal: Terminal) -> tuple[str, datetime]:
    """Give `terminal` a fresh code (the previous one stops working); saved by the caller."""
    code = credentials.new_pairing_code()
    terminal.pairing_code_digest = credentials.pairing_digest(code)
    terminal.pairing_expires_at = clock.now() + timedelta(minutes=PAIRING_MINUTES)
    return code, terminal.pairing_expires_at


async def responsible_delegate(partner_id: UUID, viewer: Viewer) -> UUID | None:
    """Who answers for a terminal's records: the creating delegate, or else (staff
    pre-pairing lent equipment) the partner's principal delegate."""
    if viewer.delegation(partner_id) is not None and viewer.user is not None:
        return viewer.user.id
    principal = await Delegate.filter(
        partner_id=partner_id, is_principal=True, status=DelegateStatus.ACTIVE
    ).first()
    return principal.user_id if principal else None


async def create_terminal(
    viewer: Viewer, partner_id: UUID, name: str, kind: TerminalKind
) -> Pairing:
    """Step 1: a terminal waiting to pair, and its one-time code (valid PAIRING_MINUTES)."""
    if not may_manage(viewer, partner_id):
        raise forbidden("Seuls les délégués habilités gèrent les terminaux de paiement.")
    name = clean_name(name)
    await _limit_creation(partner_id)
    terminal = Terminal(
        id=uuid4(),
        partner_id=partner_id,
        name=name,
        kind=TerminalKind(kind),
        state=TerminalState.PENDING,
        created_by_id=viewer.signed_in_user.id,
        responsible_id=viewer.signed_in_user.id,
        created_at=clock.now(),
    )
    code, expires_at = await new_pairing_code(terminal)
    async with atomic():
        await terminal.save()
        await record(
            viewer, "terminal.created", terminal, partner_id=partner_id, after=snapshot(terminal)
        )
    return Pairing(terminal, code, expires_at)


async def _count_wrong_code(client_address: str | None) -> None:
    counter = shared_counter(get_settings().redis_url)
    await counter.hit(f"terminal-pairing:address:{client_address}", TEN_MINUTES)


async def _ensure_pairing_allowed(client_address: str | None) -> None:
    counter = shared_counter(get_settings().redis_url)
    wrong = await counter.peek(f"terminal-pairing:address:{client_address}", TEN_MINUTES)
    if wrong >= WRONG_CODES_PER_ADDRESS:
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            "Trop de codes d'appairage erronés : patientez dix minutes avant de réessayer.",
        )


async def _ensure_partner_not_attacked(partner_id: UUID | None) -> None:
    counter = shared_counter(get_settings().redis_url)
    wrong = await counter.peek(f"terminal-pairing:partner:{partner_id}", TEN_MINUTES)
    if wrong >= WRONG_CODES_PER_PARTNER:
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            "Trop d'essais d'appairage pour ce partenaire : patientez dix minutes.",
        )


async def pair_terminal(viewer: Viewer, typed_code: str, client_address: str) -> IssuedCredential:
    """Step 2: the terminal submits the code and receives its credential. The code is used
    once, whoever wins a race: the conditional update decides."""
    viewer = replace(viewer, client_address=client_address)  # the audit entry's address
    await _ensure_pairing_allowed(client_address)
    code = credentials.normalize_pairing_code(typed_code)
    terminal = (
        await Terminal.get_or_none(pairing_code_digest=credentials.pairing_digest(code))
        if code is not None
        else None
    )
    now = clock.now()
    if (
        terminal is None
        or terminal.state != TerminalState.PENDING
        or terminal.pairing_expires_at is None
        or terminal.pairing_expires_at <= now
    ):
        await _count_wrong_code(viewer.client_address)
        if terminal is not None:  # an expired code of this partner: someone is trying
            await shared_counter(get_settings().redis_url).hit(
                f"terminal-pairing:partner:{terminal.partner_id}", TEN_MINUTES
            )
        raise PAIRING_REFUSED
    await _ensure_partner_not_attacked(terminal.partner_id)
    credential, stored = credentials.new_credential(terminal.id)
    async with atomic():
        paired = await Terminal.filter(
            id=terminal.id,
            state=TerminalState.PENDING,
            pairing_code_digest=terminal.pairing_code_digest,
            pairing_expires_at__gt=now,
        ).update(
            state=TerminalState.ACTIVE,
            pairing_code_digest=None,
            pairing_expires_at=None,
            paired_at=now,
            credential_digest=stored,
            credential_issued_at=now,
            last_seen_at=now,
        )
        if not paired:
            raise PAIRING_REFUSED
        await terminal.refresh_from_db()
        await record(
            viewer,
            "terminal.paired",
            terminal,
            partner_id=terminal.partner_id,
            before={"state": TerminalState.PENDING.value},
            after={"state": TerminalState.ACTIVE.value},
        )
    return IssuedCredential(terminal, credential)


async def rotate_credential(viewer: Viewer) -> IssuedCredential:
    """The terminal swaps its credential for a new one; the old one stops at once."""
    if viewer.terminal is None:
        raise forbidden("Seul un terminal renouvelle son identifiant.")
    credential, stored = credentials.new_credential(viewer.terminal.id)
    async with atomic():
        rotated = await Terminal.filter(id=viewer.terminal.id, state=TerminalState.ACTIVE).update(
            credential_digest=stored, credential_issued_at=clock.now()
        )
        if not rotated:
            raise not_found("Terminal")
        terminal = await Terminal.get(id=viewer.terminal.id)
        await record(
            viewer, "terminal.credential_rotated", terminal, partner_id=terminal.partner_id
        )
    return IssuedCredential(terminal, credential)


async def _managed(viewer: Viewer, terminal_id: UUID) -> Terminal:
    terminal = await Terminal.select_for_update().get_or_none(id=terminal_id)
    if terminal is None or not (may_manage(viewer, terminal.partner_id) or viewer.is_staff):
        raise not_found("Terminal")
    return terminal


async def rename_terminal(viewer: Viewer, terminal_id: UUID, name: str) -> Terminal:
    name = clean_name(name)
    async with atomic():
        terminal = await _managed(viewer, terminal_id)
        if terminal.name == name:
            return terminal
        before = snapshot(terminal)
        terminal.name = name
        await terminal.save(update_fields=["name"])
        await record(
            viewer,
            "terminal.renamed",
            terminal,
            partner_id=terminal.partner_id,
            before=before,
            after=snapshot(terminal),
        )
    return terminal


async def revoke(viewer: Viewer, terminal: Terminal, action: str = "terminal.revoked") -> None:
    """Inside atomic(), on a locked row: the credential and any pairing code stop for good."""
    if terminal.state == TerminalState.REVOKED:
        return
    before = snapshot(terminal)
    terminal.state = TerminalState.REVOKED
    terminal.credential_digest = None
    terminal.pairing_code_digest = None
    terminal.pairing_expires_at = None
    terminal.revoked_at = clock.now()
    terminal.revoked_by_id = viewer.signed_in_user.id
    await terminal.save(
        update_fields=[
            "state",
            "credential_digest",
            "pairing_code_digest",
            "pairing_expires_at",
            "revoked_at",
            "revoked_by_id",
        ]
    )
    await record(
        viewer,
        action,
        terminal,
        partner_id=terminal.partner_id,
        before=before,
        after=snapshot(terminal),
    )


async def revoke_terminal(viewer: Viewer, terminal_id: UUID) -> Terminal:
    """Its next request is refused: the credential is read on every request."""
    async with atomic():
        terminal = await _managed(viewer, terminal_id)
        await revoke(viewer, terminal)
    return terminal


async def partner_terminals(partner_id: UUID) -> list[Terminal]:
    """Active and waiting first, then revoked; newest first within each."""
    rows = await Terminal.filter(partner_id=partner_id).order_by("-created_at")
    return sorted(rows, key=lambda t: t.state == TerminalState.REVOKED)


@dataclass(frozen=True)
class TerminalStatus:
    """What a terminal polls to show « prêt »: cheap, one read of its partner."""

    terminal: Terminal
    partner_name: str
    debitable_wallets: list[str]
    pin_required: bool
    server_time: datetime


async def terminal_status(viewer: Viewer) -> TerminalStatus:
    if viewer.terminal is None:
        raise forbidden("Réservé aux terminaux de paiement.")
    terminal = await Terminal.get(id=viewer.terminal.id).select_related("partner")
    partner = terminal.partner
    assert partner is not None  # an active terminal has its partner (database CHECK)
    return TerminalStatus(
        terminal=terminal,
        partner_name=partner.trade_name,
        debitable_wallets=list(partner.debitable_wallets),
        pin_required=pin_required(partner, PaymentChannel.TERMINAL),
        server_time=clock.now(),
    )
