"""The young person's card: activation, opposition, replacement; and the year end."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.accounts.viewer import Viewer
from domain.cards import codes as card_codes
from domain.cards.school_years import create_school_year, school_year_by_label
from domain.cards.year_end import close_school_year
from domain.core import clock
from domain.core.errors import DomainError
from models.accounts import StaffRole
from models.cards import Card, CardStatus
from models.ledger import AccountKind, LedgerAccount, LedgerEntry
from tests.factories import card_holder, staff_member, till, token_for, young_person
from tests.ledger_invariants import assert_ledger_invariants
from tests.resolvers.test_card_transactions import DEBIT, LOOKUP, debit_input, wallet_balance

ACTIVATE = """mutation($code: String!) { activateCard(code: $code) {
  __typename ... on CardSuccess { card { id state code qrPayload wallets { kind balanceCents } } }
  ... on UserError { code message } } }"""
LOST = """mutation($c: ID!) { declareCardLost(cardId: $c, stolen: true) {
  __typename ... on CardSuccess { card { state } } ... on UserError { code } } }"""
REPLACE = """mutation($c: ID!) { replaceCard(cardId: $c) {
  __typename ... on CardSuccess { card { id code state wallets { kind balanceCents } } }
  ... on UserError { code } } }"""


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(settings):
    yield
    await assert_ledger_invariants()


async def test_the_holder_activates_the_card_by_scanning_its_qr_code(gql):
    holder = await card_holder(activated=False)
    user = await young_person(holder.beneficiary.birth_date)
    token = await token_for(gql, user)
    result = await gql.post(
        ACTIVATE, {"code": card_codes.qr_payload(holder.card.code)}, token=token
    )
    card = result["data"]["activateCard"]["card"]
    assert card["state"] == "ACTIVE"
    assert card["code"] == card_codes.format_code(holder.card.code)
    assert {w["kind"]: w["balanceCents"] for w in card["wallets"]} == {
        "SPORT_CULTURE_LOISIRS": 10000,
        "SOUTIEN_SCOLAIRE": 5000,
    }
    again = await gql.post(ACTIVATE, {"code": holder.card.code}, token=token)
    assert again["data"]["activateCard"]["card"]["state"] == "ACTIVE"  # harmless repeat


async def test_someone_else_cannot_activate_a_card_that_is_not_theirs(gql):
    holder = await card_holder(activated=False)
    stranger = await young_person(date(2012, 1, 1))
    result = await gql.post(
        ACTIVATE, {"code": holder.card.code}, token=await token_for(gql, stranger)
    )
    assert result["data"]["activateCard"]["code"] == "CARD_NOT_USABLE"
    assert (await Card.get(id=holder.card.id)).status == CardStatus.NOT_ACTIVATED


async def test_a_lost_card_is_opposed_at_once_and_replaced_with_its_balances(gql):
    team, cashier = await till()
    holder = await card_holder()
    cashier_token = await token_for(gql, cashier)
    await gql.post(DEBIT, debit_input(team, holder, "30"), token=cashier_token)

    lost = await gql.post(LOST, {"c": str(holder.card.id)}, token=await token_for(gql, holder.user))
    assert lost["data"]["declareCardLost"]["card"]["state"] == "OPPOSED"
    refused = await gql.post(DEBIT, debit_input(team, holder, "1"), token=cashier_token)
    assert refused["data"]["debitCard"]["code"] == "CARD_NOT_USABLE"

    support = await token_for(gql, await staff_member(StaffRole.SUPPORT))
    replaced = (await gql.post(REPLACE, {"c": str(holder.card.id)}, token=support))["data"][
        "replaceCard"
    ]["card"]
    assert replaced["state"] == "ACTIVE" and replaced["code"] != holder.card.code
    assert {w["kind"]: w["balanceCents"] for w in replaced["wallets"]}[
        "SPORT_CULTURE_LOISIRS"
    ] == 7000
    check = (
        await gql.post(
            LOOKUP, {"p": str(team.partner.id), "code": replaced["code"]}, token=cashier_token
        )
    )["data"]["lookupCard"]
    assert check["state"] == "ACTIVE" and check["wallets"][0]["balanceCents"] == 7000
    old = (
        await gql.post(
            LOOKUP, {"p": str(team.partner.id), "code": holder.card.code}, token=cashier_token
        )
    )["data"]["lookupCard"]
    assert old["state"] == "OPPOSED"


async def test_the_year_end_expires_cards_and_forfeits_balances_once(settings):
    year = await school_year_by_label("2019-2020") or await create_school_year(
        Viewer(), date(2019, 9, 2)
    )
    holders = [await card_holder(year) for _ in range(3)]
    with clock.frozen(datetime(2020, 8, 31, 23, 59, tzinfo=clock.PARIS)):
        with pytest.raises(DomainError, match="pas terminée"):
            await close_school_year(year)
    progress: list[tuple[int, int]] = []
    report = await close_school_year(
        year, progress=lambda done, total: progress.append((done, total))
    )
    assert report.wallets_forfeited == 6 and report.forfeited_cents == 3 * 15000
    assert report.cards_expired == 3 and progress[-1] == (6, 6)
    for holder in holders:
        assert await wallet_balance(holder) == 0
        assert (await Card.get(id=holder.card.id)).status == CardStatus.EXPIRED
    funding = await LedgerAccount.get(kind=AccountKind.FUNDING, school_year_id=year.id)
    entries = await LedgerEntry.filter(account_id=funding.id).count()
    again = await close_school_year(year)
    assert again.wallets_forfeited == 0 and again.cards_expired == 0
    assert await LedgerEntry.filter(account_id=funding.id).count() == entries


REQUEST_DIGITAL = """mutation($c: String!) { requestDigitalCard(communeCode: $c) {
  __typename ... on CardSuccess { card { id code kind state wallets { kind } } }
  ... on UserError { code message field } } }"""


async def test_a_16_to_25_year_old_gets_a_digital_card_for_deals_only(gql):
    team, cashier = await till()
    adult = await young_person(date(2004, 6, 1))
    token = await token_for(gql, adult)
    outside = await gql.post(REQUEST_DIGITAL, {"c": "75056"}, token=token)
    assert outside["data"]["requestDigitalCard"]["field"] == "communeCode"
    card = (await gql.post(REQUEST_DIGITAL, {"c": "13055"}, token=token))["data"][
        "requestDigitalCard"
    ]["card"]
    assert card["kind"] == "DIGITAL" and card["state"] == "ACTIVE" and card["wallets"] == []
    again = (await gql.post(REQUEST_DIGITAL, {"c": "13055"}, token=token))["data"][
        "requestDigitalCard"
    ]["card"]
    assert again["id"] == card["id"]  # one card per year

    check = (
        await gql.post(
            LOOKUP,
            {"p": str(team.partner.id), "code": card["code"]},
            token=await token_for(gql, cashier),
        )
    )["data"]["lookupCard"]
    assert check["state"] == "ACTIVE" and check["wallets"] == []
    assert check["holder"]["age"] == clock.age_on(date(2004, 6, 1), clock.paris_today())


async def test_a_middle_schooler_gets_no_digital_card(gql):
    pupil = await young_person(date(2013, 2, 2))
    refused = await gql.post(REQUEST_DIGITAL, {"c": "13055"}, token=await token_for(gql, pupil))
    assert refused["data"]["requestDigitalCard"]["code"] == "AGE_NOT_ELIGIBLE"
