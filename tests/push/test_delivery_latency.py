"""On the real stack (the API and a worker as processes, PostgreSQL or SQLite, Redis, the FCM
stand-in): the time from a debit's commit to the young person's subscription event and to
the push arriving at FCM. Prints one JSON line of figures."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from models.notifications import Device, Notification
from tests.conftest import BACKEND
from tests.factories import card_holder, till, token_for
from tests.resolvers.test_card_transactions import DEBIT, debit_input
from tests.support import free_port

DEBITS = 30
SUBSCRIBE = "subscription { notificationAdded { kind data } }"


def _environment(
    settings, fcm_standin, fcm_credentials_file: Path, redis_url: str
) -> dict[str, str]:
    return {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": settings.secret_key,
        "CJEUNE_DATA_DIR": str(settings.data_dir),
        "PUSH_BACKEND": "fcm",
        "FCM_CREDENTIALS_FILE": str(fcm_credentials_file),
        "FCM_ENDPOINT": fcm_standin.url,
        "EMAIL_BACKEND": "outbox",
        "RATE_LIMIT_PER_MINUTE": "0",
    }


@contextlib.contextmanager
def _processes(*commands: list[str], env: dict[str, str], logs: Path) -> Iterator[None]:
    """Our own CLI in subprocesses; their output goes to files of the test's folder."""
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "server", *command],
            env=env,
            stdout=(logs / f"{command[0]}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for command in commands
    ]
    try:
        yield
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


async def _wait_until_up(address: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(1200):  # 60 s: importing the app takes seconds on a busy machine
            with contextlib.suppress(httpx.TransportError):
                if (await http.get(f"http://{address}/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    raise AssertionError("the API did not start")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@pytest.mark.skipif(
    BACKEND != "postgres",
    reason="API and worker as separate processes is the PostgreSQL stack; "
    "SQLite is the single-process embedded default",
)
async def test_time_from_debit_commit_to_push_and_subscription_event(
    settings, gql, fcm_standin, fcm_credentials_file, redis_url, tmp_path
):
    holder = await card_holder()
    team, cashier = await till()
    device = await Device.create(user=holder.user, token="latency-" + "k" * 60, platform="android")
    holder_token, cashier_token = (
        await token_for(gql, holder.user),
        await token_for(gql, cashier),
    )
    port = free_port()
    env = _environment(settings, fcm_standin, fcm_credentials_file, redis_url)
    with _processes(["serve", "--port", str(port)], ["worker"], env=env, logs=tmp_path):
        address = f"127.0.0.1:{port}"
        await _wait_until_up(address)
        arrivals: dict[str, float] = {}
        async with (
            connect(f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]) as ws,
            httpx.AsyncClient(base_url=f"http://{address}") as http,
        ):
            await ws.send(
                json.dumps(
                    {
                        "type": "connection_init",
                        "payload": {"authorization": f"Bearer {holder_token}"},
                    }
                )
            )
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(
                json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
            )

            async def listen() -> None:
                async for raw in ws:
                    event = json.loads(raw)["payload"]["data"]["notificationAdded"]
                    arrivals[event["data"]["transactionId"]] = time.time()

            listener = asyncio.create_task(listen())
            await asyncio.sleep(0.5)  # the subscription is registered in Redis
            headers = {"authorization": f"Bearer {cashier_token}"}
            for _ in range(DEBITS):
                answer = await http.post(
                    "/graphql",
                    json={"query": DEBIT, "variables": debit_input(team, holder, "0,50")},
                    headers=headers,
                )
                assert answer.json()["data"]["debitCard"]["__typename"] == "TransactionSuccess"
                await asyncio.sleep(0.05)
            fcm_standin.wait_for(
                lambda: len(fcm_standin.attempts_for(device.token)) >= DEBITS, timeout=20
            )
            await asyncio.sleep(0.2)
            listener.cancel()

    committed = {
        n.data["transactionId"]: n.created_at.timestamp()
        for n in await Notification.filter(user_id=holder.user.id, kind="card_debit")
    }
    pushed = {m.message["data"]["transactionId"]: m.received_at for m in fcm_standin.messages}
    subscription_ms = [(arrivals[t] - committed[t]) * 1000 for t in committed]
    push_ms = [(pushed[t] - committed[t]) * 1000 for t in committed]
    figures = {
        "debits": len(committed),
        "subscription_ms": {
            "p50": round(statistics.median(subscription_ms), 1),
            "p99": round(_percentile(subscription_ms, 0.99), 1),
        },
        "push_ms": {
            "p50": round(statistics.median(push_ms), 1),
            "p99": round(_percentile(push_ms, 0.99), 1),
        },
    }
    print("\n" + json.dumps(figures))
    assert len(committed) == DEBITS and set(arrivals) == set(committed) == set(pushed)
    # "Within a second on an open connection", and the push just as fast.
    assert figures["subscription_ms"]["p99"] < 1000, figures
    assert figures["push_ms"]["p99"] < 1000, figures
