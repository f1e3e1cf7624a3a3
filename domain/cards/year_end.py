"""Year end: once 31 August is over, cards expire and unspent money returns to the funding
account ("les sommes non dépensées sont perdues"). Running it twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count, Sum

from domain.accounts.viewer import Viewer
from domain.cards import ledger
from domain.cards.school_years import is_over
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode
from domain.core.transactions import atomic
from models.cards import Card, CardStatus, SchoolYear
from models.ledger import AccountKind, LedgerAccount, LedgerEntry
from models.ledger import LedgerTransactionKind as Kind

CHUNK = 500


@dataclass(frozen=True)
class YearEndReport:
    wallets_forfeited: int
    forfeited_cents: int
    cards_expired: int


async def close_school_year(
    year: SchoolYear, progress: Callable[[int, int], None] | None = None
) -> YearEndReport:
    if not is_over(year):
        raise DomainError(
            ErrorCode.INVALID_STATE,
            f"L'année {year.label} n'est pas terminée : elle court jusqu'au 31 août inclus.",
        )
    funding = await ledger.funding_account(year.id)
    total = await LedgerAccount.filter(
        kind=AccountKind.WALLET, school_year_id=year.id, balance_cents__gt=0
    ).count()
    forfeited_wallets = forfeited_cents = 0
    while True:
        # Each chunk re-reads the wallets still holding money, so a crash resumes cleanly.
        async with atomic():
            wallets = (
                await LedgerAccount.filter(
                    kind=AccountKind.WALLET, school_year_id=year.id, balance_cents__gt=0
                )
                .order_by("id")
                .limit(CHUNK)
                .select_for_update()
            )
            if not wallets:
                break
            amount = sum(w.balance_cents or 0 for w in wallets)
            lines = [ledger.Line(w, -(w.balance_cents or 0)) for w in wallets]
            await ledger.post(
                Kind.YEAR_FORFEIT,
                f"Fin de l'année {year.label} : soldes non dépensés",
                [*lines, ledger.Line(funding, amount)],
            )
        forfeited_wallets += len(wallets)
        forfeited_cents += amount
        if progress:
            progress(forfeited_wallets, total)
    async with atomic():
        expired = await Card.filter(
            school_year_id=year.id, status__in=[CardStatus.ACTIVE, CardStatus.NOT_ACTIVATED]
        ).update(status=CardStatus.EXPIRED)
        if year.closed_at is None:
            await SchoolYear.filter(id=year.id).update(closed_at=clock.now())
    return YearEndReport(forfeited_wallets, forfeited_cents, expired)


# The figures of a year, before and after its closing (the back office's page)


@dataclass(frozen=True)
class WalletFigures:
    wallet_kind: str
    wallets: int
    wallets_with_money: int
    balance_cents: int


@dataclass(frozen=True)
class YearFigures:
    """What a year holds at one instant: its wallets per kind, its cards per state, and
    what its closing has already forfeited."""

    school_year: SchoolYear
    wallets: list[WalletFigures]
    cards_by_status: dict[str, int]
    forfeited_cents: int
    closed_at: datetime | None


@dataclass(frozen=True)
class YearEndClosing:
    before: YearFigures
    report: YearEndReport
    after: YearFigures


async def year_figures(year: SchoolYear) -> YearFigures:
    wallets = AccountKind.WALLET
    per_kind = (
        await LedgerAccount.filter(kind=wallets, school_year_id=year.id)
        .annotate(count=Count("id"), total=Sum("balance_cents"))
        .group_by("wallet_kind")
        .values("wallet_kind", "count", "total")
    )
    holding = dict(
        await LedgerAccount.filter(kind=wallets, school_year_id=year.id, balance_cents__gt=0)
        .annotate(count=Count("id"))
        .group_by("wallet_kind")
        .values_list("wallet_kind", "count")
    )
    cards = (
        await Card.filter(school_year_id=year.id)
        .annotate(count=Count("id"))
        .group_by("status")
        .values_list("status", "count")
    )
    forfeited = (
        await LedgerEntry.filter(
            account__kind=AccountKind.FUNDING,
            account__school_year_id=year.id,
            ledger_transaction__kind=Kind.YEAR_FORFEIT,
        )
        .annotate(total=Sum("amount_cents"))
        .first()
        .values("total")
    )
    fresh = await SchoolYear.get(id=year.id)
    return YearFigures(
        school_year=fresh,
        wallets=[
            WalletFigures(
                wallet_kind=row["wallet_kind"] or "",
                wallets=int(row["count"] or 0),
                wallets_with_money=int(holding.get(row["wallet_kind"], 0)),
                balance_cents=int(row["total"] or 0),
            )
            for row in sorted(per_kind, key=lambda row: row["wallet_kind"] or "")
        ],
        cards_by_status={str(status): int(count) for status, count in cards},
        forfeited_cents=int((forfeited or {}).get("total") or 0),
        closed_at=fresh.closed_at,
    )


async def close_school_year_by_staff(actor: Viewer, year: SchoolYear) -> YearEndClosing:
    """The closing asked for in the back office: refused before 1 September (Paris), the
    same whether it runs once or again, the figures before and after in the audit trail."""
    if not is_over(year):
        raise DomainError(
            ErrorCode.INVALID_STATE,
            f"L'année {year.label} n'est pas terminée : elle court jusqu'au 31 août "
            f"{year.ends_on.year} inclus. Sa clôture sera possible à partir du 1er septembre.",
        )
    before = await year_figures(year)
    report = await close_school_year(year)
    after = await year_figures(year)
    async with atomic():
        await record(
            actor,
            "school_year.closed",
            year,
            before=_audited(before),
            after={
                **_audited(after),
                "walletsForfeited": report.wallets_forfeited,
                "forfeitedCentsNow": report.forfeited_cents,
                "cardsExpired": report.cards_expired,
            },
        )
    return YearEndClosing(before, report, after)


def _audited(figures: YearFigures) -> dict[str, object]:
    return {
        "balancesCents": {w.wallet_kind: w.balance_cents for w in figures.wallets},
        "cards": figures.cards_by_status,
        "forfeitedCents": figures.forfeited_cents,
    }
