"""Payment terminals: the partner's list, the two pairing steps, the credential's rotation,
renaming and revocation, and the status a terminal polls; the root fields
`TerminalQueries` and `TerminalMutations` (composed in schema/root.py).

A terminal authenticates with `Authorization: Terminal <credential>`; only the till's
fields allow it (lookupCard, debitCard, cancelTransaction of its own, transaction for its
own tickets, terminalStatus, rotateTerminalCredential). The rules are in domain/terminals/."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.terminals.pairing import IssuedCredential, Pairing
from domain.terminals.pairing import TerminalStatus as StatusModel
from models.accounts import StaffRole
from models.partners import DelegatePermission as DelegatePermissionModel
from models.terminals import Terminal as TerminalModel
from models.terminals import TerminalKind as TerminalKindModel
from models.terminals import TerminalState as TerminalStateModel
from resolvers import terminals as resolvers
from resolvers.context import Info
from resolvers.permissions import (
    ANYONE,
    THE_TERMINAL,
    allow,
    delegate_of_argument,
    manager_of_terminal_argument,
    staff,
)
from schema.errors import UserError, user_errors
from schema.partners import WalletKind

TerminalKind = strawberry.enum(
    TerminalKindModel,
    name="TerminalKind",
    description="SMART_TPE (the web till in terminal mode on the partner's phone or PC), "
    "SUPPLIED_TPE (lent by the département), SUPPLIED_TPE_PRINTER (lent, with a printer).",
)
TerminalState = strawberry.enum(
    TerminalStateModel,
    name="TerminalState",
    description="PENDING (waiting for its pairing code), ACTIVE (paired), REVOKED.",
)


@strawberry.type(description="A partner's payment terminal.")
class Terminal:
    id: strawberry.ID
    name: str
    kind: TerminalKind
    state: TerminalState
    has_printer: bool
    serial_number: str | None = strawberry.field(description="Lent equipment only.")
    created_at: datetime
    paired_at: datetime | None
    last_seen_at: datetime | None = strawberry.field(description="Its last request, to the minute.")
    revoked_at: datetime | None
    partner_id: strawberry.ID | None

    @classmethod
    def from_model(cls, terminal: TerminalModel) -> Terminal:
        return cls(
            id=strawberry.ID(str(terminal.id)),
            name=terminal.name,
            kind=TerminalKindModel(terminal.kind),
            state=TerminalStateModel(terminal.state),
            has_printer=terminal.has_printer,
            serial_number=terminal.serial_number,
            created_at=terminal.created_at,
            paired_at=terminal.paired_at,
            last_seen_at=terminal.last_seen_at,
            revoked_at=terminal.revoked_at,
            partner_id=strawberry.ID(str(terminal.partner_id)) if terminal.partner_id else None,
        )


@strawberry.type(
    description="Step 1 of pairing: the one-time code the terminal types or scans, shown once "
    "and valid until `expiresAt` (about 10 minutes)."
)
class TerminalPairing:
    terminal: Terminal
    pairing_code: str
    expires_at: datetime

    @classmethod
    def of(cls, pairing: Pairing) -> TerminalPairing:
        return cls(
            terminal=Terminal.from_model(pairing.terminal),
            pairing_code=pairing.code,
            expires_at=pairing.expires_at,
        )


@strawberry.type(
    description="Step 2 of pairing (or a rotation): the terminal's credential, handed over "
    "once. Send it as `Authorization: Terminal <credential>`; we keep only its digest."
)
class TerminalCredential:
    terminal: Terminal
    credential: str

    @classmethod
    def of(cls, issued: IssuedCredential) -> TerminalCredential:
        return cls(terminal=Terminal.from_model(issued.terminal), credential=issued.credential)


@strawberry.type(description="What a terminal polls to show « prêt ».")
class TerminalStatus:
    terminal: Terminal
    partner_name: str
    debitable_wallets: list[WalletKind]
    pin_required: bool = strawberry.field(
        description="Whether a debit at this terminal needs the holder's PIN."
    )
    server_time: datetime
    credential_valid: bool = strawberry.field(
        description="Always true in an answer: a revoked or rotated credential gets "
        "UNAUTHENTICATED instead."
    )

    @classmethod
    def of(cls, status: StatusModel) -> TerminalStatus:
        return cls(
            terminal=Terminal.from_model(status.terminal),
            partner_name=status.partner_name,
            debitable_wallets=list(status.debitable_wallets),  # type: ignore[arg-type]
            pin_required=status.pin_required,
            server_time=status.server_time,
            credential_valid=True,
        )


@strawberry.input
class CreateTerminalInput:
    partner_id: strawberry.ID
    name: str = strawberry.field(description="Up to 60 characters, e.g. « Caisse 1 ».")
    kind: TerminalKind = TerminalKindModel.SMART_TPE


@strawberry.input(description="A device the département lends, as staff record it.")
class SuppliedTerminalInput:
    kind: TerminalKind = strawberry.field(description="SUPPLIED_TPE or SUPPLIED_TPE_PRINTER.")
    serial_number: str
    name: str = strawberry.field(description="Up to 60 characters, e.g. « TPE 12 ».")


TerminalResult = Annotated[Terminal | UserError, strawberry.union("TerminalResult")]
TerminalPairingResult = Annotated[
    TerminalPairing | UserError, strawberry.union("TerminalPairingResult")
]
TerminalCredentialResult = Annotated[
    TerminalCredential | UserError, strawberry.union("TerminalCredentialResult")
]

_EQUIPMENT = allow(staff(StaffRole.SUPPORT))
_MANAGERS = delegate_of_argument("partner_id", DelegatePermissionModel.TERMINALS)


@strawberry.type
class TerminalQueries:
    @strawberry.field(
        extensions=allow(_MANAGERS, staff(StaffRole.SUPPORT)),
        description="The partner's terminals: active and waiting first, then revoked (its "
        "terminal managers, and the département's support).",
    )
    async def terminals(self, info: Info, partner_id: strawberry.ID) -> list[Terminal]:
        return [Terminal.from_model(t) for t in await resolvers.terminals(info, partner_id)]

    @strawberry.field(
        extensions=allow(THE_TERMINAL),
        description="The asking terminal's status: server time, wallets, PIN rule.",
    )
    async def terminal_status(self, info: Info) -> TerminalStatus:
        return TerminalStatus.of(await resolvers.terminal_status(info))

    @strawberry.field(
        extensions=_EQUIPMENT,
        description="The devices the département lends (of one partner, or all), newest first.",
    )
    async def supplied_terminals(
        self, info: Info, partner_id: strawberry.ID | None = None
    ) -> list[Terminal]:
        return [
            Terminal.from_model(t) for t in await resolvers.supplied_terminals(info, partner_id)
        ]


@strawberry.type
class TerminalMutations:
    @strawberry.mutation(
        extensions=allow(_MANAGERS),
        description="Step 1: a terminal waiting to pair, and its one-time code (shown once).",
    )
    @user_errors
    async def create_terminal(
        self, info: Info, input: CreateTerminalInput
    ) -> TerminalPairingResult:
        return TerminalPairing.of(await resolvers.create_terminal(info, input))

    @strawberry.mutation(
        extensions=allow(ANYONE),
        description="Step 2, from the terminal: the code for its credential. Single use; "
        "wrong codes are limited per address and per partner.",
    )
    @user_errors
    async def pair_terminal(self, info: Info, code: str) -> TerminalCredentialResult:
        return TerminalCredential.of(await resolvers.pair_terminal(info, code))

    @strawberry.mutation(
        extensions=allow(THE_TERMINAL),
        description="The asking terminal gets a new credential; the old one stops at once.",
    )
    @user_errors
    async def rotate_terminal_credential(self, info: Info) -> TerminalCredentialResult:
        return TerminalCredential.of(await resolvers.rotate_terminal_credential(info))

    @strawberry.mutation(extensions=allow(manager_of_terminal_argument("terminal_id")))
    @user_errors
    async def rename_terminal(
        self, info: Info, terminal_id: strawberry.ID, name: str
    ) -> TerminalResult:
        return Terminal.from_model(await resolvers.rename_terminal(info, terminal_id, name))

    @strawberry.mutation(
        extensions=allow(manager_of_terminal_argument("terminal_id")),
        description="Its next request is refused.",
    )
    @user_errors
    async def revoke_terminal(self, info: Info, terminal_id: strawberry.ID) -> TerminalResult:
        return Terminal.from_model(await resolvers.revoke_terminal(info, terminal_id))

    @strawberry.mutation(
        extensions=_EQUIPMENT, description="Record a device the département lends."
    )
    @user_errors
    async def record_supplied_terminal(
        self, info: Info, input: SuppliedTerminalInput
    ) -> TerminalResult:
        return Terminal.from_model(await resolvers.record_supplied_terminal(info, input))

    @strawberry.mutation(
        extensions=_EQUIPMENT,
        description="Lend a recorded device to a partner: it shows in the partner's list.",
    )
    @user_errors
    async def assign_terminal(
        self, info: Info, terminal_id: strawberry.ID, partner_id: strawberry.ID
    ) -> TerminalResult:
        return Terminal.from_model(await resolvers.assign_terminal(info, terminal_id, partner_id))

    @strawberry.mutation(
        extensions=_EQUIPMENT,
        description="Pair a lent device before delivery: its credential, to load into it.",
    )
    @user_errors
    async def pre_pair_terminal(
        self, info: Info, terminal_id: strawberry.ID
    ) -> TerminalCredentialResult:
        return TerminalCredential.of(await resolvers.pre_pair_terminal(info, terminal_id))

    @strawberry.mutation(
        extensions=_EQUIPMENT,
        description="A device back at the département: revoked and unassigned.",
    )
    @user_errors
    async def return_terminal(self, info: Info, terminal_id: strawberry.ID) -> TerminalResult:
        return Terminal.from_model(await resolvers.return_terminal(info, terminal_id))
