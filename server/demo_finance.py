"""The demo's money history, for « Mes remboursements » and « Coordonnées bancaires »: the
partners' validated bank details, debits on the demo cards in the two fortnights before
this one, the evening reports of the last one's days, the older fortnight paid and the last one
closed (waiting for its transfer).

Idempotent: a partner that already has a reimbursement is left as it is. Runs after the
cards exist (server/demo.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from domain.accounts.viewer import Viewer
from domain.cards.school_years import school_year_on
from domain.cards.transactions import DebitRequest, debit_card
from domain.core import clock
from domain.finance.bank_details import BankDetailsInput, decide, submit
from domain.finance.daily_collection import send_daily_collection
from domain.finance.payment_batches import create_payment_batch, mark_paid, mark_sent
from domain.finance.periods import Fortnight, fortnight_of
from domain.finance.reimbursements import close_period
from models.accounts import User
from models.cards import Card
from models.finance import BankDetails, Reimbursement
from models.partners import Delegate, Partner

# (SIRET of a demo partner, its wallet, the holder's IBAN and BIC, amounts in cents per day)
HISTORY = [
    (
        "73282932000074",
        "SPORT_CULTURE_LOISIRS",
        "FR7630004001000001000123456",
        "BNPAFRPP",
        [950, 1200, 650],
    ),
    (
        "55208131766522",
        "SOUTIEN_SCOLAIRE",
        "FR1420041010050500013M02606",
        "PSSTFRPP",
        [2000, 1550],
    ),
]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), clock.PARIS)


async def load_finance_demo(say: Callable[[str], None] = print) -> None:
    today = clock.paris_today()
    last = fortnight_of(today).previous()
    older = last.previous()
    year = await school_year_on(today)
    if year is None or older.starts_on < year.starts_on:
        say("remboursements : la rentrée est trop récente pour un historique, rien à faire")
        return
    finance = Viewer(user=await User.get(email="finances@cjeune.test"), client_address="demo")
    # Not a card whose PIN the demo locked (server/demo.py): a till asking for the PIN refuses it.
    cards = await Card.filter(
        school_year_id=year.id, beneficiary__user_id__isnull=False, pin_locked_at__isnull=True
    )
    if not cards:
        return
    created = False
    for siret, wallet, iban, bic, amounts in HISTORY:
        partner = await Partner.get_or_none(siret=siret)
        if partner is None or await Reimbursement.exists(partner_id=partner.id):
            continue
        say(f"remboursements : {partner.trade_name}")
        principal = await Delegate.get(partner_id=partner.id, is_principal=True)
        viewer = Viewer(
            user=await User.get(id=principal.user_id),
            client_address="demo",
            delegations={partner.id: principal},
        )
        if not await BankDetails.exists(partner_id=partner.id):
            with clock.frozen(_at(older.starts_on, 9)):
                details = await submit(
                    viewer, partner.id, BankDetailsInput(iban, bic, partner.legal_name)
                )
                await decide(finance, details.id, approve=True)
        for fortnight in (older, last):
            await _debits(viewer, partner, wallet, fortnight, amounts, cards)
        created = True
    if not created:
        return
    for offset in range(3):  # the evening reports of the last fortnight's days (few emails)
        with clock.frozen(_at(last.starts_on + timedelta(days=offset), 20)):
            await send_daily_collection(last.starts_on + timedelta(days=offset))
    for fortnight in (older, last):
        with clock.frozen(_at(fortnight.ends_on + timedelta(days=1), 2)):
            report = await close_period(fortnight.starts_on, finance)
    with clock.frozen(_at(older.ends_on + timedelta(days=2), 9)):
        older_period = (await close_period(older.starts_on, finance)).period
        batch = await create_payment_batch(finance, older_period.id)
        await mark_sent(finance, batch.id)
    with clock.frozen(_at(older.ends_on + timedelta(days=4), 9)):
        await mark_paid(finance, batch.id)
    say(f"remboursements : quinzaine {report.period.starts_on:%d/%m} close, la précédente payée")


async def _debits(
    viewer: Viewer,
    partner: Partner,
    wallet: str,
    fortnight: Fortnight,
    amounts: list[int],
    cards: list[Card],
) -> None:
    for offset, cents in enumerate(amounts):
        card = cards[offset % len(cards)]
        with clock.frozen(_at(fortnight.starts_on + timedelta(days=offset), 11 + offset)):
            await debit_card(
                viewer,
                DebitRequest(
                    partner.id,
                    card.code,
                    wallet,
                    f"{cents // 100},{cents % 100:02d}",
                    uuid.uuid4().hex,
                ),
            )
