"""The PIN at the till: who counts a wrong PIN, what a missing one answers."""

from __future__ import annotations

import uuid

from models.cards import Card
from models.partners import Partner, PinPolicy
from tests.factories import card_holder, till, token_for

DEBIT = """
mutation($input: DebitInput!) {
  debitCard(input: $input) {
    __typename
    ... on TransactionSuccess { transaction { id amountCents } }
    ... on UserError { code message field }
  }
}
"""
SET_PIN = "mutation($c: ID!, $p: String!) { setCardPin(cardId: $c, pin: $p) { __typename } }"
SPORT = "SPORT_CULTURE_LOISIRS"


def debit_input(team, holder, amount="2", pin=None, **extra):
    return {
        "input": {
            "partnerId": str(team.partner.id),
            "code": holder.card.code,
            "walletKind": SPORT,
            "amount": amount,
            "idempotencyKey": uuid.uuid4().hex,
            **({"pin": pin} if pin is not ... else {}),
            **extra,
        }
    }


async def test_debits_without_a_pin_never_lock_a_strangers_card(gql):
    team, cashier = await till()
    await Partner.filter(id=team.partner.id).update(pin_policy_minimum=PinPolicy.EVERY_TILL)
    holder = await card_holder()
    young = await token_for(gql, holder.user)
    await gql.post(SET_PIN, {"c": str(holder.card.id), "p": "4821"}, token=young)
    token = await token_for(gql, cashier)
    for pin in (None, "", "   ", None, ..., ""):
        answer = (await gql.post(DEBIT, debit_input(team, holder, pin=pin), token=token))["data"]
        assert answer["debitCard"]["code"] == "PIN_REQUIRED", answer
    card = await Card.get(id=holder.card.id)
    assert card.pin_failures == 0 and card.pin_locked_at is None
    paid = await gql.post(DEBIT, debit_input(team, holder, pin="4821"), token=token)
    assert paid["data"]["debitCard"]["__typename"] == "TransactionSuccess"


async def test_a_pin_that_cannot_be_one_counts_nothing(gql):
    team, cashier = await till()
    await Partner.filter(id=team.partner.id).update(pin_policy_minimum=PinPolicy.EVERY_TILL)
    holder = await card_holder()
    await gql.post(
        SET_PIN, {"c": str(holder.card.id), "p": "4821"}, token=await token_for(gql, holder.user)
    )
    token = await token_for(gql, cashier)
    for pin in ("12", "48210", "abcd", "null"):
        answer = (await gql.post(DEBIT, debit_input(team, holder, pin=pin), token=token))["data"]
        assert (answer["debitCard"]["code"], answer["debitCard"]["field"]) == (
            "INVALID_INPUT",
            "pin",
        )
    assert (await Card.get(id=holder.card.id)).pin_failures == 0
    # Typed with spaces around it, the right PIN still pays.
    paid = await gql.post(DEBIT, debit_input(team, holder, pin=" 4821 "), token=token)
    assert paid["data"]["debitCard"]["__typename"] == "TransactionSuccess"


async def test_a_card_without_a_pin_is_told_to_choose_one_and_counts_nothing(gql):
    team, cashier = await till()
    await Partner.filter(id=team.partner.id).update(pin_policy_minimum=PinPolicy.EVERY_TILL)
    holder = await card_holder()
    token = await token_for(gql, cashier)
    for pin in (None, "0000", "1234", "9999"):
        answer = (await gql.post(DEBIT, debit_input(team, holder, pin=pin), token=token))["data"]
        error = answer["debitCard"]
        assert error["code"] == "PIN_NOT_SET", error
        assert "espace CJeune" in error["message"] and error["field"] == "pin"
    card = await Card.get(id=holder.card.id)
    assert card.pin_failures == 0 and card.pin_locked_at is None
