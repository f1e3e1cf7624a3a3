"""Pairing a payment terminal, in Chromium: the principal creates it in the partner space and
reads the code from the page (step 1); the terminal pairs through the API (step 2) and
debits with its own credential; the list shows it « last seen »; revoked, it is refused."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.partner_space import PARTNER_HOME, open_page, sign_in, skip_unless_served
from tests.factories import card_holder, till

PAIR = """mutation($code: String!) { pairTerminal(code: $code) {
  __typename ... on TerminalCredential { credential } ... on UserError { code message } } }"""
DEBIT = """mutation($input: DebitInput!) { debitCard(input: $input) {
  __typename ... on TransactionSuccess { transaction { reference } }
  ... on UserError { code } } }"""


@pytest.fixture(autouse=True)
async def _partner_space_served(live_server):
    await skip_unless_served(live_server, PARTNER_HOME, "the partner space")


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
