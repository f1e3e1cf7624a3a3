"""The campaign benchmark's receivers, one process each: an aiosmtpd server or the FCM
stand-in, counting what each recipient received.

    python -m benchmarks._campaign_receivers smtp --port P --out counts.json
    python -m benchmarks._campaign_receivers fcm --port P --credentials key.json --out c.json

Prints "ready" once listening; on SIGTERM writes {"deliveries": n, "recipients": {...}} to
--out: per recipient (email address, or the push's recipient row id) the distinct message
ids received and how many deliveries. A message sent twice (crash window) has the same id.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

_MESSAGE_ID = re.compile(rb"^Message-ID: *(\S+)", re.MULTILINE | re.IGNORECASE)
# Only campaign messages are counted per recipient; anything else (a job of another Redis
# user that a worker picked up: an account email...) is counted apart, as "others".
_CAMPAIGN = re.compile(rb"^X-CJeune-Campaign: ", re.MULTILINE | re.IGNORECASE)


class Counts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: dict[str, set[str]] = defaultdict(set)
        self.deliveries: dict[str, int] = defaultdict(int)
        self.repeats: Path | None = None
        self.others = 0

    def add(self, recipient: str, message_id: str, content: bytes = b"") -> None:
        with self.lock:
            self.ids[recipient].add(message_id)
            self.deliveries[recipient] += 1
            if self.deliveries[recipient] > 1 and self.repeats is not None:
                # What came twice, for a look: the receiver keeps no message otherwise.
                with self.repeats.open("ab") as out:
                    out.write(f"--- {recipient} {sorted(self.ids[recipient])}\n".encode())
                    out.write(content + b"\n")

    def other(self, content: bytes = b"") -> None:
        with self.lock:
            self.others += 1
            if self.repeats is not None:
                with self.repeats.open("ab") as out:
                    out.write(b"--- not a campaign message\n" + content + b"\n")

    def dump(self, path: Path) -> None:
        with self.lock:
            data = {
                "others": self.others,
                "deliveries": sum(self.deliveries.values()),
                "recipients": {
                    r: {"ids": len(ids), "deliveries": self.deliveries[r]}
                    for r, ids in self.ids.items()
                },
            }
        path.write_text(json.dumps(data))


def serve_smtp(port: int, counts: Counts) -> Any:
    from aiosmtpd.controller import Controller

    from tests.support import offer_pipelining

    class Handler:
        async def handle_EHLO(
            self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
        ) -> list[str]:
            return offer_pipelining(session, hostname, responses)  # as production relays do

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            if not _CAMPAIGN.search(envelope.content):
                counts.other(envelope.original_content)
                return "250 Message accepted for delivery"
            found = _MESSAGE_ID.search(envelope.content)
            message_id = found.group(1).decode() if found else "?"
            counts.add(envelope.rcpt_tos[0], message_id, envelope.original_content)
            return "250 Message accepted for delivery"

    import uvloop

    # uvloop: the server stands in for a remote one, whose CPU is not ours to count.
    controller = Controller(
        Handler(), hostname="127.0.0.1", port=port, loop=uvloop.new_event_loop()
    )
    controller.start()
    return controller


def serve_fcm(port: int, credentials: Path, counts: Counts) -> Any:
    from tests import fcm_standin

    class CountingStandin(fcm_standin.FcmStandin):
        """Answers 200 to every authorised send and keeps counts, not the messages."""

        def _send(self, project: str, body: dict[str, Any], authorization: str):
            with self._lock:
                authorized = authorization.removeprefix("Bearer ") in self._issued
            if not authorized:
                return 401, fcm_standin._error(401, "UNAUTHENTICATED", "bad token"), {}
            message = body.get("message", {})
            data = message.get("data", {})
            if data.get("kind") != "campaign":
                counts.other(json.dumps(body).encode())
                return 200, {"name": f"projects/{project}/messages/other"}, {}
            recipient = data.get("recipientId", "?")
            counts.add(recipient, data.get("campaignId", "?") + "/" + message.get("token", ""))
            return 200, {"name": f"projects/{project}/messages/{recipient}"}, {}

    standin = CountingStandin(port=port).start()
    fcm_standin.write_service_account(credentials, standin)
    return standin


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["smtp", "fcm"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--credentials", type=Path)
    args = parser.parse_args(argv)
    counts = Counts()
    counts.repeats = args.out.with_suffix(".repeats")
    if args.kind == "smtp":
        serve_smtp(args.port, counts)
    else:
        serve_fcm(args.port, args.credentials, counts)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    counts.dump(args.out)
    sys.exit(0)


if __name__ == "__main__":
    main()
