"""Year end: once 31 August is over, cards expire and unspent money returns to the funding
account ("les sommes non dépensées sont perdues"). Running it twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.cards import ledger
from domain.cards.school_years import is_over
from domain.core import clock
from domain.core.errors import DomainError, ErrorCode
from domain.core.transactions import atomic
from models.cards import Card, CardStatus, SchoolYear
from models.ledger import AccountKind, LedgerAccount
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
