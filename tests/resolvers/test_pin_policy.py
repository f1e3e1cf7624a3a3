"""The partner's PIN policy through the API: who sets what, what the tills then ask."""

from __future__ import annotations

import uuid

import pytest

from models.accounts import StaffRole
from models.audit import AuditEntry
from models.cards import Card
from models.partners import DelegatePermission, Partner, PinPolicy
from tests.factories import (
    card_holder,
    collaborator,
    partner_team,
    staff_member,
    till,
    token_for,
)

SET_MINIMUM = """mutation($p: ID!, $l: PinPolicy!) { setPinPolicyMinimum(partnerId: $p, level: $l) {
  __typename ... on PartnerSuccess { partner { pinPolicy { minimum chosen effective } } }
  ... on UserError { code message field } } }"""
SET_LEVEL = """mutation($p: ID!, $l: PinPolicy!) { setPinPolicy(partnerId: $p, level: $l) {
  __typename ... on PartnerSuccess { partner { pinPolicy { minimum chosen effective } } }
  ... on UserError { code message field } } }"""
POLICY = "query($p: ID!) { partner(id: $p) { tradeName pinPolicy { effective } } }"
LOOKUP = """query($p: ID!, $code: String!, $channel: PaymentChannel!) {
  lookupCard(partnerId: $p, code: $code, channel: $channel) {
    ... on CardCheck { pinRequired } ... on UserError { code } } }"""
DEBIT = """mutation($input: DebitInput!) { debitCard(input: $input) {
  __typename ... on UserError { code message field } } }"""
SET_PIN = "mutation($c: ID!, $p: String!) { setCardPin(cardId: $c, pin: $p) { __typename } }"


def policy(minimum: str, chosen: str, effective: str) -> dict[str, str]:
    return {"minimum": minimum, "chosen": chosen, "effective": effective}


def answer_of(result: dict, field: str) -> dict:
    assert not result.get("errors"), result
    return result["data"][field]


async def test_the_principal_raises_the_minimum_and_never_lowers_it(gql):
    team = await partner_team()
    p = str(team.partner.id)
    support = await token_for(gql, await staff_member(StaffRole.SUPPORT))
    principal = await token_for(gql, team.principal)

    imposed = answer_of(
        await gql.post(SET_MINIMUM, {"p": p, "l": "TERMINALS"}, support), "setPinPolicyMinimum"
    )
    assert imposed["partner"]["pinPolicy"] == policy("TERMINALS", "NONE", "TERMINALS")

    lowered = answer_of(await gql.post(SET_LEVEL, {"p": p, "l": "NONE"}, principal), "setPinPolicy")
    assert (lowered["code"], lowered["field"]) == ("FORBIDDEN", "level")
    assert lowered["message"].startswith("Le département impose au minimum le code PIN sur vos ")

    raised = answer_of(
        await gql.post(SET_LEVEL, {"p": p, "l": "EVERY_TILL"}, principal), "setPinPolicy"
    )
    assert raised["partner"]["pinPolicy"] == policy("TERMINALS", "EVERY_TILL", "EVERY_TILL")
    back = answer_of(
        await gql.post(SET_LEVEL, {"p": p, "l": "TERMINALS"}, principal), "setPinPolicy"
    )
    assert back["partner"]["pinPolicy"] == policy("TERMINALS", "TERMINALS", "TERMINALS")

    # The département raises the minimum over the choice, then lowers it: the choice stays.
    over = answer_of(
        await gql.post(SET_MINIMUM, {"p": p, "l": "EVERY_TILL"}, support), "setPinPolicyMinimum"
    )
    assert over["partner"]["pinPolicy"] == policy("EVERY_TILL", "TERMINALS", "EVERY_TILL")
    refused = answer_of(
        await gql.post(SET_LEVEL, {"p": p, "l": "TERMINALS"}, principal), "setPinPolicy"
    )
    assert refused["code"] == "FORBIDDEN" and "à toutes vos caisses" in refused["message"]
    freed = answer_of(
        await gql.post(SET_MINIMUM, {"p": p, "l": "NONE"}, support), "setPinPolicyMinimum"
    )
    assert freed["partner"]["pinPolicy"] == policy("NONE", "TERMINALS", "TERMINALS")
    free = answer_of(await gql.post(SET_LEVEL, {"p": p, "l": "NONE"}, principal), "setPinPolicy")
    assert free["partner"]["pinPolicy"] == policy("NONE", "NONE", "NONE")


async def test_both_changes_are_audited_and_a_no_change_is_not(gql):
    team = await partner_team()
    p = str(team.partner.id)
    support_user = await staff_member(StaffRole.SUPPORT)
    support = await token_for(gql, support_user)
    principal = await token_for(gql, team.principal)
    await gql.post(SET_MINIMUM, {"p": p, "l": "TERMINALS"}, support)
    await gql.post(SET_MINIMUM, {"p": p, "l": "TERMINALS"}, support)  # the same again
    await gql.post(SET_LEVEL, {"p": p, "l": "EVERY_TILL"}, principal)
    await gql.post(SET_LEVEL, {"p": p, "l": "NONE"}, principal)  # refused: below the minimum

    entries = await AuditEntry.filter(
        partner_id=team.partner.id, action__startswith="partner.pin"
    ).order_by("id")
    assert [(e.action, e.actor_id) for e in entries] == [
        ("partner.pin_minimum_imposed", support_user.id),
        ("partner.pin_policy_chosen", team.principal.id),
    ]
    assert (entries[0].before, entries[0].after) == (
        {"pinPolicyMinimum": "none", "pinPolicyChosen": "none", "pinPolicyEffective": "none"},
        {
            "pinPolicyMinimum": "terminals",
            "pinPolicyChosen": "none",
            "pinPolicyEffective": "terminals",
        },
    )
    assert entries[1].after == {
        "pinPolicyMinimum": "terminals",
        "pinPolicyChosen": "every_till",
        "pinPolicyEffective": "every_till",
    }
    assert entries[1].actor_kind == "delegate"


async def test_only_the_principal_and_the_support_staff_change_it(gql):
    team = await partner_team()
    other = await partner_team(name="Autre")
    p = str(team.partner.id)
    every_permission = await collaborator(team, *DelegatePermission)
    refused = {
        "collaborator with every permission": (SET_LEVEL, every_permission),
        "principal of another partner": (SET_LEVEL, other.principal),
        "young person": (SET_LEVEL, (await card_holder()).user),
        "staff who do not manage partners": (
            SET_LEVEL,
            await staff_member(StaffRole.MODERATION, StaffRole.FINANCE, StaffRole.MARKETING),
        ),
        "support staff (the minimum is theirs)": (SET_LEVEL, await staff_member(StaffRole.SUPPORT)),
        "principal (the minimum)": (SET_MINIMUM, team.principal),
        "collaborator (the minimum)": (SET_MINIMUM, every_permission),
        "finance staff (the minimum)": (SET_MINIMUM, await staff_member(StaffRole.FINANCE)),
        "young person (the minimum)": (SET_MINIMUM, (await card_holder()).user),
    }
    for who, (document, user) in refused.items():
        result = await gql.post(document, {"p": p, "l": "EVERY_TILL"}, await token_for(gql, user))
        codes = [e["extensions"]["code"] for e in result.get("errors") or []]
        assert codes == ["FORBIDDEN"], who
    anonymous = await gql.post(SET_LEVEL, {"p": p, "l": "EVERY_TILL"})
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]

    partner = await Partner.get(id=team.partner.id)
    assert (partner.pin_policy_minimum, partner.pin_policy_chosen) == (PinPolicy.NONE,) * 2
    assert not await AuditEntry.filter(
        partner_id=team.partner.id, action__startswith="partner.pin"
    ).exists()
    admin = await token_for(gql, await staff_member(StaffRole.ADMINISTRATOR))
    done = answer_of(
        await gql.post(SET_MINIMUM, {"p": p, "l": "TERMINALS"}, admin), "setPinPolicyMinimum"
    )
    assert done["partner"]["pinPolicy"]["minimum"] == "TERMINALS"


async def test_a_partner_never_sees_another_partners_policy(gql):
    team, other = await partner_team(), await partner_team(name="Autre")
    await Partner.filter(id=team.partner.id).update(pin_policy_minimum=PinPolicy.EVERY_TILL)
    own = await gql.post(POLICY, {"p": str(team.partner.id)}, await token_for(gql, team.principal))
    assert own["data"]["partner"]["pinPolicy"] == {"effective": "EVERY_TILL"}
    for user in (other.principal, (await card_holder()).user):
        seen = await gql.post(POLICY, {"p": str(team.partner.id)}, await token_for(gql, user))
        assert seen["data"]["partner"]["pinPolicy"] is None  # the public profile, not the policy
        assert seen["data"]["partner"]["tradeName"] == team.partner.trade_name
        assert [e["extensions"]["code"] for e in seen["errors"]] == ["FORBIDDEN"]


LEVELS = [
    # level, PIN asked at the till, PIN asked at a terminal
    ("NONE", False, False),
    ("TERMINALS", False, True),
    ("EVERY_TILL", True, True),
]


@pytest.mark.parametrize(("level", "at_till", "at_terminal"), LEVELS)
@pytest.mark.parametrize("set_by", ["département", "principal"])
async def test_each_level_asks_the_pin_where_it_says(gql, level, at_till, at_terminal, set_by):
    team, cashier = await till()
    p = str(team.partner.id)
    if set_by == "département":
        setter = await token_for(gql, await staff_member(StaffRole.SUPPORT))
        answer_of(await gql.post(SET_MINIMUM, {"p": p, "l": level}, setter), "setPinPolicyMinimum")
    else:
        setter = await token_for(gql, team.principal)
        answer_of(await gql.post(SET_LEVEL, {"p": p, "l": level}, setter), "setPinPolicy")
    holder = await card_holder()
    await gql.post(
        SET_PIN, {"c": str(holder.card.id), "p": "2580"}, await token_for(gql, holder.user)
    )
    token = await token_for(gql, cashier)
    for channel, asked in (("TILL", at_till), ("TERMINAL", at_terminal)):
        looked = await gql.post(
            LOOKUP, {"p": p, "code": holder.card.code, "channel": channel}, token
        )
        assert looked["data"]["lookupCard"]["pinRequired"] is asked, channel
        debit = {
            "partnerId": p,
            "code": holder.card.code,
            "walletKind": "SPORT_CULTURE_LOISIRS",
            "amount": "1",
            "idempotencyKey": uuid.uuid4().hex,
            "channel": channel,
        }
        without = answer_of(await gql.post(DEBIT, {"input": debit}, token), "debitCard")
        expected = "UserError" if asked else "TransactionSuccess"
        assert without["__typename"] == expected, (channel, without)
        if asked:
            assert (without["code"], without["field"]) == ("PIN_REQUIRED", "pin")
            debit["pin"] = "2580"
            debit["idempotencyKey"] = uuid.uuid4().hex
            paid = answer_of(await gql.post(DEBIT, {"input": debit}, token), "debitCard")
            assert paid["__typename"] == "TransactionSuccess"
    assert (await Card.get(id=holder.card.id)).pin_failures == 0


async def test_a_debit_without_a_channel_is_a_till_debit(gql):
    team, cashier = await till()
    await Partner.filter(id=team.partner.id).update(pin_policy_chosen=PinPolicy.TERMINALS)
    holder = await card_holder()
    token = await token_for(gql, cashier)
    debit = {
        "partnerId": str(team.partner.id),
        "code": holder.card.code,
        "walletKind": "SPORT_CULTURE_LOISIRS",
        "amount": "1",
        "idempotencyKey": uuid.uuid4().hex,
    }
    paid = answer_of(await gql.post(DEBIT, {"input": debit}, token), "debitCard")
    assert paid["__typename"] == "TransactionSuccess"
