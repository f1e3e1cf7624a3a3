"""The programme's hotline comes from the settings: the `programme` field and the message
that sends a partner to it once a transaction can no longer be cancelled."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, timedelta

import pytest

from domain.core import clock
from infra.settings import load_settings, use_settings
from push.email import OutgoingEmail, render
from tests.factories import card_holder, till, token_for

PROGRAMME = "{ programme { hotlinePhone } }"
DEBIT = """mutation($input: DebitInput!) { debitCard(input: $input) {
  ... on TransactionSuccess { transaction { id } } } }"""
CANCEL = """mutation($id: ID!) { cancelTransaction(transactionId: $id) {
  __typename ... on UserError { code message } } }"""
OTHER_NUMBER = "04 13 31 13 13"


@pytest.fixture
def other_hotline(settings) -> Iterator[None]:
    use_settings(replace(settings, hotline_phone=OTHER_NUMBER))
    yield
    use_settings(settings)


def test_the_hotline_is_read_from_the_environment(monkeypatch):
    assert load_settings().hotline_phone == "04 86 68 80 07"
    monkeypatch.setenv("HOTLINE_PHONE", OTHER_NUMBER)
    assert load_settings().hotline_phone == OTHER_NUMBER


async def test_anyone_reads_the_hotline_from_the_settings(gql, other_hotline):
    answer = await gql.post(PROGRAMME)
    assert answer["data"]["programme"] == {"hotlinePhone": OTHER_NUMBER}


async def test_too_late_to_cancel_says_to_call_the_hotline_of_the_settings(gql, other_hotline):
    team, cashier = await till()
    holder = await card_holder()
    # Yesterday morning: in the past whatever the hour the suite runs at.
    yesterday = (clock.now() - timedelta(days=1)).astimezone(UTC).replace(hour=9)
    with clock.frozen(yesterday):
        token = await token_for(gql, cashier)
        debit = await gql.post(
            DEBIT,
            {
                "input": {
                    "partnerId": str(team.partner.id),
                    "code": holder.card.code,
                    "walletKind": "SPORT_CULTURE_LOISIRS",
                    "amount": "2",
                    "idempotencyKey": uuid.uuid4().hex,
                }
            },
            token=token,
        )
    transaction_id = debit["data"]["debitCard"]["transaction"]["id"]
    refused = await gql.post(CANCEL, {"id": transaction_id}, token=await token_for(gql, cashier))
    answer = refused["data"]["cancelTransaction"]
    assert answer["code"] == "CANCELLATION_TOO_LATE"
    assert f"contactez la hotline au {OTHER_NUMBER}" in answer["message"]


def test_the_bank_details_alert_gives_the_hotline_of_the_settings(settings):
    alert = OutgoingEmail(
        to="gerant@cinema.test",
        template="bank_details_changed",
        context={
            "first_name": "Marc",
            "partner_name": "Cinéma du Prado",
            "author_name": "Léa Caisse",
            "masked_iban": "FR76 •••• 0189",
            "holder_name": "SARL Prado",
            "submitted_at": "12/01/2027 à 10:04",
        },
    )
    message = render(alert, replace(settings, hotline_phone=OTHER_NUMBER))
    for part in (message.get_body(("plain",)), message.get_body(("html",))):
        assert OTHER_NUMBER in part.get_content()
