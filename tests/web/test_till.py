"""The till's pages, as a cashier uses them: look a card up (typed, scanned by a USB reader
on QWERTY or AZERTY), check the holder, debit in French form, once per attempt, and every
refusal next to its field; with htmx and without."""

from __future__ import annotations

import re
from datetime import date

import pytest

from domain.accounts.viewer import Viewer
from domain.cards import codes as card_codes
from domain.cards.school_years import create_school_year, school_year_by_label
from domain.core import clock
from models.cards import Card
from models.ledger import LedgerAccount
from models.partners import Partner, PinPolicy
from models.transactions import CardTransaction
from tests.factories import card_holder, till, token_for
from tests.ledger_invariants import assert_ledger_invariants
from tests.resolvers.test_school_year_window import next_school_year
from tests.web.support import Browser, text_of
from tests.web.test_card_input import typed_on_azerty

SPORT = "SPORT_CULTURE_LOISIRS"
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/partenaires/caisse"}


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(settings):
    yield
    await assert_ledger_invariants()


async def at_the_till(browser: Browser):
    team, cashier = await till()
    await browser.sign_in(cashier.email)
    page = await browser.get("/partenaires/caisse")
    assert page.status_code == 200
    return team, cashier


def field_value(page, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page.text)
    assert found, name
    return found.group(1)


async def balance(holder) -> int:
    wallet = await LedgerAccount.get(
        beneficiary_id=holder.beneficiary.id,
        wallet_kind=SPORT,
        school_year_id=holder.card.school_year_id,
    )
    return wallet.balance_cents


async def look_up(browser: Browser, typed: str, headers=None):
    return await browser.post("/partenaires/caisse", {"code": typed}, headers=headers)


async def pay(browser: Browser, amount: str, pin: str | None = None, headers=None, **extra):
    page = browser.page
    form = {
        "code": field_value(page, "code"),
        "idempotency_key": field_value(page, "idempotency_key"),
        "wallet": SPORT,
        "amount": amount,
        **({"pin": pin} if pin is not None else {}),
        **extra,
    }
    return await browser.post("/partenaires/caisse/paiement", form, headers=headers)


async def test_the_till_page_focuses_the_card_field_and_loads_only_its_own_files(browser):
    await at_the_till(browser)
    page = browser.page

    assert re.search(r'<input[^>]+id="card-code"[^>]+autofocus', page.text, re.S)
    assert '<label class="field__label" for="card-code">' in page.text
    assert 'id="scan" hidden' in page.text  # shown by till.js where a camera can be used
    assert "Rechercher la carte" in text_of(page)
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert [s.split("/")[-1].split(".")[0] for s in scripts] == ["htmx", "jsQR", "till"]
    for script in scripts:
        served = await browser.http.get(script)
        assert served.status_code == 200
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_a_typed_code_shows_the_holder_and_a_debit_of_10_55_shows_the_new_balance(
    browser,
):
    await at_the_till(browser)
    holder = await card_holder()
    typed = card_codes.format_code(holder.card.code).lower().replace("-", " ")

    found = await look_up(browser, f"  {typed} ")

    assert found.status_code == 200
    shown = text_of(found)
    age = clock.age_on(date(2013, 4, 2), clock.paris_today())
    assert "Jade Vidal" in shown and f"{age} ans" in shown
    assert "Vérifiez l'identité du jeune avec sa pièce d'identité" in shown
    assert "Sport, culture et loisirs — solde 100,00 €" in shown
    assert 'id="wallet-SPORT_CULTURE_LOISIRS" value="SPORT_CULTURE_LOISIRS" checked' in found.text
    assert re.search(r'<input[^>]+id="amount"[^>]+autofocus', found.text, re.S)
    assert 'id="pin"' not in found.text  # this partner asks no PIN at its till
    assert "Valider le paiement" in shown

    paid = await pay(browser, "10,55")

    assert paid.status_code == 200
    done = text_of(paid)
    assert "Paiement enregistré" in done and "10,55 € débités" in done
    assert "Nouveau solde : 89,45 €" in done
    assert await balance(holder) == 10000 - 1055
    [transaction] = await CardTransaction.filter(card_id=holder.card.id)
    assert f'href="/partenaires/transactions/{transaction.id}/ticket"' in paid.text
    assert transaction.reference in done
    # Ready for the next card: the field is empty and focused again.
    assert re.search(
        r'<input[^>]+id="card-code" name="code" value=""[^>]+autofocus', paid.text, re.S
    )


async def test_a_usb_reader_types_the_qr_url_on_qwerty_or_garbled_by_azerty(browser):
    await at_the_till(browser)
    holder = await card_holder()
    url = card_codes.qr_payload(holder.card.code)

    for typed in (url, typed_on_azerty(url)):
        found = await look_up(browser, typed)
        assert found.status_code == 200, typed
        assert "Jade Vidal" in text_of(found)
        assert field_value(found, "code") == card_codes.format_code(holder.card.code)


async def test_a_double_click_or_a_retry_debits_once(browser):
    await at_the_till(browser)
    holder = await card_holder()
    await look_up(browser, holder.card.code)
    form_page = browser.page

    first = await pay(browser, "12")
    browser.page = form_page  # the second click posts the same form again
    second = await pay(browser, "12")

    assert first.status_code == second.status_code == 200
    assert await CardTransaction.filter(card_id=holder.card.id).count() == 1
    assert await balance(holder) == 10000 - 1200
    [transaction] = await CardTransaction.filter(card_id=holder.card.id)
    assert transaction.reference in text_of(first) and transaction.reference in text_of(second)

    # A new lookup draws a new form: a new attempt, a new key, a second debit.
    await look_up(browser, holder.card.code)
    assert field_value(browser.page, "idempotency_key") != field_value(form_page, "idempotency_key")
    await pay(browser, "12")
    assert await CardTransaction.filter(card_id=holder.card.id).count() == 2


async def test_with_htmx_the_till_answers_fragments_of_the_same_forms(browser):
    await at_the_till(browser)
    holder = await card_holder()

    found = await look_up(browser, holder.card.code, headers=HTMX)
    assert found.status_code == 200
    assert "<html" not in found.text and 'id="sign-out"' not in found.text
    assert 'id="holder"' in found.text and 'hx-post="/partenaires/caisse/paiement"' in found.text

    refused = await pay(browser, "10,555", headers=HTMX)
    assert refused.status_code == 422 and "<html" not in refused.text
    assert 'id="amount-erreur"' in refused.text

    paid = await pay(browser, "3,5", headers=HTMX)
    assert paid.status_code == 200 and "<html" not in paid.text
    assert "Nouveau solde : 96,50 €" in text_of(paid)


async def test_an_unknown_code_is_said_next_to_the_card_field(browser):
    await at_the_till(browser)

    refused = await look_up(browser, "0000-0000-0000-00")
    empty = await look_up(browser, "   ")

    assert refused.status_code == 422
    assert re.search(
        r'id="card-code-erreur"[^>]*>.*Carte inconnue|Code de carte invalide', refused.text
    )
    assert 'aria-describedby="card-code-aide card-code-erreur"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert empty.status_code == 422 and "Saisissez ou scannez le code de la carte." in text_of(
        empty
    )


async def test_a_card_that_cannot_be_used_says_why_and_offers_no_payment(browser):
    await at_the_till(browser)
    inactive = await card_holder(activated=False)
    lost = await card_holder()
    await Card.filter(id=lost.card.id).update(status="opposed", opposed_at=clock.now())
    past = await school_year_by_label("2021-2022") or await create_school_year(
        Viewer(), date(2021, 9, 2)
    )
    expired = await card_holder(past)
    early = await card_holder(await next_school_year())
    cases = [
        (inactive, "Carte non activée", "n'a pas été activée"),
        (lost, "Carte en opposition", "en opposition"),
        (expired, "Carte expirée", "a expiré"),
        (early, "Carte pas encore valable", "pas encore valable"),
    ]

    for holder, state, words in cases:
        page = await look_up(browser, holder.card.code)
        assert page.status_code == 200
        refusal = re.search(r'id="card-refusal".*?</div>', page.text, re.S).group(0)
        assert state in text_of_html(refusal) and words in text_of_html(refusal), state
        assert 'id="debit-form"' not in page.text and "Jade" not in text_of(page)


def text_of_html(fragment: str) -> str:
    import html as html_module

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


async def test_amount_and_balance_refusals_are_next_to_the_amount(browser):
    await at_the_till(browser)
    holder = await card_holder()
    await look_up(browser, holder.card.code)

    too_precise = await pay(browser, "10,555")
    too_much = await pay(browser, "150")
    no_amount = await pay(browser, "")

    for page, words in (
        (too_precise, "au plus deux décimales"),
        (too_much, "Solde insuffisant"),
        (no_amount, "Saisissez le montant"),
    ):
        assert page.status_code == 422
        error = re.search(r'id="amount-erreur">(.*?)</p>', page.text, re.S)
        assert error and words in text_of_html(error.group(1)), words
        assert 'href="#amount"' in page.text  # the summary links to the field
        assert "Jade Vidal" in text_of(page)  # the holder is still shown
    assert field_value(too_much, "amount") == "150"
    assert await balance(holder) == 10000


async def test_a_wrong_pin_says_the_attempts_left_and_the_third_locks_the_card(browser, gql):
    team, _ = await at_the_till(browser)
    await Partner.filter(id=team.partner.id).update(pin_policy_minimum=PinPolicy.EVERY_TILL)
    holder = await card_holder()
    young = await token_for(gql, holder.user)
    await gql.post(
        "mutation($c: ID!, $p: String!) { setCardPin(cardId: $c, pin: $p) { __typename } }",
        {"c": str(holder.card.id), "p": "4821"},
        token=young,
    )

    form = await look_up(browser, holder.card.code)
    assert 'id="pin"' in form.text and 'type="password" id="pin"' in form.text
    missing = await pay(browser, "5")
    assert missing.status_code == 422 and 'id="pin-erreur"' in missing.text
    wrong = await pay(browser, "5", pin="1111")
    assert wrong.status_code == 422
    pin_error = text_of_html(re.search(r'id="pin-erreur">(.*?)</p>', wrong.text, re.S).group(1))
    assert "Code PIN erroné. Encore 2 essais." in pin_error
    await pay(browser, "5", pin="2222")
    locked = await pay(browser, "5", pin="3333")

    assert locked.status_code == 422
    assert "Carte bloquée" in text_of(locked)
    assert 'id="card-refusal"' in locked.text and 'id="debit-form"' not in locked.text
    assert await balance(holder) == 10000


async def test_a_wallet_must_be_chosen_among_the_known_ones(browser):
    await at_the_till(browser)
    holder = await card_holder()
    await look_up(browser, holder.card.code)

    refused = await pay(browser, "5", wallet="PORTE_MONNAIE_INCONNU")

    assert refused.status_code == 422 and 'id="wallet-erreur"' in refused.text
    assert "Choisissez le porte-monnaie à débiter." in text_of(refused)
