"""Resolvers of the support desk: find young people, open a record (audited, domain side)."""

from __future__ import annotations

from datetime import date

import strawberry

from domain.accounts import users
from domain.cards import support_desk
from models.cards import Beneficiary
from resolvers.arguments import parse_id
from resolvers.cards import HeldCard, held_card
from resolvers.context import Info
from resolvers.transactions import CodedTransaction


async def young_people(info: Info, search: str, first: int) -> list[Beneficiary]:
    return await support_desk.find(search, first)


async def open_record(
    info: Info, id: strawberry.ID, reason: str
) -> tuple[Beneficiary, list[HeldCard], list[CodedTransaction]]:
    found = await support_desk.open_record(info.context.viewer, parse_id(id, "id"), reason)
    return found.beneficiary, [await held_card(card) for card in found.cards], found.transactions


async def hotline_transactions(
    info: Info, partner: str, card_code: str, day: date | None, amount: str, first: int
) -> list[CodedTransaction]:
    search = support_desk.TransactionSearch(partner, card_code, day, amount)
    return await support_desk.find_transactions(search, first)


async def resend_verification_email(info: Info, young_person_id: strawberry.ID) -> None:
    await users.resend_verification(info.context.viewer, parse_id(young_person_id, "youngPersonId"))
