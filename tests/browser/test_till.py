"""The till ("Effectuer une transaction"), in Chromium, as a cashier uses it all day: the card
typed by hand or by a USB QR reader (QWERTY, and QWERTY on an AZERTY layout), or filmed by
the camera; the holder shown for the identity check; a debit of `10,55` from the chosen
wallet, once whatever the clicks; the printed ticket; today's cancellation; the young holder
told; each refusal shown next to its field; and who may not use it.

The till's parts are found as a person finds them, by their labels and names (`TillScreen`
below: the one place to change if the page's words change). Every page is checked by axe-core
and screenshotted (var/screenshots/test_till*-<width>.png).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.async_api import Locator, Page, expect

from domain.accounts.viewer import Viewer
from domain.cards import codes as card_codes
from domain.cards.school_years import create_school_year, school_year_by_label
from domain.core import clock
from models.cards import Card, CardStatus
from models.ledger import LedgerAccount
from models.partners import DelegatePermission, Partner, PinPolicy, WalletKind
from models.transactions import CardTransaction
from server import viewer_listener
from tests.browser.partner_space import (
    SIGN_IN,
    TILL,
    TRANSACTIONS,
    expect_error_next_to,
    main_heading,
    open_page,
    sign_in,
    sign_out,
)
from tests.browser.support import azerty_garbled, write_qr_video
from tests.factories import (
    LOGIN,
    PASSWORD,
    card_holder,
    collaborator,
    current_school_year,
    partner_team,
    till,
    token_for,
)

SPORT, SCHOOL = "Sport, culture et loisirs", "Soutien scolaire"
REVOKE = "mutation($id: ID!) { revokeDelegate(delegateId: $id) { __typename } }"
NOTIFICATIONS = "{ notifications { notifications { kind title body } } }"
SET_PIN = "mutation($c: ID!, $p: String!) { setCardPin(cardId: $c, pin: $p) { __typename } }"


@dataclass
class TillScreen:
    """The till's parts, by the stable ids web/partners/till.py documents; the tests also
    read them as a person does (labels, accessible names, descriptions)."""

    page: Page

    @property
    def card(self) -> Locator:  # the one field that takes the card (typed or scanned)
        return self.page.locator("#card-code")

    @property
    def look_up(self) -> Locator:  # « Rechercher la carte »
        return self.page.locator("#lookup-button")

    @property
    def scan(self) -> Locator:  # the camera scan, for a phone
        return self.page.locator("#scan-button")

    @property
    def holder(self) -> Locator:  # who holds the card: name, age, photo, the identity check
        return self.page.locator("#holder")

    @property
    def refusal(self) -> Locator:  # why the card cannot be used
        return self.page.locator("#card-refusal")

    def wallet(self, label: str) -> Locator:
        return self.page.get_by_role("radio", name=re.compile(re.escape(label)))

    @property
    def amount(self) -> Locator:
        return self.page.locator("#amount")

    @property
    def pin(self) -> Locator:
        return self.page.locator("#pin")

    @property
    def validate(self) -> Locator:  # « Valider le paiement »
        return self.page.locator("#pay-button")

    @property
    def outcome(self) -> Locator:  # the success: the transaction and the new balance
        return self.page.locator("#payment-done")

    @property
    def print_ticket(self) -> Locator:
        return self.page.locator("#ticket-link")

    @property
    def ticket(self) -> Locator:
        return self.page.locator("#ticket")

    async def open(self) -> None:
        await open_page(self.page, TILL)
        await expect(self.card).to_be_focused()  # a USB reader types at once

    async def find(self, text: str) -> None:
        """A card typed by hand, then the lookup."""
        await self.card.fill(text)
        await self.look_up.click()

    async def debit(self, wallet: str, amount: str) -> None:
        await self.wallet(wallet).check()
        await self.amount.fill(amount)
        await self.validate.click()


async def shop_with_both_wallets():
    """A partner whose convention allows both wallets, and its cashier."""
    team, cashier = await till()
    await Partner.filter(id=team.partner.id).update(
        debitable_wallets=[WalletKind.SPORT_CULTURE_LOISIRS, WalletKind.SOUTIEN_SCOLAIRE]
    )
    return team, cashier


async def balance(holder, kind: WalletKind) -> int:
    account = await LedgerAccount.get(
        beneficiary_id=holder.beneficiary.id,
        wallet_kind=kind,
        school_year_id=holder.card.school_year_id,
    )
    return account.balance_cents


async def debits_of(holder) -> list[CardTransaction]:
    return await CardTransaction.filter(card_id=holder.card.id).order_by("created_at")


def spaced_lowercase(code: str) -> str:
    """`7k3m 0qaz w9t2 xb`: the code as a person copies it off a card, sloppily."""
    shown = card_codes.format_code(code).replace("-", " ")
    return f"  {shown.lower()} "


# --- finding the card -----------------------------------------------------------------------


async def test_a_code_typed_with_spaces_and_lowercase_finds_the_holder(page: Page, look_at):
    _, cashier = await till()
    holder = await card_holder(birth_date=date(2013, 4, 2))
    screen = TillScreen(page)
    await sign_in(page, cashier)
    await screen.open()
    await look_at(page, "empty")

    await screen.find(spaced_lowercase(holder.card.code))

    await expect(screen.holder).to_contain_text("Jade")
    await expect(screen.holder).to_contain_text("Vidal")
    age = clock.age_on(date(2013, 4, 2), clock.paris_today())
    await expect(screen.holder).to_contain_text(f"{age} ans")
    await expect(screen.holder).to_contain_text(re.compile("identité", re.I))  # the guide's check
    await expect(screen.wallet(SPORT)).to_be_visible()
    await expect(page.get_by_text("100,00")).to_be_visible()  # its balance
    await expect(screen.wallet(SCHOOL)).to_have_count(0)  # outside this partner's convention
    await look_at(page, "holder")


@pytest.mark.parametrize("layout", ["qwerty", "azerty"])
async def test_a_usb_reader_types_the_qr_url_and_enter(page: Page, look_at, layout):
    _, cashier = await till()
    holder = await card_holder()
    url = card_codes.qr_payload(holder.card.code)
    typed = url if layout == "qwerty" else azerty_garbled(url)
    screen = TillScreen(page)
    await sign_in(page, cashier)
    await screen.open()

    await page.keyboard.type(typed + "\n")  # a keyboard wedge: fast keys, then Enter

    await expect(screen.holder).to_contain_text("Jade")
    await expect(screen.wallet(SPORT)).to_be_visible()
    if layout == "azerty":
        await look_at(page)


async def test_the_camera_reads_the_cards_qr_code(camera_page, tmp_path, look_at):
    _, cashier = await till()
    holder = await card_holder()
    video = write_qr_video(card_codes.qr_payload(holder.card.code), tmp_path / "card.y4m")
    page = await camera_page(video)
    page.set_default_timeout(10_000)
    await page.set_viewport_size({"width": 360, "height": 740})  # a phone
    screen = TillScreen(page)
    await sign_in(page, cashier)
    await open_page(page, TILL)
    if await screen.scan.count() == 0:
        pytest.xfail("the till's camera scan button (web/, jsQR) is not built yet")

    await screen.scan.click()

    await expect(screen.holder).to_contain_text("Jade", timeout=10_000)
    await expect(screen.wallet(SPORT)).to_be_visible()
    await look_at(page)


# --- the debit --------------------------------------------------------------------------------


async def test_a_debit_of_10_55_comes_from_the_chosen_wallet(page: Page, look_at, gql):
    _, cashier = await shop_with_both_wallets()
    holder = await card_holder()
    screen = TillScreen(page)
    await sign_in(page, cashier)
    await screen.open()
    await screen.find(holder.card.code)

    await screen.debit(SCHOOL, "10,55")

    await expect(screen.outcome).to_contain_text("10,55")
    await expect(screen.outcome).to_contain_text("39,45")  # 50,00 − 10,55: the new balance
    await look_at(page, "done")
    assert await balance(holder, WalletKind.SOUTIEN_SCOLAIRE) == 5000 - 1055
    assert await balance(holder, WalletKind.SPORT_CULTURE_LOISIRS) == 10000
    await expect(screen.card).to_be_focused()  # ready for the next card

    # The young holder is told at once (the inbox the app shows).
    young = await token_for(gql, holder.user)
    inbox = (await gql.post(NOTIFICATIONS, token=young))["data"]["notifications"]
    [told] = [n for n in inbox["notifications"] if n["kind"] == "card_debit"]
    assert "10,55" in told["body"] and "39,45" in told["body"]


async def test_a_double_click_on_validate_debits_once(page: Page):
    _, cashier = await till()
    holder = await card_holder()
    screen = TillScreen(page)
    await sign_in(page, cashier)
    await screen.open()
    await screen.find(holder.card.code)
    await screen.wallet(SPORT).check()
    await screen.amount.fill("10,55")

    await screen.validate.dblclick()

    await expect(screen.outcome).to_contain_text("10,55")
    assert len(await debits_of(holder)) == 1
    assert await balance(holder, WalletKind.SPORT_CULTURE_LOISIRS) == 10000 - 1055


async def test_the_ticket_prints_on_a_receipt_printer(page: Page, look_at, screenshot):
    team, cashier = await till()
    holder = await card_holder()
    screen = TillScreen(page)
    await sign_in(page, cashier)
    await screen.open()
    await screen.find(holder.card.code)
    await screen.debit(SPORT, "10,55")
    await expect(screen.outcome).to_contain_text("10,55")

    await screen.print_ticket.click()
    await expect(screen.ticket).to_be_visible()
    await look_at(page, "screen")
    ticket_page = page.url.split("?")[0]

    await page.emulate_media(media="print")
    for paper_mm in (80, 58):  # the two thermal rolls
        await page.goto(f"{ticket_page}?largeur={paper_mm}")
        for shown in (team.partner.trade_name, "10,55", masked_end(holder)):
            await expect(screen.ticket).to_contain_text(shown)
        await expect(screen.ticket).not_to_contain_text("Vidal")  # left on the counter
        await expect(page.get_by_role("banner")).to_be_hidden()  # only the ticket prints
        await expect(page.get_by_role("heading", level=1)).to_be_hidden()
        await screenshot(page, f"print-{paper_mm}mm")  # first: a failure below shows in it
        # On the roll: no wider than the paper, and no line cut (the ticket's 32 or 48
        # characters a line fit the paper at the print size).
        fits = await screen.ticket.evaluate(
            "e => ({width: e.getBoundingClientRect().width, scroll: e.scrollWidth,"
            " client: e.clientWidth})"
        )
        assert fits["width"] <= paper_mm / 25.4 * 96 + 1, (paper_mm, fits)
        assert fits["scroll"] <= fits["client"], (paper_mm, fits)


def masked_end(holder) -> str:
    """The end of the card's code, which a masked code still shows."""
    return card_codes.format_code(holder.card.code)[-5:]


async def test_a_pin_till_asks_the_holders_pin(page: Page, look_at, gql):
    team, cashier = await till()
    await Partner.filter(id=team.partner.id).update(pin_policy_minimum=PinPolicy.EVERY_TILL)
    holder = await card_holder()
    young = await token_for(gql, holder.user)
    await gql.post(SET_PIN, {"c": str(holder.card.id), "p": "4821"}, token=young)
    screen = TillScreen(page)
    await sign_in(page, cashier)
    await screen.open()
    await screen.find(holder.card.code)
    await expect(screen.pin).to_be_visible()
    await look_at(page)

    await screen.wallet(SPORT).check()
    await screen.amount.fill("2")
    await screen.pin.fill("0000")
    await screen.validate.click()
    await expect_error_next_to(screen.pin, re.compile("erroné|incorrect", re.I))
    await expect(screen.pin).to_have_accessible_description(re.compile(r"\d essais?"))  # left
    await look_at(page, "wrong-pin")

    await screen.pin.fill("4821")
    await screen.validate.click()
    await expect(screen.outcome).to_contain_text("2,00")


# --- cancelling ---------------------------------------------------------------------------------


async def test_todays_transaction_is_cancelled_from_the_transactions_tab(page: Page, look_at):
    _, cashier = await till()
    holder = await card_holder()
    screen = TillScreen(page)
    await sign_in(page, cashier)
    await screen.open()
    await screen.find(holder.card.code)
    await screen.debit(SPORT, "10,55")
    await expect(screen.outcome).to_contain_text("10,55")

    await page.get_by_role("link", name="Transactions", exact=True).click()
    await expect(page).to_have_url(re.compile(TRANSACTIONS))
    row = page.get_by_role("row").filter(has_text="10,55")
    await expect(row).to_have_count(1)
    await look_at(page, "list")
    await row.get_by_role("link", name=re.compile("^Annuler")).click()
    await expect(main_heading(page)).to_contain_text("Annuler la transaction")
    await look_at(page, "confirm")
    assert await balance(holder, WalletKind.SPORT_CULTURE_LOISIRS) == 10000 - 1055  # not yet
    await page.get_by_role("button", name="Confirmer l'annulation").click()

    await expect(main_heading(page)).to_have_text("Transaction annulée")
    await expect(page.get_by_role("status")).to_contain_text("100,00")  # the balance back
    await look_at(page, "cancelled")
    assert await balance(holder, WalletKind.SPORT_CULTURE_LOISIRS) == 10000
    await page.get_by_role("link", name="Revenir aux transactions").click()
    await expect(page.get_by_role("row").filter(has_text="10,55")).to_contain_text(
        re.compile("annulée", re.I)
    )
    await expect(
        page.get_by_role("row")
        .filter(has_text="10,55")
        .get_by_role("link", name=re.compile("^Annuler"))
    ).to_have_count(0)  # once is enough

    # An earlier day: no cancelling here any more, the hotline (from the settings) instead.
    await page.get_by_role("link", name=re.compile("Jour précédent")).click()
    await expect(page.get_by_role("main")).to_contain_text("04 86 68 80 07")
    await look_at(page, "yesterday")


# --- refusals, each next to its field ------------------------------------------------------------


async def next_year():
    """The school year after this one (its cards are not valid yet)."""
    current = await current_school_year()
    starts = date(current.starts_on.year + 1, 9, 1)
    label = f"{starts.year}-{starts.year + 1}"
    return await school_year_by_label(label) or await create_school_year(Viewer(), starts)


async def past_year():
    return await school_year_by_label("2021-2022") or await create_school_year(
        Viewer(), date(2021, 9, 2)
    )


async def test_every_refusal_shows_next_to_its_field(page: Page, look_at):
    _, cashier = await till()
    inactive = await card_holder(activated=False)
    opposed = await card_holder()
    await Card.filter(id=opposed.card.id).update(status=CardStatus.OPPOSED, opposed_at=clock.now())
    expired = await card_holder(await past_year())
    early = await card_holder(await next_year())
    locked = await card_holder()
    await Card.filter(id=locked.card.id).update(pin_locked_at=clock.now(), pin_failures=3)
    poor = await card_holder()
    screen = TillScreen(page)
    await sign_in(page, cashier)
    await screen.open()

    await screen.find("0000-0000-0000-00")
    await expect_error_next_to(screen.card, re.compile("inconnu|aucune carte", re.I))
    await look_at(page, "unknown")

    # A card that exists but cannot be used: the reason, announced, right under the field.
    card_refusals = [
        ("not-activated", inactive.card.code, "n'a pas été activée"),
        ("opposed", opposed.card.code, "en opposition"),
        ("expired", expired.card.code, "a expiré"),
        ("not-yet-valid", early.card.code, "pas encore valable"),
        ("locked", locked.card.code, "bloquée"),
    ]
    for label, code, words in card_refusals:
        await screen.open()
        await screen.find(code)
        await expect(screen.refusal).to_contain_text(words)
        await expect(screen.refusal).to_have_attribute("role", "alert")
        await expect(screen.amount).to_have_count(0)  # nothing to debit
        if label == "opposed":  # one notice stands for the others: the same markup
            await look_at(page, label)

    await screen.open()
    await screen.find(poor.card.code)
    await screen.debit(SPORT, "100,01")
    await expect_error_next_to(screen.amount, re.compile("solde|insuffisant", re.I))
    await look_at(page, "insufficient")
    await screen.amount.fill("10,555")
    await screen.validate.click()
    await expect_error_next_to(screen.amount, re.compile("décimale|centime", re.I))
    assert await debits_of(poor) == []


# --- who may use it ---------------------------------------------------------------------------


async def test_sign_out_from_the_till(page: Page):
    _, cashier = await till()
    await sign_in(page, cashier)
    await TillScreen(page).open()

    await sign_out(page)

    await open_page(page, TILL)
    await expect(page).to_have_url(re.compile(SIGN_IN))


async def test_a_revoked_cashier_is_signed_out_at_the_next_lookup(page: Page, gql):
    team, cashier = await till()
    holder = await card_holder()
    screen = TillScreen(page)
    await sign_in(page, cashier)
    await screen.open()

    principal = (await gql.post(LOGIN, {"email": team.principal.email, "password": PASSWORD}))[
        "data"
    ]["login"]["accessToken"]
    delegate = await team.partner.delegates.filter(user_id=cashier.id).first()
    revoked = await gql.post(REVOKE, {"id": str(delegate.id)}, token=principal)
    assert revoked["data"]["revokeDelegate"]["__typename"] == "DelegationSuccess"
    await viewer_listener.settle()

    await screen.find(holder.card.code)

    # Signed out: the till and the partner space are gone from the page, nothing was done,
    # and the space asks to sign in again.
    await expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    await expect(screen.holder).to_have_count(0)
    await expect(page.get_by_text("Jade Vidal")).to_have_count(0)
    await open_page(page, TILL)
    await expect(page).to_have_url(re.compile(SIGN_IN))
    assert await debits_of(holder) == []


async def test_a_collaborator_without_transactions_is_refused_the_till_by_its_address(
    page: Page, look_at
):
    team = await partner_team()
    editor = await collaborator(team, DelegatePermission.OFFERS_AND_POSTS)
    await sign_in(page, editor)

    response = await open_page(page, TILL)

    assert response.status == 403
    await expect(TillScreen(page).card).to_have_count(0)
    await look_at(page)


async def test_partner_b_cannot_reach_partner_as_till_transactions_or_tickets(page: Page, new_page):
    team_a, cashier_a = await till()
    _, cashier_b = await till()
    holder = await card_holder()
    screen = TillScreen(page)
    await sign_in(page, cashier_a)
    await screen.open()
    await screen.find(holder.card.code)
    await screen.debit(SPORT, "10,55")
    await expect(screen.outcome).to_contain_text("10,55")
    ticket = await screen.print_ticket.get_attribute("href")
    assert ticket and ticket.startswith(f"{TRANSACTIONS}/") and ticket.endswith("/ticket")
    cancellation = ticket.removesuffix("/ticket") + "/annulation"

    other = await new_page()
    await sign_in(other, cashier_b)
    for url in (ticket, cancellation):  # A's ticket and cancellation, by their addresses
        response = await other.goto(url)
        assert response is not None and response.status == 404, url
        await expect(other.locator("body")).not_to_contain_text("10,55")
    await open_page(other, f"{TRANSACTIONS}?jour=tous")  # B's list: none of A's
    await expect(other.get_by_role("main")).not_to_contain_text("10,55")

    # Nor act on A's transaction: a cancellation posted with B's own form token is refused.
    await open_page(other, TILL)
    csrf = await other.locator("input[name=csrf]").first.input_value()
    refused = await other.request.post(cancellation, form={"csrf": csrf})
    assert refused.status == 404
    [debit] = await debits_of(holder)
    assert debit.status == "completed"
    assert await balance(holder, WalletKind.SPORT_CULTURE_LOISIRS) == 10000 - 1055
    # Nor act for A: the partner choice ignores a partner B's delegate does not work for.
    await other.request.post(
        "/partenaires/choisir",
        form={"csrf": csrf, "partenaire": str(team_a.partner.id), "suite": TILL},
    )
    await open_page(other, TILL)
    await expect(other.locator("body")).not_to_contain_text(team_a.partner.trade_name)
