"""The till: lookup, debit, idempotency, cancellation, regularisation, isolation, PIN."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.accounts.viewer import Viewer
from domain.cards import codes as card_codes
from domain.cards.lifecycle import issue_card
from domain.cards.school_years import create_school_year, school_year_by_label, school_year_on
from domain.core import clock
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.cards import Card, CardKind
from models.ledger import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction
from models.notifications import Notification
from models.partners import Partner, PinPolicy
from models.transactions import CardTransaction
from tests.factories import (
    card_holder,
    current_school_year,
    partner_team,
    staff_member,
    till,
    token_for,
)
from tests.ledger_invariants import assert_ledger_invariants
from tests.support import error_codes

PARIS = ZoneInfo("Europe/Paris")

LOOKUP = """
query($p: ID!, $code: String!) {
  lookupCard(partnerId: $p, code: $code) {
    __typename
    ... on CardCheck { cardCode state unusableReason pinRequired holder { firstName lastName age }
                       wallets { kind label balanceCents balance } }
    ... on UserError { code message }
  }
}
"""
DEBIT = """
mutation($input: DebitInput!) {
  debitCard(input: $input) {
    __typename
    ... on TransactionSuccess { transaction { id reference amountCents amount status
                                             maskedCardCode walletKind } }
    ... on UserError { code message field }
  }
}
"""
CANCEL = """mutation($id: ID!) { cancelTransaction(transactionId: $id) {
  __typename ... on TransactionSuccess { transaction { status } }
  ... on UserError { code message } } }"""
REGULARIZE = """mutation($id: ID!, $reason: String!) {
  regularizeTransaction(transactionId: $id, reason: $reason) {
    __typename ... on TransactionSuccess { transaction { status reversalReason } }
    ... on UserError { code message } } }"""
LIST = """query($p: ID!, $first: Int!, $after: String) {
  transactions(partnerId: $p, first: $first, after: $after) {
    transactions { reference amountCents status delegate { email } } nextCursor } }"""
MY_CARDS = "{ myCards { code state wallets { kind balanceCents } } }"
MY_TRANSACTIONS = "{ myTransactions { transactions { amountCents partnerName status } } }"

SPORT = "SPORT_CULTURE_LOISIRS"


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(settings):
    yield
    await assert_ledger_invariants()


def debit_input(team, holder, amount="10,55", key=None, wallet=SPORT, pin=None, code=None):
    return {
        "input": {
            "partnerId": str(team.partner.id),
            "code": code or holder.card.code,
            "walletKind": wallet,
            "amount": amount,
            "idempotencyKey": key or uuid.uuid4().hex,
            "pin": pin,
        }
    }


async def wallet_balance(holder, kind=SPORT) -> int:
    account = await LedgerAccount.get(
        beneficiary_id=holder.beneficiary.id,
        wallet_kind=kind,
        school_year_id=holder.card.school_year_id,
    )
    return account.balance_cents


async def test_lookup_by_typed_code_or_qr_shows_identity_and_debitable_wallets(gql):
    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)
    typed = card_codes.format_code(holder.card.code).lower().replace("-", " ")
    for code in (typed, card_codes.qr_payload(holder.card.code)):
        result = (await gql.post(LOOKUP, {"p": str(team.partner.id), "code": code}, token=token))[
            "data"
        ]["lookupCard"]
        assert result["state"] == "ACTIVE" and result["unusableReason"] is None
        assert result["holder"] == {
            "firstName": "Jade",
            "lastName": "Vidal",
            "age": clock.age_on(date(2013, 4, 2), clock.paris_today()),
        }
        # Only the sport/culture/leisure wallet: the partner's convention allows nothing else.
        assert [(w["kind"], w["balanceCents"]) for w in result["wallets"]] == [(SPORT, 10000)]


async def test_a_card_that_cannot_be_used_says_why_in_the_guides_words(gql):
    team, cashier = await till()
    token = await token_for(gql, cashier)
    inactive = await card_holder(activated=False)
    lost = await card_holder()
    await Card.filter(id=lost.card.id).update(status="opposed", opposed_at=clock.now())
    cases = [(inactive, "NOT_ACTIVATED", "n'a pas été activée"), (lost, "OPPOSED", "en opposition")]
    for holder, state, words in cases:
        result = (
            await gql.post(
                LOOKUP, {"p": str(team.partner.id), "code": holder.card.code}, token=token
            )
        )["data"]["lookupCard"]
        assert result["state"] == state
        assert words in result["unusableReason"]
        assert result["holder"] is None and result["wallets"] == []
        refused = await gql.post(DEBIT, debit_input(team, holder), token=token)
        assert refused["data"]["debitCard"]["code"] == "CARD_NOT_USABLE"
    unknown = await gql.post(
        LOOKUP, {"p": str(team.partner.id), "code": "0000-0000-0000-00"}, token=token
    )
    assert unknown["data"]["lookupCard"]["code"] == "CARD_UNKNOWN"


async def test_an_old_years_card_is_obsolete_and_a_finished_year_expired(gql):
    team, cashier = await till()
    token = await token_for(gql, cashier)
    past = await school_year_by_label("2021-2022") or await create_school_year(
        Viewer(), date(2021, 9, 2)
    )
    holder = await card_holder(past)
    expired = (
        await gql.post(LOOKUP, {"p": str(team.partner.id), "code": holder.card.code}, token=token)
    )["data"]["lookupCard"]
    assert expired["state"] == "EXPIRED" and "31/08/2022" in expired["unusableReason"]
    await issue_card(holder.beneficiary, await current_school_year(), CardKind.PHYSICAL)
    obsolete = (
        await gql.post(LOOKUP, {"p": str(team.partner.id), "code": holder.card.code}, token=token)
    )["data"]["lookupCard"]
    assert obsolete["state"] == "OBSOLETE" and "(carte 2021-2022)" in obsolete["unusableReason"]


async def test_a_debit_moves_money_tells_the_young_person_and_is_audited(gql):
    team, cashier = await till()
    holder = await card_holder()
    result = await gql.post(
        DEBIT, debit_input(team, holder, "10,55"), token=await token_for(gql, cashier)
    )
    transaction = result["data"]["debitCard"]["transaction"]
    assert transaction["amountCents"] == 1055 and transaction["status"] == "COMPLETED"
    assert transaction["maskedCardCode"].endswith(card_codes.format_code(holder.card.code)[-5:])
    assert await wallet_balance(holder) == 10000 - 1055

    [notification] = await Notification.filter(user_id=holder.user.id, kind="card_debit")
    assert team.partner.trade_name in notification.body
    assert "10,55" in notification.body and "89,45" in notification.body
    assert await AuditEntry.filter(
        action="transaction.debited", object_id=transaction["id"]
    ).exists()

    young = await token_for(gql, holder.user)
    cards = (await gql.post(MY_CARDS, token=young))["data"]["myCards"]
    assert {w["kind"]: w["balanceCents"] for w in cards[0]["wallets"]} == {
        SPORT: 8945,
        "SOUTIEN_SCOLAIRE": 5000,
    }
    history = (await gql.post(MY_TRANSACTIONS, token=young))["data"]["myTransactions"]
    assert history["transactions"] == [
        {"amountCents": 1055, "status": "COMPLETED", "partnerName": team.partner.trade_name}
    ]


async def _rows_written() -> dict[str, int]:
    return {
        "ledger_transactions": await LedgerTransaction.all().count(),
        "ledger_entries": await LedgerEntry.all().count(),
        "card_transactions": await CardTransaction.all().count(),
        "audit_entries": await AuditEntry.all().count(),
        "notifications": await Notification.all().count(),
    }


async def test_a_debit_writes_exactly_these_rows(gql):
    """Column by column: on PostgreSQL one statement writes them, on SQLite the ORM does."""
    team, cashier = await till()
    holder = await card_holder()
    before = await _rows_written()
    started = clock.now()
    payload = debit_input(team, holder, "12,34", key="rows-written-0001")
    result = await gql.post(DEBIT, payload, token=await token_for(gql, cashier))
    answer = result["data"]["debitCard"]["transaction"]
    after = await _rows_written()
    assert {table: after[table] - before[table] for table in after} == {
        "ledger_transactions": 1,
        "ledger_entries": 2,
        "card_transactions": 1,
        "audit_entries": 1,
        "notifications": 1,
    }

    debit = await CardTransaction.get(id=answer["id"])
    wallet = await LedgerAccount.get(id=debit.wallet_id)
    assert (wallet.beneficiary_id, wallet.wallet_kind) == (holder.beneficiary.id, SPORT)
    assert (debit.partner_id, debit.delegate_user_id, debit.card_id) == (
        team.partner.id,
        cashier.id,
        holder.card.id,
    )
    assert (debit.amount_cents, debit.wallet_kind, debit.status.value) == (1234, SPORT, "completed")
    assert debit.idempotency_key == "rows-written-0001" and len(debit.request_fingerprint) == 64
    assert debit.reference == answer["reference"] and len(debit.reference) == 12
    assert debit.reversed_at is None and debit.reversal_id is None
    assert started - timedelta(seconds=1) <= debit.created_at <= clock.now()

    posted = await LedgerTransaction.get(id=debit.ledger_transaction_id)
    assert posted.kind.value == "card_debit"
    assert posted.description == f"Débit {debit.reference} chez {team.partner.trade_name}"
    entries = await LedgerEntry.filter(ledger_transaction_id=posted.id).order_by("amount_cents")
    payable = await LedgerAccount.get(id=entries[1].account_id)
    assert [(e.account_id, e.amount_cents) for e in entries] == [
        (wallet.id, -1234),
        (payable.id, 1234),
    ]
    assert (payable.kind, payable.partner_id) == (AccountKind.PARTNER_PAYABLE, team.partner.id)
    assert wallet.balance_cents == 10000 - 1234

    entry = await AuditEntry.get(action="transaction.debited", object_id=str(debit.id))
    assert (entry.actor_id, entry.actor_kind, entry.partner_id) == (
        cashier.id,
        "delegate",
        team.partner.id,
    )
    assert (entry.object_type, entry.before, entry.client_address) == (
        "CardTransaction",
        None,
        "203.0.113.7",
    )
    assert entry.after == {"reference": debit.reference, "amountCents": 1234, "wallet": SPORT}

    [notification] = await Notification.filter(user_id=holder.user.id, kind="card_debit")
    assert notification.title == "Paiement avec ta carte CJeune"
    assert notification.body == (
        f"{team.partner.trade_name} a débité 12,34\u00a0€. "
        "Il te reste 87,66\u00a0€ sur ce porte-monnaie."
    )
    assert notification.data == {
        "transactionId": str(debit.id),
        "amountCents": 1234,
        "balanceCents": 8766,
        "wallet": SPORT,
    }
    assert notification.read_at is None
    assert await wallet_balance(holder) == 8766


async def test_a_debit_over_the_balance_writes_nothing(gql):
    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)
    before = await _rows_written()
    refused = await gql.post(DEBIT, debit_input(team, holder, "100,01"), token=token)
    assert refused["data"]["debitCard"]["code"] == "INSUFFICIENT_BALANCE"
    assert await _rows_written() == before
    assert await wallet_balance(holder) == 10000


@pytest.mark.parametrize(
    "amount", ["10.555", "-1", "0", "1e3", "NaN", "dix", "99999999999", "100,01"]
)
async def test_bad_amounts_are_refused_and_change_nothing(gql, amount):
    team, cashier = await till()
    holder = await card_holder()
    result = await gql.post(
        DEBIT, debit_input(team, holder, amount), token=await token_for(gql, cashier)
    )
    error = result["data"]["debitCard"]
    assert error["__typename"] == "UserError"
    assert error["code"] in {"INVALID_INPUT", "INSUFFICIENT_BALANCE"}
    assert error["field"] == "amount" and error["message"]
    assert await wallet_balance(holder) == 10000
    assert not await CardTransaction.filter(card_id=holder.card.id).exists()


async def test_a_non_string_amount_is_refused_by_the_schema(gql):
    team, cashier = await till()
    holder = await card_holder()
    payload = debit_input(team, holder)
    payload["input"]["amount"] = 1000
    result = await gql.post(DEBIT, payload, token=await token_for(gql, cashier))
    assert result["data"] is None
    [error] = result["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == (
        "La variable « $input » a une valeur invalide (en $input.amount) : 1000 n'est pas "
        "une chaîne de caractères."
    )
    assert await wallet_balance(holder) == 10000


async def test_a_wallet_outside_the_convention_is_refused(gql):
    team, cashier = await till()
    holder = await card_holder()
    result = await gql.post(
        DEBIT,
        debit_input(team, holder, wallet="SOUTIEN_SCOLAIRE"),
        token=await token_for(gql, cashier),
    )
    assert result["data"]["debitCard"]["code"] == "WALLET_NOT_ALLOWED"
    assert await wallet_balance(holder, "SOUTIEN_SCOLAIRE") == 5000


async def test_replaying_an_idempotency_key_returns_the_first_result(gql):
    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)
    first = await gql.post(
        DEBIT, debit_input(team, holder, "12", key="cle-terminal-0001"), token=token
    )
    again = await gql.post(
        DEBIT, debit_input(team, holder, "12", key="cle-terminal-0001"), token=token
    )
    assert again == first
    other = await gql.post(
        DEBIT, debit_input(team, holder, "13", key="cle-terminal-0001"), token=token
    )
    assert other["data"]["debitCard"]["code"] == "IDEMPOTENCY_CONFLICT"
    assert await wallet_balance(holder) == 10000 - 1200


async def test_a_replay_answers_the_first_result_whatever_happened_since(gql):
    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)
    payload = debit_input(team, holder, "100", key="tout-le-solde-01")
    first = await gql.post(DEBIT, payload, token=token)
    assert first["data"]["debitCard"]["__typename"] == "TransactionSuccess"
    assert await gql.post(DEBIT, payload, token=token) == first  # the wallet is now empty
    await Card.filter(id=holder.card.id).update(status="opposed", opposed_at=clock.now())
    assert await gql.post(DEBIT, payload, token=token) == first  # and the card is lost
    assert await CardTransaction.filter(card_id=holder.card.id).count() == 1
    assert await wallet_balance(holder) == 0


async def test_a_replay_at_a_pin_till_does_not_check_the_pin_again(gql):
    team, cashier = await till()
    await Partner.filter(id=team.partner.id).update(pin_policy_minimum=PinPolicy.EVERY_TILL)
    holder = await card_holder()
    young = await token_for(gql, holder.user)
    set_pin = "mutation($c: ID!, $p: String!) { setCardPin(cardId: $c, pin: $p) { __typename } }"
    await gql.post(set_pin, {"c": str(holder.card.id), "p": "2468"}, token=young)
    token = await token_for(gql, cashier)
    payload = debit_input(team, holder, "7", key="rejeu-avec-pin-01", pin="2468")
    first = await gql.post(DEBIT, payload, token=token)
    assert first["data"]["debitCard"]["__typename"] == "TransactionSuccess"
    changed = await gql.post(set_pin, {"c": str(holder.card.id), "p": "1357"}, token=young)
    assert changed["data"]["setCardPin"]["__typename"] == "CardSuccess"
    assert await gql.post(DEBIT, payload, token=token) == first
    card = await Card.get(id=holder.card.id)
    assert card.pin_failures == 0 and card.pin_locked_at is None
    assert await wallet_balance(holder) == 10000 - 700


async def test_twenty_concurrent_replays_of_one_key_make_one_transaction(gql):
    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)
    payload = debit_input(team, holder, "5", key="rejeu-concurrent-01")
    results = await asyncio.gather(*[gql.post(DEBIT, payload, token=token) for _ in range(20)])
    ids = {r["data"]["debitCard"]["transaction"]["id"] for r in results}
    assert len(ids) == 1
    assert await CardTransaction.filter(card_id=holder.card.id).count() == 1
    assert await wallet_balance(holder) == 10000 - 500


async def test_fifty_concurrent_debits_never_overspend_a_wallet(gql, settings):
    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)
    results = await asyncio.gather(
        *[gql.post(DEBIT, debit_input(team, holder, "3"), token=token) for _ in range(50)]
    )
    kinds = [r["data"]["debitCard"]["__typename"] for r in results]
    assert kinds.count("TransactionSuccess") == 33  # 33 x 3 € = 99 € of 100 €
    assert {r["data"]["debitCard"].get("code") for r in results} - {None} == {
        "INSUFFICIENT_BALANCE"
    }
    assert await wallet_balance(holder) == 100


async def test_cancellation_the_same_day_recredits_and_is_never_reimbursed(gql):
    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)
    debit = await gql.post(DEBIT, debit_input(team, holder, "20"), token=token)
    transaction_id = debit["data"]["debitCard"]["transaction"]["id"]
    cancelled = await gql.post(CANCEL, {"id": transaction_id}, token=token)
    assert cancelled["data"]["cancelTransaction"]["transaction"]["status"] == "CANCELLED"
    assert await wallet_balance(holder) == 10000
    twice = await gql.post(CANCEL, {"id": transaction_id}, token=token)
    assert twice["data"]["cancelTransaction"]["code"] == "INVALID_STATE"
    assert await wallet_balance(holder) == 10000
    assert await Notification.filter(user_id=holder.user.id, kind="card_cancelled").exists()


DST_CASES = [
    # (debit at, cancel at, allowed?) in Paris time, on the days the clocks change
    (datetime(2026, 3, 29, 0, 1), datetime(2026, 3, 29, 23, 59), True),
    (datetime(2026, 3, 28, 23, 59), datetime(2026, 3, 29, 0, 1), False),
    (datetime(2026, 10, 25, 0, 1), datetime(2026, 10, 25, 23, 59), True),
    (datetime(2026, 10, 24, 23, 59), datetime(2026, 10, 25, 0, 1), False),
    (datetime(2026, 10, 25, 23, 59), datetime(2026, 10, 26, 0, 1), False),
]


@pytest.mark.parametrize(("debit_at", "cancel_at", "allowed"), DST_CASES)
async def test_cancellation_follows_the_paris_calendar_day_across_clock_changes(
    gql, debit_at, cancel_at, allowed
):
    starts = date(debit_at.year if debit_at.month >= 9 else debit_at.year - 1, 9, 1)
    year = await school_year_on(debit_at.date()) or await create_school_year(Viewer(), starts)
    with clock.frozen(debit_at.replace(tzinfo=PARIS)):
        team, cashier = await till()
        holder = await card_holder(year)
        token = await token_for(gql, cashier)
        debit = await gql.post(DEBIT, debit_input(team, holder, "4"), token=token)
    transaction_id = debit["data"]["debitCard"]["transaction"]["id"]
    with clock.frozen(cancel_at.replace(tzinfo=PARIS)):
        token = await token_for(gql, cashier)  # hours later: a fresh session
        result = (await gql.post(CANCEL, {"id": transaction_id}, token=token))["data"]
    if allowed:
        assert result["cancelTransaction"]["transaction"]["status"] == "CANCELLED"
    else:
        assert result["cancelTransaction"]["code"] == "CANCELLATION_TOO_LATE"
        assert "hotline" in result["cancelTransaction"]["message"]


async def test_after_the_day_support_regularises_with_a_reason(gql):
    team, cashier = await till()
    holder = await card_holder()
    # Yesterday morning: in the past whatever the hour the suite runs at (a frozen clock
    # ahead of the real one would outlive the cashier's session token).
    yesterday = (clock.now() - timedelta(days=1)).astimezone(UTC).replace(hour=9)
    with clock.frozen(yesterday):
        token = await token_for(gql, cashier)
        debit = await gql.post(DEBIT, debit_input(team, holder, "8"), token=token)
    transaction_id = debit["data"]["debitCard"]["transaction"]["id"]
    support = await token_for(gql, await staff_member(StaffRole.SUPPORT))
    no_reason = await gql.post(REGULARIZE, {"id": transaction_id, "reason": "  "}, token=support)
    assert no_reason["data"]["regularizeTransaction"]["code"] == "INVALID_INPUT"
    done = await gql.post(
        REGULARIZE,
        {"id": transaction_id, "reason": "Double saisie au guichet, appel du 12/11"},
        token=support,
    )
    assert done["data"]["regularizeTransaction"]["transaction"]["status"] == "REGULARIZED"
    assert await wallet_balance(holder) == 10000
    entry = await AuditEntry.get(action="transaction.regularized", object_id=transaction_id)
    assert entry.after["reason"] == "Double saisie au guichet, appel du 12/11"
    cashier_try = await gql.post(
        REGULARIZE, {"id": transaction_id, "reason": "x" * 20}, token=await token_for(gql, cashier)
    )
    assert error_codes(cashier_try) == ["FORBIDDEN"]


async def test_partner_b_cannot_look_up_cancel_or_list_through_partner_a(gql):
    a_team, a_cashier = await till()
    _b_team, b_cashier = await till(await partner_team(name="Bravo"))
    holder = await card_holder()
    a_token, b_token = await token_for(gql, a_cashier), await token_for(gql, b_cashier)
    debit = await gql.post(DEBIT, debit_input(a_team, holder, "6"), token=a_token)
    transaction_id = debit["data"]["debitCard"]["transaction"]["id"]

    lookup = await gql.post(
        LOOKUP, {"p": str(a_team.partner.id), "code": holder.card.code}, token=b_token
    )
    assert error_codes(lookup) == ["FORBIDDEN"]
    stolen = await gql.post(DEBIT, debit_input(a_team, holder, "6"), token=b_token)
    assert error_codes(stolen) == ["FORBIDDEN"]
    cancel = await gql.post(CANCEL, {"id": transaction_id}, token=b_token)
    assert error_codes(cancel) == ["FORBIDDEN"]
    listing = await gql.post(LIST, {"p": str(a_team.partner.id), "first": 10}, token=b_token)
    assert listing["data"]["transactions"] is None and error_codes(listing) == ["FORBIDDEN"]
    own = await gql.post(LIST, {"p": str(a_team.partner.id), "first": 10}, token=a_token)
    assert own["data"]["transactions"]["transactions"][0]["delegate"]["email"] == a_cashier.email
    assert await wallet_balance(holder) == 10000 - 600


async def test_a_partner_lists_its_transactions_page_by_page(gql):
    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)
    for amount in ("1", "2", "3"):
        await gql.post(DEBIT, debit_input(team, holder, amount), token=token)
    seen, cursor = [], None
    while True:
        page = (
            await gql.post(
                LIST, {"p": str(team.partner.id), "first": 2, "after": cursor}, token=token
            )
        )["data"]["transactions"]
        seen += [t["amountCents"] for t in page["transactions"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == [300, 200, 100]


async def test_three_wrong_pins_in_one_document_lock_the_card(gql):
    team, cashier = await till()
    await Partner.filter(id=team.partner.id).update(pin_policy_minimum=PinPolicy.EVERY_TILL)
    holder = await card_holder()
    young = await token_for(gql, holder.user)
    set_pin = await gql.post(
        'mutation($c: ID!) { setCardPin(cardId: $c, pin: "4821") { __typename } }',
        {"c": str(holder.card.id)},
        token=young,
    )
    assert set_pin["data"]["setCardPin"]["__typename"] == "CardSuccess"
    token = await token_for(gql, cashier)
    inputs = {f"i{n}": debit_input(team, holder, "2", pin="0000")["input"] for n in range(4)}
    document = (
        "mutation("
        + ", ".join(f"$i{n}: DebitInput!" for n in range(4))
        + ") {"
        + " ".join(
            f"d{n}: debitCard(input: $i{n}) {{ ... on UserError {{ code message }} }}"
            for n in range(4)
        )
        + "}"
    )
    result = (await gql.post(document, inputs, token=token))["data"]
    assert [result[f"d{n}"]["code"] for n in range(4)] == [
        "PIN_INCORRECT",
        "PIN_INCORRECT",
        "PIN_LOCKED",
        "PIN_LOCKED",
    ]
    right = await gql.post(DEBIT, debit_input(team, holder, "2", pin="4821"), token=token)
    assert right["data"]["debitCard"]["code"] == "PIN_LOCKED"  # locked, even with the right PIN
    lookup = (
        await gql.post(LOOKUP, {"p": str(team.partner.id), "code": holder.card.code}, token=token)
    )["data"]["lookupCard"]
    assert lookup["state"] == "PIN_LOCKED" and "hotline" in lookup["unusableReason"]

    support = await token_for(gql, await staff_member(StaffRole.SUPPORT))
    await gql.post(
        "mutation($c: ID!) { unlockCardPin(cardId: $c) { __typename } }",
        {"c": str(holder.card.id)},
        token=support,
    )
    paid = await gql.post(DEBIT, debit_input(team, holder, "2", pin="4821"), token=token)
    assert paid["data"]["debitCard"]["__typename"] == "TransactionSuccess"
    assert (await Card.get(id=holder.card.id)).pin_failures == 0


async def test_a_right_pin_resets_the_count(gql):
    team, cashier = await till()
    await Partner.filter(id=team.partner.id).update(pin_policy_minimum=PinPolicy.EVERY_TILL)
    holder = await card_holder()
    await gql.post(
        'mutation($c: ID!) { setCardPin(cardId: $c, pin: "1357") { __typename } }',
        {"c": str(holder.card.id)},
        token=await token_for(gql, holder.user),
    )
    token = await token_for(gql, cashier)
    for pin in ("0000", "0000", "1357", "0000", "0000", "1357"):
        await gql.post(DEBIT, debit_input(team, holder, "1", pin=pin), token=token)
    card = await Card.get(id=holder.card.id)
    assert card.pin_locked_at is None and card.pin_failures == 0
    assert await wallet_balance(holder) == 10000 - 200


async def test_lookups_are_rate_limited_for_unknown_codes(gql, settings):
    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)
    for _ in range(settings.unknown_code_limit_per_delegate):
        fake = card_codes.new_code()
        await gql.post(LOOKUP, {"p": str(team.partner.id), "code": fake}, token=token)
    blocked = await gql.post(
        LOOKUP, {"p": str(team.partner.id), "code": holder.card.code}, token=token
    )
    assert blocked["data"]["lookupCard"]["code"] == "RATE_LIMITED"


async def test_lookup_limits_are_shared_through_redis_as_in_production(gql, settings, redis_url):
    from redis.asyncio import Redis

    from infra.counters import shared_counter
    from infra.settings import use_settings

    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)
    use_settings(replace(settings, redis_url=redis_url, lookup_limit_per_delegate=3))
    try:
        answers = [
            (
                await gql.post(
                    LOOKUP, {"p": str(team.partner.id), "code": holder.card.code}, token=token
                )
            )["data"]["lookupCard"]
            for _ in range(4)
        ]
        await shared_counter(redis_url).flush()  # what the flusher does every second
        client = Redis.from_url(redis_url)
        stored = await client.keys(f"cjeune:count:lookup:delegate:{cashier.id}:*")
        await client.aclose()
    finally:
        use_settings(settings)
    assert [a["__typename"] for a in answers[:3]] == ["CardCheck"] * 3
    assert answers[3]["code"] == "RATE_LIMITED"
    assert len(stored) == 1


RECEIPT_DEBIT = """
mutation($input: DebitInput!, $width: Int!) {
  debitCard(input: $input) {
    __typename
    ... on TransactionSuccess { transaction { id reference maskedCardCode receipt(width: $width) } }
    ... on UserError { code message }
  }
}
"""
RECEIPT_CANCEL = """mutation($id: ID!) { cancelTransaction(transactionId: $id) {
  __typename ... on TransactionSuccess { transaction { receipt } } } }"""


async def test_a_terminal_prints_the_ticket_of_a_debit_and_of_its_cancellation(gql):
    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)

    debit = await gql.post(
        RECEIPT_DEBIT, {**debit_input(team, holder, "10,55"), "width": 32}, token=token
    )

    transaction = debit["data"]["debitCard"]["transaction"]
    ticket = transaction["receipt"]
    assert all(len(line) <= 32 for line in ticket)
    assert team.partner.trade_name in "\n".join(ticket)
    assert f"Réf. {transaction['reference']}" in ticket
    assert f"Carte {transaction['maskedCardCode']}" in ticket
    (amount_line,) = [line for line in ticket if line.startswith("MONTANT")]
    assert amount_line.endswith("10,55 €") and len(amount_line) == 32
    now = clock.now().astimezone(PARIS)
    assert any(line.startswith(f"Paiement le {now:%d/%m/%Y} à") for line in ticket)
    assert holder.user.last_name not in "\n".join(ticket)  # never the holder's name

    cancelled = await gql.post(RECEIPT_CANCEL, {"id": transaction["id"]}, token=token)
    printed = cancelled["data"]["cancelTransaction"]["transaction"]["receipt"]
    assert "TRANSACTION ANNULÉE" in [line.strip() for line in printed]


async def test_a_ticket_width_the_printers_do_not_have_is_refused(gql):
    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)

    answer = await gql.post(
        RECEIPT_DEBIT, {**debit_input(team, holder, "1"), "width": 10}, token=token
    )

    assert answer["errors"][0]["message"].startswith("Largeur de ticket")


ONE = """query($p: ID!, $id: ID!) {
  transaction(partnerId: $p, id: $id) { reference amount status receipt(width: 32) } }"""
DEBIT_WITH_WALLET = """mutation($input: DebitInput!) {
  debitCard(input: $input) { ... on TransactionSuccess { transaction { id }
    wallet { kind label balanceCents balance } } } }"""
CANCEL_WITH_WALLET = """mutation($id: ID!) { cancelTransaction(transactionId: $id) {
  ... on TransactionSuccess { wallet { balanceCents } } } }"""


async def test_the_success_of_a_debit_or_a_cancellation_tells_the_wallet_balance_now(gql):
    team, cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)

    debited = (await gql.post(DEBIT_WITH_WALLET, debit_input(team, holder), token=token))["data"][
        "debitCard"
    ]
    assert debited["wallet"] == {
        "kind": SPORT,
        "label": "Sport, culture et loisirs",
        "balanceCents": 10000 - 1055,
        "balance": "89,45\u00a0€",
    }
    cancelled = await gql.post(
        CANCEL_WITH_WALLET, {"id": debited["transaction"]["id"]}, token=token
    )
    assert cancelled["data"]["cancelTransaction"]["wallet"] == {"balanceCents": 10000}


async def test_a_partner_reads_one_of_its_transactions_and_never_another_partners(gql):
    team, cashier = await till()
    other_team, other_cashier = await till()
    holder = await card_holder()
    token = await token_for(gql, cashier)
    debited = (await gql.post(DEBIT, debit_input(team, holder), token=token))["data"]["debitCard"]
    transaction_id = debited["transaction"]["id"]

    own = await gql.post(ONE, {"p": str(team.partner.id), "id": transaction_id}, token=token)
    other_token = await token_for(gql, other_cashier)
    by_own_partner = await gql.post(
        ONE, {"p": str(other_team.partner.id), "id": transaction_id}, token=other_token
    )
    by_naming_the_owner = await gql.post(
        ONE, {"p": str(team.partner.id), "id": transaction_id}, token=other_token
    )
    malformed = await gql.post(ONE, {"p": str(team.partner.id), "id": "nope"}, token=token)

    shown = own["data"]["transaction"]
    assert shown["reference"] == debited["transaction"]["reference"]
    assert shown["amount"] == "10,55\u00a0€" and shown["status"] == "COMPLETED"
    assert any("10,55" in line for line in shown["receipt"])
    assert by_own_partner["data"]["transaction"] is None
    assert error_codes(by_naming_the_owner) == ["FORBIDDEN"]
    assert malformed["data"]["transaction"] is None
