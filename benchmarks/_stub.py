"""A stand-in for the API that answers every pair at once with canned responses.

Served by uvicorn like the real app, it measures what the load generator itself costs and
adds to the latencies on this machine: the floor under every figure of the real run.
"""

from __future__ import annotations

import json
from typing import Any

_LOOKUP = json.dumps(
    {
        "data": {
            "lookupCard": {
                "__typename": "CardCheck",
                "cardCode": "ABCD EFGH JKMN P",
                "state": "ACTIVE",
                "unusableReason": None,
                "pinRequired": False,
                "holder": {"firstName": "Jade", "lastName": "Vidal", "age": 13},
                "wallets": [
                    {
                        "kind": "SPORT_CULTURE_LOISIRS",
                        "label": "Sport, culture et loisirs",
                        "balanceCents": 9999,
                        "balance": "99,99 €",
                    }
                ],
            }
        }
    }
).encode()
_DEBIT = json.dumps(
    {
        "data": {
            "debitCard": {
                "__typename": "TransactionSuccess",
                "transaction": {
                    "id": "00000000-0000-0000-0000-000000000000",
                    "reference": "T0123456789A",
                    "amountCents": 1,
                    "amount": "0,01 €",
                    "status": "COMPLETED",
                    "maskedCardCode": "•••• •••• •••• P",
                    "walletKind": "SPORT_CULTURE_LOISIRS",
                },
            }
        }
    }
).encode()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    answer = _DEBIT if b"debitCard" in body else _LOOKUP
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer})
