"""Resolvers for school years and the young person's own cards: read the input, call
domain.cards, answer with the models (schema/cards.py shapes them); a refused rule raises
DomainError."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry

from domain.cards import beneficiary_import, school_years
from domain.cards import lifecycle as cards
from domain.cards.transactions import WalletBalance, wallet_balances
from domain.core.errors import invalid, not_found
from domain.core.money import parse_euros
from models.cards import Beneficiary, Card, SchoolYear, SchoolYearWallet
from resolvers.arguments import parse_id
from resolvers.context import Info

MAX_CSV_CHARACTERS = 30_000_000  # about 200,000 rows


@dataclass(frozen=True)
class HeldCard:
    """A card of the holder (its school year loaded), with every wallet of its year."""

    card: Card
    wallets: list[WalletBalance]


@dataclass(frozen=True)
class YearWithWallets:
    year: SchoolYear
    wallet_types: list[SchoolYearWallet]


async def _held(card: Card) -> HeldCard:
    if not isinstance(card.school_year, SchoolYear):  # not loaded with the card
        await card.fetch_related("school_year")
    if not isinstance(card.beneficiary, Beneficiary):
        await card.fetch_related("beneficiary")
    return HeldCard(card=card, wallets=await wallet_balances(card))


async def held_card(card: Card) -> HeldCard:
    """A card with its wallets' balances, as its holder (or the support desk) sees it."""
    return await _held(card)


async def my_cards(info: Info) -> list[HeldCard]:
    user = info.context.viewer.user
    found = (
        await Card.filter(beneficiary__user_id=user.id)
        .select_related("school_year", "beneficiary")
        .order_by("-created_at")
    )
    return [await _held(card) for card in found]


async def activate_card(info: Info, code: str) -> HeldCard:
    return await _held(await cards.activate_card(info.context.viewer, code))


async def declare_card_lost(info: Info, card_id: strawberry.ID, stolen: bool) -> HeldCard:
    card = await cards.declare_lost(info.context.viewer, parse_id(card_id, "cardId"), stolen)
    return await _held(card)


async def set_card_pin(info: Info, card_id: strawberry.ID, pin: str) -> HeldCard:
    card = await cards.set_pin(info.context.viewer, parse_id(card_id, "cardId"), pin)
    return await _held(card)


async def unlock_card_pin(info: Info, card_id: strawberry.ID) -> HeldCard:
    return await _held(await cards.unlock_pin(info.context.viewer, parse_id(card_id, "cardId")))


async def replace_card(info: Info, card_id: strawberry.ID) -> HeldCard:
    return await _held(await cards.replace_card(info.context.viewer, parse_id(card_id, "cardId")))


async def request_digital_card(info: Info, commune_code: str) -> HeldCard:
    return await _held(await cards.request_digital_card(info.context.viewer, commune_code))


async def school_years_list(info: Info) -> list[YearWithWallets]:
    years = await SchoolYear.all().order_by("-starts_on")
    wallet_types = await SchoolYearWallet.filter(school_year_id__in=[y.id for y in years])
    return [
        YearWithWallets(y, [w for w in wallet_types if w.school_year_id == y.id]) for y in years
    ]


async def create_school_year(info: Info, input: Any) -> YearWithWallets:
    """`input` is a CreateSchoolYearInput."""
    types = None
    if input.wallet_types is not None:
        types = [
            school_years.WalletType(
                t.kind, (t.label or "").strip(), parse_euros(t.amount, "walletTypes")
            )
            for t in input.wallet_types
        ]
    year = await school_years.create_school_year(info.context.viewer, input.starts_on, types)
    return YearWithWallets(year, await SchoolYearWallet.filter(school_year_id=year.id))


async def import_beneficiaries(
    info: Info, school_year_id: strawberry.ID, csv: str, file_name: str | None = None
) -> beneficiary_import.ImportReport:
    """The year's middle-schoolers from the school software's CSV export; idempotent."""
    if len(csv) > MAX_CSV_CHARACTERS:
        raise invalid("csv", "Fichier trop volumineux : découpez-le en plusieurs imports.")
    year = await SchoolYear.get_or_none(id=parse_id(school_year_id, "schoolYearId"))
    if year is None:
        raise not_found("Année scolaire")
    return await beneficiary_import.import_middle_schoolers(
        info.context.viewer, year, csv, file_name=file_name
    )


async def add_eligible_pupil(
    info: Info, school_year_id: strawberry.ID, input: Any
) -> beneficiary_import.ImportReport:
    """One pupil of the year typed by hand, with the import's checks."""
    year = await SchoolYear.get_or_none(id=parse_id(school_year_id, "schoolYearId"))
    if year is None:
        raise not_found("Année scolaire")
    pupil = beneficiary_import.PupilByHand(
        input.identifier,
        input.last_name,
        input.first_name,
        input.birth_date,
        input.school_name,
        input.commune_code,
    )
    return await beneficiary_import.add_pupil(info.context.viewer, year, pupil)
