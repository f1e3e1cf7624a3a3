"""The till in terminal mode: a browser paired as a payment terminal (its credential in an
HttpOnly cookie scoped to /terminal), the till's pages acting as the terminal, the PIN the
partner's policy asks at terminals, its own tickets, and a revocation felt at the next page."""

from __future__ import annotations

from models.partners import Partner, PinPolicy
from models.terminals import Terminal
from models.transactions import CardTransaction
from tests.factories import card_holder, till, token_for
from tests.terminals import create_terminal
from tests.web.support import Browser, set_cookie_headers, text_of
from tests.web.test_till import SPORT, field_value

SET_PIN = "mutation($c: ID!, $p: String!) { setCardPin(cardId: $c, pin: $p) { __typename } }"
REVOKE = "mutation($t: ID!) { revokeTerminal(terminalId: $t) { __typename } }"


async def _paired(gql, phone: Browser, partner_id, principal_token) -> str:
    created = await create_terminal(gql, principal_token, partner_id, "Téléphone du comptoir")
    form = await phone.get(f"/terminal/appairage?code={created['pairingCode']}")
    assert form.status_code == 200 and created["pairingCode"] in form.text  # filled, not used
    assert await Terminal.filter(id=created["terminal"]["id"], state="pending").exists()
    paired = await phone.post("/terminal/appairage", {"code": created["pairingCode"]})
    assert paired.status_code == 303 and paired.headers["location"] == "/terminal/caisse"
    cookie = set_cookie_headers(paired)["cjeune_terminal"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/terminal" in cookie
    return created["terminal"]["id"]


async def test_a_paired_browser_debits_as_the_terminal_with_the_holders_pin(
    gql, other_browser: Browser
):
    team, _ = await till()
    await Partner.filter(id=team.partner.id).update(pin_policy_chosen=PinPolicy.TERMINALS)
    principal = await token_for(gql, team.principal)
    terminal_id = await _paired(gql, other_browser, team.partner.id, principal)
    holder = await card_holder()
    await gql.post(
        SET_PIN, {"c": str(holder.card.id), "p": "4821"}, token=await token_for(gql, holder.user)
    )

    page = await other_browser.get("/terminal/caisse")
    assert page.status_code == 200
    assert "Téléphone du comptoir" in text_of(page) and 'rel="manifest"' in page.text
    found = await other_browser.post("/terminal/caisse", {"code": holder.card.code})
    assert found.status_code == 200 and 'id="pin"' in found.text
    assert 'action="/terminal/caisse/paiement"' in found.text
    form = {
        "code": field_value(found, "code"),
        "idempotency_key": field_value(found, "idempotency_key"),
        "wallet": SPORT,
        "amount": "4,20",
    }
    missing = await other_browser.post("/terminal/caisse/paiement", form)
    assert missing.status_code == 422 and 'id="pin-erreur"' in missing.text
    form["idempotency_key"] = field_value(missing, "idempotency_key")
    paid = await other_browser.post("/terminal/caisse/paiement", {**form, "pin": "4821"})
    assert paid.status_code == 200 and 'id="payment-done"' in paid.text, text_of(paid)
    transaction = await CardTransaction.get(card_id=holder.card.id)
    assert str(transaction.terminal_id) == terminal_id
    ticket = await other_browser.get(f"/terminal/tickets/{transaction.id}?largeur=80")
    assert ticket.status_code == 200 and "4,20 €" in text_of(ticket)

    await gql.post(REVOKE, {"t": terminal_id}, token=principal)
    refused = await other_browser.get("/terminal/caisse")
    assert refused.status_code == 303
    assert refused.headers["location"] == "/terminal/appairage?raison=revoque"


async def test_without_a_credential_the_till_asks_for_pairing_and_the_manifest_installs(
    browser: Browser,
):
    answer = await browser.get("/terminal/caisse")
    assert answer.status_code == 303 and answer.headers["location"] == "/terminal/appairage"
    manifest = await browser.get("/terminal/manifest.webmanifest")
    app = manifest.json()
    assert app["display"] == "fullscreen" and app["start_url"] == "/terminal/caisse"
    for icon in app["icons"]:
        assert (await browser.get(icon["src"])).headers["content-type"] == "image/png"
    await browser.get("/terminal/appairage")
    wrong = await browser.post("/terminal/appairage", {"code": "AAAAA-AAAAA"})
    assert wrong.status_code == 422 and 'id="pairing-code-input-erreur"' in wrong.text
    assert "cjeune_terminal" not in set_cookie_headers(wrong)
