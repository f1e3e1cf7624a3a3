"""Resolvers for payment terminals: read the arguments, call domain.terminals, answer with
the models or the domain's results (schema/terminals.py shapes them)."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.core.errors import DomainError
from domain.terminals import pairing
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
