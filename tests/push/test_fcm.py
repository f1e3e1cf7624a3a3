"""Push delivery through the real firebase-admin client, against the local FCM stand-in."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from itertools import pairwise

import pytest
from firebase_admin import messaging

from push.mobile import (
    FcmPushSender,
    OutboxPushSender,
    PushMessage,
    PushOutcome,
    PushResult,
    fcm_batches,
    push_sender,
)
from tests.support import free_port, unique

DEBIT = PushMessage(
    token="phone-of-lina",
    title="Paiement de 12,50 € au Cinéma Le Prado",
    body="Il vous reste 37,50 € sur votre carte CJeune.",
    data={"kind": "card_debit", "route": "transaction", "id": "b7c1"},
    collapse_key="notification-b7c1",
)


def message(token: str, **changes: object) -> PushMessage:
    return replace(DEBIT, token=token, **changes)


@pytest.fixture
async def make_sender(fcm_settings) -> AsyncIterator[Callable[..., FcmPushSender]]:
    """Build FCM senders with fast retries; every one is closed after the test."""
    senders: list[FcmPushSender] = []

    def build(settings=fcm_settings, **options: object) -> FcmPushSender:
        options = {"base_delay": 0.05, "max_attempts": 3, **options}
        sender = FcmPushSender(settings, **options)
        senders.append(sender)
        return sender

    yield build
    for sender in senders:
        await sender.close()


async def test_title_body_data_and_collapse_key_reach_the_phone(make_sender, fcm_standin):
    [outcome] = await make_sender().send([DEBIT])

    assert outcome == PushOutcome(DEBIT, PushResult.SENT)
    [received] = fcm_standin.messages
    sent = received.message
    assert sent["token"] == "phone-of-lina"
    assert sent["notification"] == {"title": DEBIT.title, "body": DEBIT.body}
    assert sent["data"] == DEBIT.data
    assert sent["android"] == {"priority": "high", "collapse_key": "notification-b7c1"}
    assert sent["apns"]["headers"]["apns-collapse-id"] == "notification-b7c1"
    assert sent["apns"]["payload"]["aps"]["thread-id"] == "card_debit"


async def test_the_client_exchanges_a_signed_assertion_for_a_bearer_token(
    make_sender, fcm_standin, fcm_credentials_file
):
    await make_sender().send([DEBIT])

    # A fresh sender has no token yet: it must have signed an assertion the stand-in verified.
    [exchange] = fcm_standin.token_requests
    account = json.loads(fcm_credentials_file.read_text())
    assert exchange.claims["iss"] == account["client_email"]
    assert "https://www.googleapis.com/auth/cloud-platform" in exchange.claims["scope"].split()
    [received] = fcm_standin.messages
    assert received.authorization == f"Bearer {exchange.access_token}"
    assert received.project == "cjeune-test"


async def test_a_warmed_sender_has_its_token_before_the_first_message(make_sender, fcm_standin):
    sender = make_sender()

    await sender.warm()  # what a worker does at startup

    [exchange] = fcm_standin.token_requests
    assert fcm_standin.requests == []
    await sender.send([DEBIT])
    assert len(fcm_standin.token_requests) == 1  # the first message did not wait for one
    [received] = fcm_standin.messages
    assert received.authorization == f"Bearer {exchange.access_token}"


def test_messages_are_cut_in_batches_fcm_accepts():
    messages = [message(f"phone-{i}") for i in range(1200)]

    batches = list(fcm_batches(messages))

    assert [len(batch) for batch in batches] == [500, 500, 200]
    assert [m for batch in batches for m in batch] == messages


async def test_1200_messages_go_in_three_successive_batches(make_sender, fcm_standin):
    messages = [message(f"phone-{i:04d}") for i in range(1200)]

    outcomes = await make_sender().send(messages)

    assert [o.message for o in outcomes] == messages  # answers in input order
    assert {o.result for o in outcomes} == {PushResult.SENT}
    received = {r.token: r for r in fcm_standin.messages}
    assert sorted(received) == [m.token for m in messages]
    # firebase-admin sends one HTTP request per message; a batch is what one call puts in
    # flight: every answer of a batch precedes the first request of the next one.
    batches = [[received[m.token] for m in messages[i : i + 500]] for i in (0, 500, 1000)]
    for current, following in pairwise(batches):
        assert max(r.answer for r in current) < min(r.arrival for r in following)


async def test_dead_tokens_are_reported_while_the_rest_of_the_batch_is_sent(
    make_sender, fcm_standin
):
    batch = [
        message("phone-a"),
        message("unregistered-old-phone"),
        message("invalid-garbage"),
        message("phone-b"),
    ]

    outcomes = await make_sender().send(batch)

    assert [o.result for o in outcomes] == [
        PushResult.SENT,
        PushResult.TOKEN_INVALID,
        PushResult.TOKEN_INVALID,
        PushResult.SENT,
    ]
    assert "UnregisteredError" in outcomes[1].error
    assert "registration token" in outcomes[2].error
    assert sorted(r.token for r in fcm_standin.messages) == ["phone-a", "phone-b"]
    assert len(fcm_standin.requests) == 4  # a dead token is not retried


async def test_a_payload_fcm_rejects_fails_without_blaming_the_device(make_sender, fcm_standin):
    [outcome] = await make_sender().send([message("phone-c", data={"from": "cjeune"})])

    assert outcome.result is PushResult.FAILED  # the device stays: the bug is ours
    assert "Invalid data payload key: from" in outcome.error
    assert len(fcm_standin.attempts_for("phone-c")) == 1  # the same request would fail again


async def test_quota_exceeded_waits_for_retry_after_and_retries_only_that_message(
    make_sender, fcm_standin
):
    fcm_standin.fail_next("phone-busy", status=429, times=1, retry_after=1)

    outcomes = await make_sender().send([message("phone-busy"), message("phone-calm")])

    assert [o.result for o in outcomes] == [PushResult.SENT, PushResult.SENT]
    first, second = fcm_standin.attempts_for("phone-busy")
    assert (first.status, second.status) == (429, 200)
    # base_delay is 0.05 s: only the Retry-After header explains a one-second pause.
    assert 0.95 <= second.received_at - first.received_at < 2.5
    assert len(fcm_standin.attempts_for("phone-calm")) == 1


async def test_unavailable_is_retried_with_growing_delays_until_sent(make_sender, fcm_standin):
    fcm_standin.fail_next("phone-d", status=503, times=2)

    [outcome] = await make_sender().send([message("phone-d")])

    assert outcome.result is PushResult.SENT
    attempts = fcm_standin.attempts_for("phone-d")
    assert [a.status for a in attempts] == [503, 503, 200]
    first_pause = attempts[1].received_at - attempts[0].received_at
    second_pause = attempts[2].received_at - attempts[1].received_at
    # Ours (0.05 s then 0.1 s, plus jitter), not firebase-admin's own (0 s then 1 s).
    assert 0.05 <= first_pause < 0.5
    assert 0.1 <= second_pause < 0.6


async def test_a_persistent_outage_fails_with_the_reason_after_max_attempts(
    make_sender, fcm_standin
):
    fcm_standin.fail_next("phone-e", status=503, times=100)

    [outcome] = await make_sender(max_attempts=4).send([message("phone-e")])

    assert outcome.result is PushResult.FAILED
    assert outcome.error.startswith("after 4 attempts: HTTP 503 UnavailableError")
    assert len(fcm_standin.attempts_for("phone-e")) == 4


async def test_each_sender_keeps_its_own_endpoint(make_sender, fcm_settings, fcm_standin):
    nowhere = replace(fcm_settings, fcm_endpoint=f"http://127.0.0.1:{free_port()}")
    lost = make_sender(nowhere, max_attempts=2)
    delivered = make_sender()

    [refused] = await lost.send([message("phone-f")])
    [sent] = await delivered.send([message("phone-g")])

    assert refused.result is PushResult.FAILED
    assert "after 2 attempts" in refused.error and "connection" in refused.error.lower()
    assert sent.result is PushResult.SENT
    assert [r.token for r in fcm_standin.requests] == ["phone-g"]
    # Nothing global was redirected for other firebase-admin users of the process.
    assert messaging._MessagingService.FCM_URL.startswith("https://fcm.googleapis.com/")


async def test_the_embedded_default_appends_json_lines(settings, tmp_path):
    sender = push_sender(replace(settings, push_backend="outbox", data_dir=tmp_path))
    assert isinstance(sender, OutboxPushSender)

    first = await sender.send([DEBIT, message("phone-h", collapse_key=None)])
    await sender.send([message(unique("phone"))])
    await sender.close()

    assert [o.result for o in first] == [PushResult.SENT, PushResult.SENT]
    lines = (tmp_path / "push-outbox" / "push.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    written = json.loads(lines[0])
    assert written["title"] == "Paiement de 12,50 € au Cinéma Le Prado"  # readable French
    assert written["data"] == DEBIT.data
    assert written["collapse_key"] == "notification-b7c1"
    assert json.loads(lines[1])["collapse_key"] is None


async def test_the_fcm_backend_is_chosen_from_settings(fcm_settings):
    sender = push_sender(fcm_settings)
    try:
        assert isinstance(sender, FcmPushSender)
        assert sender.max_attempts == fcm_settings.job_max_retries
    finally:
        await sender.close()
