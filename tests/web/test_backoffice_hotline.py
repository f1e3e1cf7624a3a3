"""Hotline (support): find yesterday's transaction by partner, card, day or amount and
regularise it with a reason; the money goes back, the partner and the young person hear."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.core import clock
from models.accounts import StaffRole
from models.notifications import Notification
from models.transactions import CardTransaction, TransactionStatus
from tests.factories import staff_member
from tests.ledger_invariants import assert_ledger_invariants
from tests.web.backoffice_helpers import yesterday_s_debit
from tests.web.support import Browser, text_of


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(settings):
    yield
    await assert_ledger_invariants()


async def support_signed_in(browser: Browser):
    await browser.sign_in((await staff_member(StaffRole.SUPPORT)).email)


async def test_yesterday_s_transaction_is_found_and_regularised(browser):
    team, cashier, holder, transaction = await yesterday_s_debit()
    await support_signed_in(browser)
    yesterday = (clock.paris_today() - timedelta(days=1)).isoformat()

    for query in (
        {"partenaire": team.partner.trade_name, "jour": yesterday},
        {"carte": holder.card.code},
        {"montant": "7,35", "jour": yesterday},
    ):
        found = await browser.get("/departement/hotline", params=query)
        assert found.status_code == 200
        assert f'id="transaction-{transaction.id}"' in found.text, query
    url = f"/departement/hotline/{team.partner.id}/{transaction.id}"
    page = await browser.get(url)
    assert page.status_code == 200 and transaction.reference in text_of(page)

    missing = await browser.post(url, {"motif": ""})
    assert missing.status_code == 422 and 'id="motif-erreur"' in missing.text
    short = await browser.post(url, {"motif": "Erreur"})
    assert short.status_code == 422 and "10 caractères" in text_of(short)
    done = await browser.post(url, {"motif": "Double paiement signalé par le partenaire"})

    assert done.status_code == 303
    shown = await browser.follow(done)
    assert f"La transaction {transaction.reference} est régularisée" in text_of(shown)
    regularized = await CardTransaction.get(id=transaction.id)
    assert regularized.status == TransactionStatus.REGULARIZED
    assert regularized.reversal_reason == "Double paiement signalé par le partenaire"
    partner_told = await Notification.get(user_id=team.principal.id, kind="transaction_regularized")
    assert transaction.reference in partner_told.body and "Double paiement" in partner_told.body
    assert await Notification.exists(user_id=cashier.id, kind="transaction_regularized")
    assert await Notification.exists(user_id=holder.user.id, kind="card_regularized")
    again = await browser.get(url)
    assert 'id="regularize-form"' not in again.text and "Régularisée" in text_of(again)


async def test_a_wrong_amount_or_card_code_is_said_next_to_its_field(browser):
    await support_signed_in(browser)
    amount = await browser.get("/departement/hotline", params={"montant": "dix"})
    assert amount.status_code == 422 and 'id="montant-erreur"' in amount.text
    card = await browser.get("/departement/hotline", params={"carte": "PAS-UNE-CARTE"})
    assert card.status_code == 422 and 'id="carte-erreur"' in card.text


async def test_the_hotline_is_the_support_s_only(browser):
    team, _, _, transaction = await yesterday_s_debit()
    await browser.sign_in((await staff_member(StaffRole.FINANCE)).email)
    home = await browser.get("/departement/")
    assert "/departement/hotline" not in home.text
    assert (await browser.get("/departement/hotline")).status_code == 403
    await browser.get("/departement/")
    refused = await browser.post(
        f"/departement/hotline/{team.partner.id}/{transaction.id}",
        {"motif": "Double paiement signalé par le partenaire"},
    )
    assert refused.status_code == 403
    assert (await CardTransaction.get(id=transaction.id)).status == TransactionStatus.COMPLETED
