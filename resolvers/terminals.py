"""Resolvers for payment terminals: read the arguments, call domain.terminals, answer with
the models or the domain's results (schema/terminals.py shapes them)."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.core.errors import DomainError
from domain.terminals import equipment, pairing
from models.terminals import Terminal
from resolvers.arguments import parse_id
from resolvers.context import Info


async def terminals(info: Info, partner_id: strawberry.ID) -> list[Terminal]:
    try:
        partner = parse_id(partner_id, "partnerId")
    except DomainError:
        return []
    return await pairing.partner_terminals(partner)


async def create_terminal(info: Info, input: Any) -> pairing.Pairing:
    """`input` is a CreateTerminalInput."""
    return await pairing.create_terminal(
        info.context.viewer, parse_id(input.partner_id, "partnerId"), input.name, input.kind
    )


async def pair_terminal(info: Info, code: str) -> pairing.IssuedCredential:
    return await pairing.pair_terminal(info.context.viewer, code, info.context.client_address)


async def rotate_terminal_credential(info: Info) -> pairing.IssuedCredential:
    return await pairing.rotate_credential(info.context.viewer)


async def rename_terminal(info: Info, terminal_id: strawberry.ID, name: str) -> Terminal:
    return await pairing.rename_terminal(
        info.context.viewer, parse_id(terminal_id, "terminalId"), name
    )


async def revoke_terminal(info: Info, terminal_id: strawberry.ID) -> Terminal:
    return await pairing.revoke_terminal(info.context.viewer, parse_id(terminal_id, "terminalId"))


async def terminal_status(info: Info) -> pairing.TerminalStatus:
    return await pairing.terminal_status(info.context.viewer)


async def supplied_terminals(info: Info, partner_id: strawberry.ID | None) -> list[Terminal]:
    try:
        partner = parse_id(partner_id, "partnerId") if partner_id else None
    except DomainError:
        return []
    return await equipment.supplied_terminals(partner)


async def record_supplied_terminal(info: Info, input: Any) -> Terminal:
    """`input` is a SuppliedTerminalInput."""
    return await equipment.record_supplied(
        info.context.viewer, input.kind, input.serial_number, input.name
    )


async def assign_terminal(
    info: Info, terminal_id: strawberry.ID, partner_id: strawberry.ID
) -> Terminal:
    return await equipment.assign(
        info.context.viewer, parse_id(terminal_id, "terminalId"), parse_id(partner_id, "partnerId")
    )


async def pre_pair_terminal(info: Info, terminal_id: strawberry.ID) -> pairing.IssuedCredential:
    return await equipment.pre_pair(info.context.viewer, parse_id(terminal_id, "terminalId"))


async def return_terminal(info: Info, terminal_id: strawberry.ID) -> Terminal:
    return await equipment.return_supplied(info.context.viewer, parse_id(terminal_id, "terminalId"))
