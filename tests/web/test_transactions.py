"""The « Transactions » tab: the day's list, the printable ticket, the same-day
cancellation, the hotline after that day; permissions, and partners kept apart by URL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.transactions import atomic
from domain.partners.delegates import invite
from models.partners import Delegate, DelegatePermission
from models.transactions import CardTransaction, TransactionStatus
from tests.factories import accept, card_holder, collaborator, till
from tests.ledger_invariants import assert_ledger_invariants
from tests.web.support import Browser, text_of
from tests.web.test_till import balance, field_value, look_up, pay


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(settings):
    yield
    await assert_ledger_invariants()


async def debit(browser: Browser, holder, amount: str) -> CardTransaction:
    await browser.get("/partenaires/caisse")
    await look_up(browser, holder.card.code)
    paid = await pay(browser, amount)
    assert paid.status_code == 200, text_of(paid)
    return await CardTransaction.filter(card_id=holder.card.id).order_by("-created_at").first()


async def test_today_s_transactions_are_listed_with_their_ticket_and_cancellation(browser):
    _, cashier = await till()
    await browser.sign_in(cashier.email)
    first, second = await card_holder(), await card_holder()
    one = await debit(browser, first, "10,55")
    two = await debit(browser, second, "4")

    listed = await browser.get("/partenaires/transactions")

    assert listed.status_code == 200
    shown = text_of(listed)
    assert "Transactions d'aujourd'hui" in shown
    assert shown.index(two.reference) < shown.index(one.reference)  # newest first
    assert "10,55 €" in shown and "4,00 €" in shown and "Colette Laborde" in shown
    for transaction in (one, two):
        assert f'href="/partenaires/transactions/{transaction.id}/annulation"' in listed.text
        assert f'href="/partenaires/transactions/{transaction.id}/ticket"' in listed.text


async def test_the_ticket_prints_the_receipt_at_58_or_80_mm(browser):
    _, cashier = await till()
    await browser.sign_in(cashier.email)
    transaction = await debit(browser, await card_holder(), "10,55")

    narrow = await browser.get(f"/partenaires/transactions/{transaction.id}/ticket")
    wide = await browser.get(f"/partenaires/transactions/{transaction.id}/ticket?largeur=80")

    for page, width in ((narrow, 32), (wide, 48)):
        assert page.status_code == 200
        ticket = re.search(
            r'<pre class="ticket ticket--\d+" id="ticket"[^>]*>(.*?)</pre>', page.text, re.S
        )
        lines = ticket.group(1).replace("&#39;", "'").splitlines()
        assert any("MONTANT" in line and "10,55 €" in line for line in lines)
        assert any(transaction.reference in line for line in lines)
        assert max(len(line) for line in lines) <= width
    assert 'class="ticket ticket--58"' in narrow.text and 'class="ticket ticket--80"' in wide.text
    assert 'id="print-button" hidden' in narrow.text and "/assets/js/print." in narrow.text
    css = await browser.http.get(re.search(r'href="(/assets/css/site\.[^"]+)"', narrow.text)[1])
    assert "@page ticket-58 { margin: 0; }" in css.text
    assert "page: ticket-58; width: 58mm" in css.text and "page: ticket-80; width: 80mm" in css.text


async def test_a_transaction_is_cancelled_the_same_day_after_a_confirmation(browser):
    _, cashier = await till()
    await browser.sign_in(cashier.email)
    holder = await card_holder()
    transaction = await debit(browser, holder, "10,55")
    url = f"/partenaires/transactions/{transaction.id}/annulation"

    asked = await browser.get(url)
    assert asked.status_code == 200 and "Confirmer l'annulation" in text_of(asked)
    assert (await CardTransaction.get(id=transaction.id)).status == TransactionStatus.COMPLETED

    done = await browser.post(url)

    assert done.status_code == 200
    assert "Transaction annulée" in text_of(done) and "nouveau solde 100,00 €" in text_of(done)
    assert (await CardTransaction.get(id=transaction.id)).status == TransactionStatus.CANCELLED
    assert await balance(holder) == 10000
    listed = await browser.get("/partenaires/transactions")
    assert "Annulée" in text_of(listed) and url not in listed.text
    await browser.get(f"/partenaires/transactions/{transaction.id}/ticket")
    again = await browser.post(url, {"csrf": browser.csrf()})
    assert again.status_code == 409 and "déjà annulée" in text_of(again)
    assert await balance(holder) == 10000


async def test_yesterday_s_transaction_sends_the_cashier_to_the_hotline(browser):
    _, cashier = await till()
    await browser.sign_in(cashier.email)
    holder = await card_holder()
    with clock.frozen(clock.now() - timedelta(days=1)):
        transaction = await debit(browser, holder, "5")
    yesterday = (clock.paris_today() - timedelta(days=1)).isoformat()

    listed = await browser.get(f"/partenaires/transactions?jour={yesterday}")
    refused = await browser.get(f"/partenaires/transactions/{transaction.id}/annulation")

    assert transaction.reference in text_of(listed)
    assert "/annulation" not in listed.text
    assert "appelez la hotline au 04 86 68 80 07" in text_of(listed)
    assert refused.status_code == 409
    assert "Annulation impossible" in text_of(refused) and "04 86 68 80 07" in text_of(refused)
    assert (await CardTransaction.get(id=transaction.id)).status == TransactionStatus.COMPLETED


async def test_the_list_pages_and_filters_by_delegate(browser):
    team, cashier = await till()
    other = await collaborator(team, DelegatePermission.TRANSACTIONS)
    await browser.sign_in(cashier.email)
    holder = await card_holder()
    mine = [await debit(browser, holder, "1") for _ in range(26)]
    await browser.post("/deconnexion")
    await browser.sign_in(other.email)
    theirs = await debit(browser, holder, "2")
    await browser.post("/deconnexion")
    await browser.sign_in(team.principal.email)

    everyone = await browser.get("/partenaires/transactions")
    assert theirs.reference in text_of(everyone)
    assert f'<option value="{cashier.id}"' in everyone.text  # the principal lists the team
    older = re.search(r'href="([^"]+)" id="older"', everyone.text)[1].replace("&amp;", "&")
    rest = await browser.get(older)
    assert mine[0].reference in text_of(rest) and theirs.reference not in text_of(rest)
    only_cashier = await browser.get(f"/partenaires/transactions?delegue={cashier.id}")
    assert theirs.reference not in text_of(only_cashier)
    assert mine[-1].reference in text_of(only_cashier)


async def test_a_collaborator_without_the_till_permission_sees_no_till(browser):
    team, _ = await till()
    finance = await collaborator(team, DelegatePermission.FINANCE)
    nothing = await collaborator(team, DelegatePermission.PROFILE)

    await browser.sign_in(finance.email)
    home = await browser.get("/partenaires/")
    assert 'href="/partenaires/caisse"' not in home.text
    assert 'href="/partenaires/transactions"' in home.text  # FINANCE reads the transactions
    assert (await browser.get("/partenaires/caisse")).status_code == 403
    await browser.get("/partenaires/")
    assert (await browser.post("/partenaires/caisse", {"code": "X"})).status_code == 403
    listed = await browser.get("/partenaires/transactions")
    assert listed.status_code == 200 and "/annulation" not in listed.text

    await browser.post("/deconnexion")
    await browser.sign_in(nothing.email)
    home = await browser.get("/partenaires/")
    assert 'href="/partenaires/caisse"' not in home.text
    assert 'href="/partenaires/transactions"' not in home.text
    assert (await browser.get("/partenaires/caisse")).status_code == 403
    assert (await browser.get("/partenaires/transactions")).status_code == 403


async def test_partner_b_cannot_reach_partner_a_s_till_transactions_or_tickets(
    browser, other_browser
):
    team_a, cashier_a = await till()
    _, cashier_b = await till()
    await browser.sign_in(cashier_a.email)
    holder = await card_holder()
    transaction = await debit(browser, holder, "7")
    await other_browser.sign_in(cashier_b.email)

    ticket = await other_browser.get(f"/partenaires/transactions/{transaction.id}/ticket")
    confirm = await other_browser.get(f"/partenaires/transactions/{transaction.id}/annulation")
    await other_browser.get("/partenaires/transactions")
    cancel = await other_browser.post(f"/partenaires/transactions/{transaction.id}/annulation")
    listed = await other_browser.get("/partenaires/transactions")
    # B's till pays into B's own partner only, whatever the form says.
    await other_browser.get("/partenaires/caisse")
    await look_up(other_browser, holder.card.code)
    smuggled = await pay(other_browser, "1", partnerId=str(team_a.partner.id))

    assert ticket.status_code == 404 and confirm.status_code == 404 and cancel.status_code == 404
    assert "Page introuvable" in text_of(ticket)
    elsewhere = await other_browser.get("/partenaires/nulle-part")
    assert elsewhere.status_code == 404 and "Page introuvable" in text_of(elsewhere)
    assert transaction.reference not in text_of(listed)
    assert (await CardTransaction.get(id=transaction.id)).status == TransactionStatus.COMPLETED
    assert smuggled.status_code == 200
    paid = await CardTransaction.filter(card_id=holder.card.id).order_by("-created_at").first()
    assert paid.partner_id != team_a.partner.id


async def test_a_delegate_of_two_partners_acts_for_the_one_chosen(browser):
    team_a, person = await till()
    team_b, _ = await till()
    principal_b = await Delegate.get(partner_id=team_b.partner.id, is_principal=True)
    actor = Viewer(user=team_b.principal, delegations={team_b.partner.id: principal_b})
    async with atomic():
        delegation = await invite(
            actor,
            team_b.partner,
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            permissions=[DelegatePermission.TRANSACTIONS],
        )
    await accept(delegation)
    holder = await card_holder()

    signed_in = await browser.sign_in(person.email)
    chooser = await browser.follow(await browser.follow(signed_in))
    assert "Pour quelle structure agissez-vous ?" in text_of(chooser)
    await browser.post("/partenaires/choisir", {"partenaire": str(team_a.partner.id)})
    transaction = await debit(browser, holder, "3")
    assert transaction.partner_id == team_a.partner.id
    assert team_a.partner.trade_name in text_of(await browser.get("/partenaires/caisse"))

    switched = await browser.post(
        "/partenaires/choisir", {"partenaire": str(team_b.partner.id), "suite": "/partenaires/"}
    )
    assert switched.headers["location"] == "/partenaires/"
    page = await browser.get(f"/partenaires/transactions/{transaction.id}/annulation")
    assert page.status_code == 404  # A's, while acting for B: not from this page
    home = await browser.get("/partenaires/")
    assert f'<option value="{team_b.partner.id}" selected>' in home.text
    assert field_value(home, "suite") == "/partenaires/"
