"""Resolvers for school years and the young person's own cards."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.cards import beneficiary_import, school_years
from domain.cards import codes as card_codes
from domain.cards import lifecycle as cards
from domain.cards.states import state_of
from domain.cards.transactions import wallet_balances
from domain.core.errors import DomainError, invalid, not_found
from domain.core.money import parse_euros
from models.cards import Card, SchoolYearWallet
from models.cards import SchoolYear as SchoolYearModel
from resolvers.ids import parse_id
from schema.cards import (
    CardSuccess,
    CreateSchoolYearInput,
    ImportReport,
    MyCard,
    RejectedRow,
    SchoolYear,
    SchoolYearSuccess,
    Wallet,
)
from schema.errors import UserError
from server.context import Info

MAX_CSV_CHARACTERS = 30_000_000  # about 200,000 rows
ImportResult = Annotated[ImportReport | UserError, strawberry.union("ImportResult")]
CardResult = Annotated[CardSuccess | UserError, strawberry.union("CardResult")]
SchoolYearResult = Annotated[SchoolYearSuccess | UserError, strawberry.union("SchoolYearResult")]


async def _my_card(card: Card) -> MyCard:
    """Shape one card of the holder, with every wallet of its year."""
    if not isinstance(card.school_year, SchoolYearModel):  # not loaded with the card
        await card.fetch_related("school_year")
    return MyCard(
        id=strawberry.ID(str(card.id)),
        code=card_codes.format_code(card.code),
        qr_payload=card_codes.qr_payload(card.code),
        kind=card.kind,
        state=state_of(card, card.school_year),
        school_year=card.school_year.label,
        pin_set=card.pin_hash is not None,
        wallets=[Wallet.from_balance(w) for w in await wallet_balances(card)],
    )


async def my_cards(info: Info) -> list[MyCard]:
    user = info.context.viewer.user
    found = (
        await Card.filter(beneficiary__user_id=user.id)
        .select_related("school_year")
        .order_by("-created_at")
    )
    return [await _my_card(card) for card in found]


async def activate_card(info: Info, code: str) -> CardResult:
    try:
        card = await cards.activate_card(info.context.viewer, code)
    except DomainError as error:
        return UserError.from_domain(error)
    return CardSuccess(card=await _my_card(card))


async def declare_card_lost(info: Info, card_id: strawberry.ID, stolen: bool = False) -> CardResult:
    try:
        card = await cards.declare_lost(info.context.viewer, parse_id(card_id, "cardId"), stolen)
    except DomainError as error:
        return UserError.from_domain(error)
    return CardSuccess(card=await _my_card(card))


async def set_card_pin(info: Info, card_id: strawberry.ID, pin: str) -> CardResult:
    try:
        card = await cards.set_pin(info.context.viewer, parse_id(card_id, "cardId"), pin)
    except DomainError as error:
        return UserError.from_domain(error)
    return CardSuccess(card=await _my_card(card))


async def unlock_card_pin(info: Info, card_id: strawberry.ID) -> CardResult:
    try:
        card = await cards.unlock_pin(info.context.viewer, parse_id(card_id, "cardId"))
    except DomainError as error:
        return UserError.from_domain(error)
    return CardSuccess(card=await _my_card(card))


async def replace_card(info: Info, card_id: strawberry.ID) -> CardResult:
    try:
        card = await cards.replace_card(info.context.viewer, parse_id(card_id, "cardId"))
    except DomainError as error:
        return UserError.from_domain(error)
    return CardSuccess(card=await _my_card(card))


async def school_years_list(info: Info) -> list[SchoolYear]:
    years = await SchoolYearModel.all().order_by("-starts_on")
    wallet_types = await SchoolYearWallet.filter(school_year_id__in=[y.id for y in years])
    return [
        SchoolYear.from_model(y, [w for w in wallet_types if w.school_year_id == y.id])
        for y in years
    ]


async def create_school_year(info: Info, input: CreateSchoolYearInput) -> SchoolYearResult:
    try:
        types = None
        if input.wallet_types is not None:
            types = [
                school_years.WalletType(
                    t.kind.strip().upper(), t.label.strip(), parse_euros(t.amount, "walletTypes")
                )
                for t in input.wallet_types
            ]
        year = await school_years.create_school_year(info.context.viewer, input.starts_on, types)
    except DomainError as error:
        return UserError.from_domain(error)
    wallet_types = await SchoolYearWallet.filter(school_year_id=year.id)
    return SchoolYearSuccess(school_year=SchoolYear.from_model(year, wallet_types))


async def import_beneficiaries(info: Info, school_year_id: strawberry.ID, csv: str) -> ImportResult:
    """The year's middle-schoolers from the school software's CSV export; idempotent."""
    try:
        if len(csv) > MAX_CSV_CHARACTERS:
            raise invalid("csv", "Fichier trop volumineux : découpez-le en plusieurs imports.")
        year = await SchoolYearModel.get_or_none(id=parse_id(school_year_id, "schoolYearId"))
        if year is None:
            raise not_found("Année scolaire")
        report = await beneficiary_import.import_middle_schoolers(info.context.viewer, year, csv)
    except DomainError as error:
        return UserError.from_domain(error)
    return ImportReport(
        created=report.created,
        already_present=report.already_present,
        cards_issued=report.cards_issued,
        rejected=[RejectedRow(line=r.line, reason=r.reason) for r in report.rejected],
    )


async def request_digital_card(info: Info, commune_code: str) -> CardResult:
    try:
        card = await cards.request_digital_card(info.context.viewer, commune_code)
    except DomainError as error:
        return UserError.from_domain(error)
    return CardSuccess(card=await _my_card(card))
