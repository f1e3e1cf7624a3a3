"""School years: from the first day of school to 31 August, in Europe/Paris.

A card and its wallets can be spent only within their school year, both ends included in
Paris time (`is_current`; the debit's write checks it too: domain/cards/queries.py). Years
never overlap (checked here and by the database, migrations/0024_school_year_window.py), so
a pupil imported into next year while this year's card still runs holds two cards, but
never two spendable at once: next year's is "pas encore valable" until its first day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tortoise.exceptions import IntegrityError

from domain.accounts.viewer import Viewer
from domain.cards.wallets import DEFAULT_AMOUNTS_CENTS, LABELS, wallet_kind
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid
from domain.core.text import clean_text
from domain.core.transactions import atomic
from models.cards import SchoolYear, SchoolYearWallet
from models.partners import WalletKind


@dataclass(frozen=True)
class WalletType:
    kind: WalletKind
    label: str
    amount_cents: int


# Suggested when staff create a year without saying otherwise; stored per year, never read
# from here afterwards.
DEFAULT_WALLET_TYPES = tuple(
    WalletType(kind, LABELS[kind], amount) for kind, amount in DEFAULT_AMOUNTS_CENTS.items()
)


def label_of(starts_on: date) -> str:
    return f"{starts_on.year}-{starts_on.year + 1}"


def starts_at(year: SchoolYear) -> datetime:
    """The year's first instant: its first day at 00:00 in Paris, as an aware datetime."""
    return datetime.combine(year.starts_on, time(0), tzinfo=clock.PARIS)


def ends_at(year: SchoolYear) -> datetime:
    """The first instant after the year: 1 September 00:00 in Paris, as an aware datetime."""
    return datetime.combine(year.ends_on + timedelta(days=1), time(0), tzinfo=clock.PARIS)


def is_over(year: SchoolYear, instant: datetime | None = None) -> bool:
    return (instant or clock.now()) >= ends_at(year)


def has_started(year: SchoolYear, instant: datetime | None = None) -> bool:
    return (instant or clock.now()) >= starts_at(year)


def is_current(year: SchoolYear, instant: datetime | None = None) -> bool:
    """Whether a card of `year` may be spent at `instant` (now by default)."""
    instant = instant or clock.now()
    return has_started(year, instant) and not is_over(year, instant)


async def _refuse_overlap(starts_on: date, ends_on: date, label: str) -> None:
    """Years never overlap: a pupil must never hold two spendable cards at once."""
    other = await SchoolYear.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).first()
    if other is None:
        return
    if other.label == label:
        raise DomainError(
            ErrorCode.INVALID_STATE, f"L'année scolaire {label} existe déjà.", "startsOn"
        )
    raise DomainError(
        ErrorCode.INVALID_STATE,
        f"Cette année chevaucherait l'année {other.label}, qui court du "
        f"{other.starts_on.strftime('%d/%m/%Y')} au {other.ends_on.strftime('%d/%m/%Y')} : "
        "deux années scolaires ne se chevauchent jamais.",
        "startsOn",
    )


async def create_school_year(
    actor: Viewer, starts_on: date, wallet_types: list[WalletType] | None = None
) -> SchoolYear:
    if not 8 <= starts_on.month <= 9:
        raise invalid("startsOn", "La rentrée scolaire a lieu fin août ou en septembre.")
    types = [  # a kind read from a file or a script is checked too: WALLET_UNKNOWN
        WalletType(
            kind := wallet_kind(t.kind, "walletTypes"),
            clean_text(f"walletTypes[{i}].label", t.label, max_length=100)
            if t.label
            else LABELS[kind],
            t.amount_cents,
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
    await _refuse_overlap(year.starts_on, year.ends_on, year.label)
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
                after={
                    "label": year.label,
                    "wallets": {t.kind.value: t.amount_cents for t in types},
                },
            )
    except IntegrityError:  # a year created meanwhile: the same label, or one overlapping
        await _refuse_overlap(year.starts_on, year.ends_on, year.label)
        raise
    return year


async def school_year_on(day: date) -> SchoolYear | None:
    return await SchoolYear.get_or_none(starts_on__lte=day, ends_on__gte=day)


async def school_year_by_label(label: str) -> SchoolYear | None:
    return await SchoolYear.get_or_none(label=label)
