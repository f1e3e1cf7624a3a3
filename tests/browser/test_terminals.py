"""Pairing a payment terminal, in Chromium: the principal creates it in the partner space and
reads the code from the page (step 1); the terminal pairs through the API (step 2) and
debits with its own credential; the list shows it « last seen »; revoked, it is refused."""

from __future__ import annotations

import uuid

import httpx
from playwright.async_api import Page, expect

from models.partners import Partner, PinPolicy
from tests.browser.partner_space import open_page, sign_in
from tests.factories import card_holder, till, token_for
from tests.terminals import create_terminal

SET_PIN = "mutation($c: ID!, $p: String!) { setCardPin(cardId: $c, pin: $p) { __typename } }"

PAIR = """mutation($code: String!) { pairTerminal(code: $code) {
  __typename ... on TerminalCredential { credential } ... on UserError { code message } } }"""
DEBIT = """mutation($input: DebitInput!) { debitCard(input: $input) {
  __typename ... on TransactionSuccess { transaction { reference } }
  ... on UserError { code } } }"""


async def test_a_terminal_is_paired_debits_and_is_revoked(page: Page, live_server: str, look_at):
    team, _ = await till()
    holder = await card_holder()
    await sign_in(page, team.principal)
    await page.get_by_role("link", name="Terminaux").click()
    await page.get_by_label("Nom du terminal").fill("Caisse du hall")
    await page.get_by_role("button", name="Créer le terminal et obtenir son code").click()
    code = (await page.locator("#pairing-code").inner_text()).strip()
    await expect(page.locator("#pairing-qr")).to_be_visible()
    await look_at(page, "code")

    async with httpx.AsyncClient(base_url=f"http://{live_server}") as api:
        paired = await api.post("/graphql", json={"query": PAIR, "variables": {"code": code}})
        credential = paired.json()["data"]["pairTerminal"]["credential"]
        terminal = {"authorization": f"Terminal {credential}"}
        debit = {
            "input": {
                "partnerId": str(team.partner.id),
                "code": holder.card.code,
                "walletKind": "SPORT_CULTURE_LOISIRS",
                "amount": "7,50",
                "idempotencyKey": uuid.uuid4().hex,
            }
        }
        paid = await api.post(
            "/graphql", json={"query": DEBIT, "variables": debit}, headers=terminal
        )
        assert paid.json()["data"]["debitCard"]["__typename"] == "TransactionSuccess"

        await open_page(page, "/partenaires/terminaux")
        row = page.locator("#terminals-table tbody tr").filter(has_text="Caisse du hall")
        await expect(row.locator(".terminal-state")).to_have_text("Actif")
        await expect(row.locator(".terminal-last-seen")).to_contain_text("le ")
        await look_at(page, "list")
        await row.locator(".revoke-link").click()
        await page.get_by_role("button", name="Confirmer la révocation").click()
        await expect(page.locator("#revocation-done")).to_be_visible()

        debit["input"]["idempotencyKey"] = uuid.uuid4().hex
        refused = await api.post(
            "/graphql", json={"query": DEBIT, "variables": debit}, headers=terminal
        )
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_phone_paired_as_a_smart_tpe_takes_the_holders_pin(
    page: Page, new_page, live_server: str, look_at, gql
):
    """The QR of the partner space opens the pairing page with the code filled in; paired,
    the phone is the till in terminal mode, which asks the PIN the partner's policy asks
    at terminals."""
    team, _ = await till()
    await Partner.filter(id=team.partner.id).update(pin_policy_chosen=PinPolicy.TERMINALS)
    holder = await card_holder()
    young = await token_for(gql, holder.user)
    await gql.post(SET_PIN, {"c": str(holder.card.id), "p": "4821"}, token=young)
    created = await create_terminal(
        gql, await token_for(gql, team.principal), team.partner.id, "Téléphone"
    )

    phone = await new_page()
    await phone.set_viewport_size({"width": 360, "height": 740})
    await open_page(phone, f"/terminal/appairage?code={created['pairingCode']}")
    await expect(phone.get_by_label("Code d'appairage")).to_have_value(created["pairingCode"])
    await look_at(phone, "pairing")
    await phone.get_by_role("button", name="Appairer ce terminal").click()
    await expect(phone.locator("#terminal-identity")).to_contain_text("Téléphone")
    assert await phone.locator('link[rel="manifest"]').count() == 1

    await phone.locator("#card-code").fill(holder.card.code)
    await phone.get_by_role("button", name="Rechercher la carte").click()
    await expect(phone.locator("#pin")).to_be_visible()
    await look_at(phone, "holder")
    await phone.locator("#amount").fill("3")
    await phone.locator("#pin").fill("4821")
    await phone.get_by_role("button", name="Valider le paiement").click()
    await expect(phone.locator("#payment-done")).to_contain_text("3,00")
    await phone.locator("#ticket-link").click()
    await expect(phone.locator("#ticket")).to_contain_text("3,00")
