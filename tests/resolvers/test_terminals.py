"""Payment terminals through the API: pairing in two steps, the credential, revocation,
rotation, what a terminal may do at the till and nothing else."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

from domain.accounts.viewer_cache import viewers
from domain.core import clock
from models import sql
from models.audit import AuditEntry
from models.cards import Card
from models.partners import DelegatePermission, Partner, PinPolicy
from models.terminals import Terminal
from models.transactions import CardTransaction
from tests.factories import card_holder, collaborator, till, token_for
from tests.support import error_codes
from tests.terminals import as_terminal, create_terminal, new_address, pair, paired_terminal

SPORT = "SPORT_CULTURE_LOISIRS"
DEBIT = """
mutation($input: DebitInput!) {
  debitCard(input: $input) {
    __typename
    ... on TransactionSuccess {
      transaction { id amountCents cancellable receipt(width: 32) receiptEscpos(width: 48) }
    }
    ... on UserError { code message field }
  }
}
"""
LOOKUP = """
query($p: ID!, $c: String!) {
  lookupCard(partnerId: $p, code: $c) {
    __typename
    ... on CardCheck { pinRequired wallets { kind balanceCents } }
    ... on UserError { code }
  }
}
"""
CANCEL = """
mutation($t: ID!) {
  cancelTransaction(transactionId: $t) {
    __typename
    ... on TransactionSuccess { transaction { status } }
    ... on UserError { code }
  }
}
"""
STATUS = """
{ terminalStatus { partnerName pinRequired debitableWallets credentialValid serverTime
  terminal { id name state lastSeenAt } } }
"""
TERMINALS = "query($p: ID!) { terminals(partnerId: $p) { id name state lastSeenAt } }"
REVOKE = """
mutation($t: ID!) { revokeTerminal(terminalId: $t) {
  __typename ... on Terminal { state revokedAt } ... on UserError { code } } }
"""
RENAME = """
mutation($t: ID!, $n: String!) { renameTerminal(terminalId: $t, name: $n) {
  __typename ... on Terminal { name } ... on UserError { code field } } }
"""
ROTATE = """
mutation { rotateTerminalCredential {
  __typename ... on TerminalCredential { credential } ... on UserError { code } } }
"""
SET_PIN = "mutation($c: ID!, $p: String!) { setCardPin(cardId: $c, pin: $p) { __typename } }"


def debit_input(partner_id, holder, amount="3", pin=None, key=None):
    return {
        "input": {
            "partnerId": str(partner_id),
            "code": holder.card.code,
            "walletKind": SPORT,
            "amount": amount,
            "idempotencyKey": key or uuid.uuid4().hex,
            **({"pin": pin} if pin is not None else {}),
        }
    }


async def test_a_paired_terminal_debits_and_the_records_name_it(gql):
    team, _cashier = await till()
    principal = await token_for(gql, team.principal)
    created = await create_terminal(gql, principal, team.partner.id, "Caisse 1")
    assert created["terminal"]["state"] == "PENDING"
    assert len(created["pairingCode"].replace("-", "")) == 10
    paired = await pair(gql, created["pairingCode"])
    assert paired["__typename"] == "TerminalCredential"
    credential = paired["credential"]
    assert credential.startswith("cjt_") and len(credential.split("_", 2)[2]) >= 43
    stored = await Terminal.get(id=paired["terminal"]["id"])
    assert stored.credential_digest and credential.split("_", 2)[2] not in stored.credential_digest
    assert stored.pairing_code_digest is None  # the code is spent

    terminal = as_terminal(gql, credential)
    holder = await card_holder()
    looked = await terminal.post(LOOKUP, {"p": str(team.partner.id), "c": holder.card.code})
    assert looked["data"]["lookupCard"]["__typename"] == "CardCheck", looked
    answer = await terminal.post(DEBIT, debit_input(team.partner.id, holder))
    success = answer["data"]["debitCard"]
    assert success["__typename"] == "TransactionSuccess", answer
    assert success["transaction"]["cancellable"] is True
    assert any("3,00" in line for line in success["transaction"]["receipt"])
    printed = base64.b64decode(success["transaction"]["receiptEscpos"])
    assert printed.startswith(b"\x1b@\x1bt\x13") and printed.endswith(b"\x1dVB\x03")
    assert "3,00 €".encode("cp858") in printed
    transaction = await CardTransaction.get(id=success["transaction"]["id"])
    assert transaction.terminal_id == stored.id
    assert transaction.delegate_user_id == team.principal.id  # who answers for the terminal
    entry = await AuditEntry.filter(object_id=str(transaction.id)).get()
    assert entry.actor_kind == "terminal"
    assert entry.after and entry.after["terminalId"] == str(stored.id)
    assert entry.after["terminalName"] == "Caisse 1"

    listed = await gql.post(TERMINALS, {"p": str(team.partner.id)}, token=principal)
    assert listed["data"]["terminals"][0]["state"] == "ACTIVE"
    assert listed["data"]["terminals"][0]["lastSeenAt"] is not None


async def test_a_pairing_code_works_once_and_not_after_ten_minutes(gql):
    team, _ = await till()
    principal = await token_for(gql, team.principal)
    created = await create_terminal(gql, principal, team.partner.id)
    assert (await pair(gql, created["pairingCode"]))["__typename"] == "TerminalCredential"
    again = await pair(gql, created["pairingCode"])
    assert again["code"] == "INVALID_TOKEN" and again["field"] == "code"

    late = await create_terminal(gql, principal, team.partner.id, "Caisse 2")
    await Terminal.filter(id=late["terminal"]["id"]).update(
        pairing_expires_at=clock.now() - timedelta(seconds=1)
    )
    expired = await pair(gql, late["pairingCode"])
    assert expired["code"] == "INVALID_TOKEN"
    assert (await Terminal.get(id=late["terminal"]["id"])).state == "pending"


async def test_guessed_codes_are_limited_per_address(gql):
    team, _ = await till()
    principal = await token_for(gql, team.principal)
    created = await create_terminal(gql, principal, team.partner.id)
    address = new_address()
    for _ in range(10):
        assert (await pair(gql, "AAAAA-AAAAA", address))["code"] == "INVALID_TOKEN"
    # Even the right code gets no answer from this address for ten minutes.
    refused = await pair(gql, created["pairingCode"], address)
    assert refused["code"] == "RATE_LIMITED"
    assert (await Terminal.get(id=created["terminal"]["id"])).state == "pending"
    # From elsewhere, it still pairs.
    assert (await pair(gql, created["pairingCode"]))["__typename"] == "TerminalCredential"


async def test_revocation_stops_the_next_request(gql):
    team, _ = await till()
    principal = await token_for(gql, team.principal)
    terminal_id, credential = await paired_terminal(gql, principal, team.partner.id)
    terminal = as_terminal(gql, credential)
    assert (await terminal.post(STATUS))["data"]["terminalStatus"]["credentialValid"] is True
    revoked = await gql.post(REVOKE, {"t": terminal_id}, token=principal)
    assert revoked["data"]["revokeTerminal"]["state"] == "REVOKED"
    holder = await card_holder()
    answer = await terminal.post(DEBIT, debit_input(team.partner.id, holder))
    assert error_codes(answer) == ["UNAUTHENTICATED"]
    assert error_codes(await terminal.post(STATUS)) == ["UNAUTHENTICATED"]
    assert await CardTransaction.filter(partner_id=team.partner.id).count() == 0


async def test_a_terminal_is_held_to_its_own_partner_and_to_the_till(gql):
    team_a, _ = await till()
    team_b, _ = await till()
    credential = (
        await paired_terminal(gql, await token_for(gql, team_a.principal), team_a.partner.id)
    )[1]
    terminal = as_terminal(gql, credential)
    holder = await card_holder()
    # Partner B's till, B's terminals, A's bank details and delegates: refused.
    answer = await terminal.post(DEBIT, debit_input(team_b.partner.id, holder))
    assert error_codes(answer) == ["FORBIDDEN"]
    assert error_codes(await terminal.post(TERMINALS, {"p": str(team_a.partner.id)})) == [
        "FORBIDDEN"
    ]
    bank = await terminal.post(
        "query($p: ID!) { bankDetails(partnerId: $p) { __typename } }",
        {"p": str(team_a.partner.id)},
    )
    assert error_codes(bank) == ["FORBIDDEN"]
    me = await terminal.post("{ me { id } }")
    assert error_codes(me) == ["FORBIDDEN"]


async def test_a_terminal_cancels_its_own_transactions_only(gql):
    team, cashier = await till()
    principal = await token_for(gql, team.principal)
    first = as_terminal(gql, (await paired_terminal(gql, principal, team.partner.id))[1])
    second = as_terminal(
        gql, (await paired_terminal(gql, principal, team.partner.id, "Caisse 2"))[1]
    )
    holder = await card_holder()
    own = (await first.post(DEBIT, debit_input(team.partner.id, holder)))["data"]["debitCard"]
    by_person = await gql.post(
        DEBIT, debit_input(team.partner.id, holder), token=await token_for(gql, cashier)
    )
    person_id = by_person["data"]["debitCard"]["transaction"]["id"]
    assert error_codes(await second.post(CANCEL, {"t": own["transaction"]["id"]})) == ["FORBIDDEN"]
    assert error_codes(await first.post(CANCEL, {"t": person_id})) == ["FORBIDDEN"]
    cancelled = await first.post(CANCEL, {"t": own["transaction"]["id"]})
    assert cancelled["data"]["cancelTransaction"]["transaction"]["status"] == "CANCELLED"
    reversed_ = await CardTransaction.get(id=own["transaction"]["id"])
    assert reversed_.reversed_by_id == team.principal.id
    entry = await AuditEntry.filter(action="transaction.cancelled").order_by("-id").first()
    assert entry is not None and entry.actor_kind == "terminal"


async def test_rotation_ends_the_old_credential(gql):
    team, _ = await till()
    _, credential = await paired_terminal(
        gql, await token_for(gql, team.principal), team.partner.id
    )
    rotated = await as_terminal(gql, credential).post(ROTATE)
    fresh = rotated["data"]["rotateTerminalCredential"]["credential"]
    assert fresh != credential
    assert error_codes(await as_terminal(gql, credential).post(STATUS)) == ["UNAUTHENTICATED"]
    assert (await as_terminal(gql, fresh).post(STATUS))["data"]["terminalStatus"]


async def test_renaming_needs_the_terminals_permission(gql):
    team, cashier = await till()
    principal = await token_for(gql, team.principal)
    terminal_id, _ = await paired_terminal(gql, principal, team.partner.id)
    assert error_codes(
        await gql.post(RENAME, {"t": terminal_id, "n": "Bar"}, token=await token_for(gql, cashier))
    ) == ["FORBIDDEN"]
    manager = await collaborator(team, DelegatePermission.TERMINALS)
    renamed = await gql.post(
        RENAME, {"t": terminal_id, "n": "  Caisse du bar "}, token=await token_for(gql, manager)
    )
    assert renamed["data"]["renameTerminal"]["name"] == "Caisse du bar"
    empty = await gql.post(RENAME, {"t": terminal_id, "n": "   "}, token=principal)
    assert empty["data"]["renameTerminal"] == {
        "__typename": "UserError",
        "code": "INVALID_INPUT",
        "field": "name",
    }


async def test_the_holders_pin_at_a_terminal(gql):
    """PIN on terminals only: a person's till debits without it, the terminal asks for it;
    a missing PIN counts nothing, three wrong ones lock the card."""
    team, cashier = await till()
    await Partner.filter(id=team.partner.id).update(pin_policy_chosen=PinPolicy.TERMINALS)
    principal = await token_for(gql, team.principal)
    terminal = as_terminal(gql, (await paired_terminal(gql, principal, team.partner.id))[1])
    holder = await card_holder()
    await gql.post(
        SET_PIN, {"c": str(holder.card.id), "p": "4821"}, token=await token_for(gql, holder.user)
    )
    status = (await terminal.post(STATUS))["data"]["terminalStatus"]
    assert status["pinRequired"] is True and status["debitableWallets"] == [SPORT]
    looked = await terminal.post(LOOKUP, {"p": str(team.partner.id), "c": holder.card.code})
    assert looked["data"]["lookupCard"]["pinRequired"] is True
    for _ in range(3):
        missing = await terminal.post(DEBIT, debit_input(team.partner.id, holder))
        assert missing["data"]["debitCard"]["code"] == "PIN_REQUIRED"
    assert (await Card.get(id=holder.card.id)).pin_failures == 0
    person = await gql.post(
        DEBIT, debit_input(team.partner.id, holder), token=await token_for(gql, cashier)
    )
    assert person["data"]["debitCard"]["__typename"] == "TransactionSuccess"
    paid = await terminal.post(DEBIT, debit_input(team.partner.id, holder, pin="4821"))
    assert paid["data"]["debitCard"]["__typename"] == "TransactionSuccess", paid
    codes = [
        (await terminal.post(DEBIT, debit_input(team.partner.id, holder, pin="1111")))["data"][
            "debitCard"
        ]["code"]
        for _ in range(3)
    ]
    assert codes[:2] == ["PIN_INCORRECT", "PIN_INCORRECT"] and codes[2] in (
        "PIN_LOCKED",
        "PIN_INCORRECT",
    )
    locked = await terminal.post(DEBIT, debit_input(team.partner.id, holder, pin="4821"))
    assert locked["data"]["debitCard"]["code"] == "PIN_LOCKED"
    assert (await Card.get(id=holder.card.id)).pin_locked_at is not None


async def test_a_change_made_outside_the_api_reaches_a_cached_terminal(gql):
    """On PostgreSQL the terminal's row is served from the process's cache; a revocation
    written by hand (psql, a job) is announced by the trigger and felt at once."""
    team, _ = await till()
    terminal_id, credential = await paired_terminal(
        gql, await token_for(gql, team.principal), team.partner.id
    )
    terminal = as_terminal(gql, credential)
    assert (await terminal.post(STATUS))["data"]["terminalStatus"]
    if sql.is_postgres():
        assert viewers.get_terminal(uuid.UUID(terminal_id)) is not None
    await sql.execute(
        "UPDATE terminals SET state = 'revoked', credential_digest = NULL, revoked_at = $1,"
        " revoked_by_id = responsible_id WHERE id = $2",
        clock.now(),
        uuid.UUID(terminal_id),
    )
    assert error_codes(await terminal.post(STATUS)) == ["UNAUTHENTICATED"]


async def test_a_suspended_partner_s_terminals_stop(gql):
    team, _ = await till()
    _, credential = await paired_terminal(
        gql, await token_for(gql, team.principal), team.partner.id
    )
    terminal = as_terminal(gql, credential)
    assert (await terminal.post(STATUS))["data"]["terminalStatus"]
    await Partner.filter(id=team.partner.id).update(status="suspended")
    assert error_codes(await terminal.post(STATUS)) == ["UNAUTHENTICATED"]


async def test_a_pin_rule_changed_after_pairing_applies_at_the_next_request(gql):
    team, _ = await till()
    _, credential = await paired_terminal(
        gql, await token_for(gql, team.principal), team.partner.id
    )
    terminal = as_terminal(gql, credential)
    holder = await card_holder()
    assert (await terminal.post(STATUS))["data"]["terminalStatus"]["pinRequired"] is False
    await Partner.filter(id=team.partner.id).update(pin_policy_minimum=PinPolicy.TERMINALS)
    assert (await terminal.post(STATUS))["data"]["terminalStatus"]["pinRequired"] is True
    answer = await terminal.post(DEBIT, debit_input(team.partner.id, holder))
    assert answer["data"]["debitCard"]["code"] in ("PIN_REQUIRED", "PIN_NOT_SET")
