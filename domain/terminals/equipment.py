"""Equipment the département lends « à son initiative »: TPEs (with or without a thermal
printer) recorded by staff with their serial number, assigned to a partner, optionally
pre-paired before delivery (staff load the credential into the device), and, once
returned, revoked and unassigned. Every step is audited.

A loan is one Terminal row: a device lent again later is recorded again (a revoked
terminal never works again, by a database rule).
"""

from __future__ import annotations

from uuid import UUID, uuid4

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, forbidden, invalid, not_found
from domain.core.text import clean_text
from domain.core.transactions import atomic
from domain.terminals import credentials
from domain.terminals.pairing import (
    IssuedCredential,
    clean_name,
    responsible_delegate,
    revoke,
    snapshot,
)
from models.accounts import StaffRole
from models.partners import Partner, PartnerStatus
from models.terminals import Terminal, TerminalKind, TerminalState

# The staff who manage partners and their conventions (administrators hold every role).
EQUIPMENT_STAFF = (StaffRole.SUPPORT,)
SUPPLIED_KINDS = (TerminalKind.SUPPLIED_TPE, TerminalKind.SUPPLIED_TPE_PRINTER)


def _ensure_staff(viewer: Viewer) -> None:
    if not viewer.has_staff_role(*EQUIPMENT_STAFF):
        raise forbidden("Seul le Département gère le matériel qu'il prête.")


async def record_supplied(
    viewer: Viewer, kind: TerminalKind, serial_number: str, name: str
) -> Terminal:
    _ensure_staff(viewer)
    if TerminalKind(kind) not in SUPPLIED_KINDS:
        raise invalid("kind", "Le matériel prêté est un TPE, avec ou sans imprimante.")
    serial = clean_text("serialNumber", serial_number, max_length=64)
    if not serial:
        raise invalid("serialNumber", "Le numéro de série est obligatoire.")
    terminal = Terminal(
        id=uuid4(),
        partner_id=None,
        name=clean_name(name),
        kind=TerminalKind(kind),
        state=TerminalState.PENDING,
        serial_number=serial,
        created_by_id=viewer.signed_in_user.id,
        created_at=clock.now(),
    )
    async with atomic():
        await terminal.save()
        await record(viewer, "terminal.recorded", terminal, after=snapshot(terminal))
    return terminal


async def _supplied(terminal_id: UUID) -> Terminal:
    terminal = await Terminal.select_for_update().get_or_none(id=terminal_id)
    if terminal is None or terminal.serial_number is None:
        raise not_found("Matériel")
    return terminal


async def assign(viewer: Viewer, terminal_id: UUID, partner_id: UUID) -> Terminal:
    """Lend a recorded device to a partner: it appears in the partner's list, waiting."""
    _ensure_staff(viewer)
    async with atomic():
        terminal = await _supplied(terminal_id)
        if terminal.state != TerminalState.PENDING or terminal.partner_id is not None:
            raise DomainError(
                ErrorCode.INVALID_STATE, "Ce matériel est déjà prêté : enregistrez son retour."
            )
        partner = await Partner.get_or_none(id=partner_id)
        if partner is None or partner.status != PartnerStatus.ACTIVE:
            raise not_found("Partenaire")
        before = snapshot(terminal)
        terminal.partner_id = partner.id
        terminal.responsible_id = await responsible_delegate(partner.id, viewer)
        await terminal.save(update_fields=["partner_id", "responsible_id"])
        await record(
            viewer,
            "terminal.assigned",
            terminal,
            partner_id=partner.id,
            before=before,
            after=snapshot(terminal),
        )
    return terminal


async def pre_pair(viewer: Viewer, terminal_id: UUID) -> IssuedCredential:
    """Pair a lent device before it is delivered: staff load the credential into it."""
    _ensure_staff(viewer)
    credential, stored = credentials.new_credential(terminal_id)
    async with atomic():
        terminal = await _supplied(terminal_id)
        if terminal.partner_id is None or terminal.state != TerminalState.PENDING:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                "Seul un matériel prêté à un partenaire et pas encore appairé se pré-appaire.",
            )
        if terminal.responsible_id is None:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                "Le partenaire n'a pas de délégué principal actif pour répondre du terminal.",
            )
        now = clock.now()
        terminal.state = TerminalState.ACTIVE
        terminal.pairing_code_digest = None
        terminal.pairing_expires_at = None
        terminal.paired_at = now
        terminal.credential_digest = stored
        terminal.credential_issued_at = now
        await terminal.save(
            update_fields=[
                "state",
                "pairing_code_digest",
                "pairing_expires_at",
                "paired_at",
                "credential_digest",
                "credential_issued_at",
            ]
        )
        await record(
            viewer,
            "terminal.pre_paired",
            terminal,
            partner_id=terminal.partner_id,
            before={"state": TerminalState.PENDING.value},
            after={"state": TerminalState.ACTIVE.value},
        )
    return IssuedCredential(terminal, credential)


async def return_supplied(viewer: Viewer, terminal_id: UUID) -> Terminal:
    """A device back at the département: revoked, and no longer the partner's."""
    _ensure_staff(viewer)
    async with atomic():
        terminal = await _supplied(terminal_id)
        partner_id = terminal.partner_id
        await revoke(viewer, terminal, "terminal.returned")
        terminal.partner_id = None
        await terminal.save(update_fields=["partner_id"])
        await record(
            viewer, "terminal.unassigned", terminal, partner_id=partner_id, after=snapshot(terminal)
        )
    return terminal


async def supplied_terminals(partner_id: UUID | None) -> list[Terminal]:
    """The lent devices (of one partner, or all), newest first."""
    query = Terminal.filter(serial_number__isnull=False)
    if partner_id is not None:
        query = query.filter(partner_id=partner_id)
    return await query.order_by("-created_at").limit(500)
