"""School years: from the first day of school to 31 August, in Europe/Paris."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tortoise.exceptions import IntegrityError

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid
from domain.core.text import clean_text
from domain.core.transactions import atomic
from models.cards import SchoolYear, SchoolYearWallet


@dataclass(frozen=True)
class WalletType:
    kind: str
    label: str
    amount_cents: int


# Suggested when staff create a year without saying otherwise; stored per year, never read
# from here afterwards.
DEFAULT_WALLET_TYPES = (
    WalletType("SPORT_CULTURE_LOISIRS", "Sport, culture et loisirs", 100_00),
    WalletType("SOUTIEN_SCOLAIRE", "Soutien scolaire et linguistique", 50_00),
)


def label_of(starts_on: date) -> str:
    return f"{starts_on.year}-{starts_on.year + 1}"


def ends_at(year: SchoolYear) -> datetime:
    """The first instant after the year: 1 September 00:00 in Paris, as an aware datetime."""
    return datetime.combine(year.ends_on + timedelta(days=1), time(0), tzinfo=clock.PARIS)


def is_over(year: SchoolYear, instant: datetime | None = None) -> bool:
    return (instant or clock.now()) >= ends_at(year)


async def create_school_year(
    actor: Viewer, starts_on: date, wallet_types: list[WalletType] | None = None
) -> SchoolYear:
    if not 8 <= starts_on.month <= 9:
        raise invalid("startsOn", "La rentrée scolaire a lieu fin août ou en septembre.")
    types = [
        WalletType(
            t.kind, clean_text(f"walletTypes[{i}].label", t.label, max_length=100), t.amount_cents
        )
        for i, t in enumerate(wallet_types if wallet_types is not None else DEFAULT_WALLET_TYPES)
    ]
    kinds = [t.kind for t in types]
    if len(set(kinds)) != len(kinds):
        raise invalid("walletTypes", "Chaque type de porte-monnaie ne peut figurer qu'une fois.")
    if any(t.amount_cents <= 0 for t in types):
        raise invalid("walletTypes", "Le montant d'un porte-monnaie doit être positif.")
    year = SchoolYear(
        label=label_of(starts_on), starts_on=starts_on, ends_on=date(starts_on.year + 1, 8, 31)
    )
    try:
        async with atomic():
            await year.save()
            await SchoolYearWallet.bulk_create(
                [
                    SchoolYearWallet(
                        school_year=year, kind=t.kind, label=t.label, amount_cents=t.amount_cents
                    )
                    for t in types
                ]
            )
            await record(
                actor,
                "school_year.created",
                year,
                after={"label": year.label, "wallets": {t.kind: t.amount_cents for t in types}},
            )
    except IntegrityError:
        raise DomainError(
            ErrorCode.INVALID_STATE, f"L'année scolaire {year.label} existe déjà.", "startsOn"
        ) from None
    return year


async def school_year_on(day: date) -> SchoolYear | None:
    return await SchoolYear.get_or_none(starts_on__lte=day, ends_on__gte=day)


async def school_year_by_label(label: str) -> SchoolYear | None:
    return await SchoolYear.get_or_none(label=label)
