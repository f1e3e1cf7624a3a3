"""A card and its wallets are spent only within their school year (Paris days, both ends
included); a pupil imported into next year spends this year's card until 31 August only."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import pytest

from domain.accounts.viewer import Viewer
from domain.cards.beneficiary_import import import_middle_schoolers
from domain.cards.school_years import create_school_year, school_year_by_label
from domain.core import clock
from models.accounts import StaffRole
from models.cards import Beneficiary, Card, SchoolYear
from models.ledger import AccountKind, LedgerAccount
from models.partners import Partner
from models.transactions import CardTransaction
from tests.factories import (
    card_holder,
    current_school_year,
    staff_member,
    till,
    token_for,
    young_person,
)
from tests.ledger_invariants import assert_ledger_invariants
from tests.support import unique

LOOKUP = """
query($p: ID!, $code: String!) {
  lookupCard(partnerId: $p, code: $code) {
    __typename
    ... on CardCheck { state unusableReason validFrom validUntil holder { firstName }
                       wallets { kind balanceCents } }
    ... on UserError { code message }
  }
}
"""
DEBIT = """
mutation($input: DebitInput!) {
  debitCard(input: $input) {
    __typename
    ... on TransactionSuccess { transaction { amountCents walletKind } }
    ... on UserError { code message field }
  }
}
"""
ACTIVATE = """mutation($code: String!) { activateCard(code: $code) {
  __typename ... on CardSuccess { card { state } } ... on UserError { code message } } }"""
MY_CARDS = """{ myCards { code state unusableReason schoolYear validFrom validUntil
                          wallets { kind balanceCents } } }"""

SPORT = "SPORT_CULTURE_LOISIRS"


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(settings):
    yield
    await assert_ledger_invariants()


async def year_starting(starts_on: date) -> SchoolYear:
    label = f"{starts_on.year}-{starts_on.year + 1}"
    return await school_year_by_label(label) or await create_school_year(Viewer(), starts_on)


async def next_school_year() -> SchoolYear:
    current = await current_school_year()
    return await year_starting(date(current.starts_on.year + 1, 9, 1))


def paris(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), clock.PARIS)


def debit_input(team, code: str, amount: str = "10") -> dict:
    return {
        "input": {
            "partnerId": str(team.partner.id),
            "code": code,
            "walletKind": SPORT,
            "amount": amount,
            "idempotencyKey": uuid.uuid4().hex,
        }
    }


async def balances(beneficiary_id, year: SchoolYear) -> dict[str, int]:
    wallets = await LedgerAccount.filter(
        kind=AccountKind.WALLET, beneficiary_id=beneficiary_id, school_year_id=year.id
    )
    return {w.wallet_kind: w.balance_cents for w in wallets}


async def test_a_card_of_a_year_not_started_cannot_be_debited_and_says_from_when(gql):
    team, cashier = await till()
    year = await next_school_year()
    holder = await card_holder(year)  # activated and credited, as an import would
    token = await token_for(gql, cashier)

    check = (
        await gql.post(LOOKUP, {"p": str(team.partner.id), "code": holder.card.code}, token=token)
    )["data"]["lookupCard"]
    first_day = year.starts_on.strftime("%d/%m/%Y")
    assert check["state"] == "NOT_YET_VALID"
    assert "pas encore valable" in check["unusableReason"] and first_day in check["unusableReason"]
    assert (check["validFrom"], check["validUntil"]) == (
        year.starts_on.isoformat(),
        year.ends_on.isoformat(),
    )
    assert check["holder"] is None and check["wallets"] == []

    refused = (await gql.post(DEBIT, debit_input(team, holder.card.code), token=token))["data"]
    assert refused["debitCard"]["code"] == "CARD_NOT_USABLE"
    assert "pas encore valable" in refused["debitCard"]["message"]
    assert not await CardTransaction.filter(card_id=holder.card.id).exists()
    assert (await balances(holder.beneficiary.id, year))[SPORT] == 100_00

    [mine] = (await gql.post(MY_CARDS, token=await token_for(gql, holder.user)))["data"]["myCards"]
    assert mine["state"] == "NOT_YET_VALID" and first_day in mine["unusableReason"]
    assert mine["validFrom"] == year.starts_on.isoformat()


async def _debit_at(gql, instant: datetime, year: SchoolYear) -> dict:
    """A new holder of `year` and a new till, debited at `instant`."""
    with clock.frozen(instant):
        team, cashier = await till()
        holder = await card_holder(year)
        token = await token_for(gql, cashier)
        lookup = await gql.post(
            LOOKUP, {"p": str(team.partner.id), "code": holder.card.code}, token=token
        )
        debit = await gql.post(DEBIT, debit_input(team, holder.card.code), token=token)
    return {"state": lookup["data"]["lookupCard"]["state"], **debit["data"]["debitCard"]}


async def test_the_first_day_starts_at_midnight_in_paris(gql):
    year = await next_school_year()
    eve = await _debit_at(gql, paris(year.starts_on - timedelta(days=1), 23, 59, 59), year)
    assert (eve["state"], eve["code"]) == ("NOT_YET_VALID", "CARD_NOT_USABLE")
    first = await _debit_at(gql, paris(year.starts_on, 0, 0), year)
    assert first["state"] == "ACTIVE" and first["__typename"] == "TransactionSuccess"


async def test_the_last_day_ends_at_midnight_in_paris(gql):
    year = await current_school_year()
    last = await _debit_at(gql, paris(year.ends_on, 23, 59), year)
    assert last["state"] == "ACTIVE" and last["__typename"] == "TransactionSuccess"
    after = await _debit_at(gql, paris(year.ends_on + timedelta(days=1), 0, 0), year)
    assert (after["state"], after["code"]) == ("EXPIRED", "CARD_NOT_USABLE")
    assert "a expiré" in after["message"] and year.ends_on.strftime("%d/%m/%Y") in after["message"]


async def test_a_pupil_imported_into_both_years_spends_only_the_current_ones_card(gql):
    """The decision written in docs/architecture.md: next year's card is issued and credited
    at the import, can be activated at once, and is spendable from its first day only; this
    year's card runs until 31 August. Never two spendable cards at once."""
    current = await current_school_year()
    following = await next_school_year()
    pupil, birth = unique("INE").zfill(9) + "AB", date(current.starts_on.year - 12, 3, 15)
    csv = (
        "identifiant;nom;prenom;date_naissance;etablissement;commune\n"
        f"{pupil};FABRE;Anna;{birth:%d/%m/%Y};Collège Longchamp;13201\n"
    )
    for year in (current, following):
        report = await import_middle_schoolers(Viewer(), year, csv)
        assert report.cards_issued == 1
    beneficiary = await Beneficiary.get(school_identifier=pupil)
    now_card = await Card.get(beneficiary_id=beneficiary.id, school_year_id=current.id)
    next_card = await Card.get(beneficiary_id=beneficiary.id, school_year_id=following.id)

    young = await token_for(gql, await young_person(birth))
    for card, state in ((now_card, "ACTIVE"), (next_card, "NOT_YET_VALID")):
        activated = (await gql.post(ACTIVATE, {"code": card.code}, token=young))["data"]
        assert activated["activateCard"]["card"]["state"] == state  # activated ahead too
    cards = {c["schoolYear"]: c for c in (await gql.post(MY_CARDS, token=young))["data"]["myCards"]}
    assert cards[current.label]["state"] == "ACTIVE"
    assert cards[following.label]["state"] == "NOT_YET_VALID"

    team, cashier = await till()
    token = await token_for(gql, cashier)
    spent = (await gql.post(DEBIT, debit_input(team, now_card.code, "30"), token=token))["data"]
    assert spent["debitCard"]["__typename"] == "TransactionSuccess"
    refused = (await gql.post(DEBIT, debit_input(team, next_card.code), token=token))["data"]
    assert refused["debitCard"]["code"] == "CARD_NOT_USABLE"
    assert (await balances(beneficiary.id, current))[SPORT] == 70_00
    assert (await balances(beneficiary.id, following))[SPORT] == 100_00

    # On next year's first day the roles swap: last year's card is obsolete.
    with clock.frozen(paris(following.starts_on, 0, 0)):
        token = await token_for(gql, cashier)
        old = (await gql.post(DEBIT, debit_input(team, now_card.code), token=token))["data"]
        assert old["debitCard"]["code"] == "CARD_NOT_USABLE"
        assert "obsolète" in old["debitCard"]["message"]
        new = (await gql.post(DEBIT, debit_input(team, next_card.code), token=token))["data"]
        assert new["debitCard"]["__typename"] == "TransactionSuccess"
    assert (await balances(beneficiary.id, following))[SPORT] == 90_00


async def test_graphql_refuses_a_wallet_that_is_not_one_of_the_two_in_french(gql):
    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)
    payload = debit_input(team, holder.card.code)
    payload["input"]["walletKind"] = "SPORTS"
    [error] = (await gql.post(DEBIT, payload, token=token))["errors"]
    assert error["message"] == (
        "La variable « $input » a une valeur invalide (en $input.walletKind) : porte-monnaie "
        "inconnu : « SPORTS ». Les porte-monnaie sont SPORT_CULTURE_LOISIRS ou SOUTIEN_SCOLAIRE."
    )
    literal = DEBIT_LITERAL % (team.partner.id, holder.card.code, "CULTURE")
    [error] = (await gql.post(literal, token=token))["errors"]
    assert error["message"].startswith("Porte-monnaie inconnu : « CULTURE »")
    quoted = DEBIT_LITERAL % (team.partner.id, holder.card.code, '"SOUTIEN_SCOLAIRE"')
    [error] = (await gql.post(quoted, token=token))["errors"]
    assert error["message"] == (
        "Une valeur de WalletKind s'écrit sans guillemets : SOUTIEN_SCOLAIRE."
    )
    assert not await CardTransaction.filter(card_id=holder.card.id).exists()


DEBIT_LITERAL = """mutation { debitCard(input: {partnerId: "%s", code: "%s", walletKind: %s,
  amount: "1", idempotencyKey: "litteral-0001"}) { __typename } }"""
LIST = """query($p: ID!, $w: WalletKind) { transactions(partnerId: $p, walletKind: $w) {
  transactions { walletKind amountCents } } }"""


async def test_transactions_are_filtered_by_the_wallet_enum(gql):
    team, cashier = await till()
    await Partner.filter(id=team.partner.id).update(debitable_wallets=[SPORT, "SOUTIEN_SCOLAIRE"])
    holder = await card_holder()
    token = await token_for(gql, cashier)
    for wallet, amount in ((SPORT, "3"), ("SOUTIEN_SCOLAIRE", "4")):
        payload = debit_input(team, holder.card.code, amount)
        payload["input"]["walletKind"] = wallet
        done = await gql.post(DEBIT, payload, token=token)
        assert done["data"]["debitCard"]["transaction"]["walletKind"] == wallet
    support = await gql.post(
        LIST, {"p": str(team.partner.id), "w": "SOUTIEN_SCOLAIRE"}, token=token
    )
    assert support["data"]["transactions"]["transactions"] == [
        {"walletKind": "SOUTIEN_SCOLAIRE", "amountCents": 400}
    ]


CREATE_YEAR = """mutation($input: CreateSchoolYearInput!) { createSchoolYear(input: $input) {
  __typename
  ... on SchoolYearSuccess { schoolYear { label walletTypes { kind label amountCents } } }
  ... on UserError { code message field } } }"""


async def test_a_school_year_sets_the_amounts_of_the_fixed_wallets(gql):
    token = await token_for(gql, await staff_member(StaffRole.FINANCE))
    wallets = [{"kind": "SOUTIEN_SCOLAIRE", "amount": "55"}, {"kind": SPORT, "amount": "110"}]
    created = await gql.post(
        CREATE_YEAR, {"input": {"startsOn": "2330-09-01", "walletTypes": wallets}}, token=token
    )
    year = created["data"]["createSchoolYear"]["schoolYear"]
    assert sorted(year["walletTypes"], key=lambda w: w["kind"]) == [
        {
            "kind": "SOUTIEN_SCOLAIRE",
            "label": "Soutien scolaire et linguistique",
            "amountCents": 5500,
        },
        {"kind": SPORT, "label": "Sport, culture et loisirs", "amountCents": 11000},
    ]
    overlapping = await gql.post(CREATE_YEAR, {"input": {"startsOn": "2331-08-27"}}, token=token)
    refused = overlapping["data"]["createSchoolYear"]
    assert refused["code"] == "INVALID_STATE" and "2330-2331" in refused["message"]
    wallets = [{"kind": "MOBILITE", "amount": "10"}]
    unknown = await gql.post(
        CREATE_YEAR, {"input": {"startsOn": "2333-09-01", "walletTypes": wallets}}, token=token
    )
    assert "porte-monnaie inconnu : « MOBILITE »" in unknown["errors"][0]["message"]
