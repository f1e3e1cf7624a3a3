"""CPU milliseconds per campaign message, per channel, in the sending process and in the
receiver (aiosmtpd / the FCM stand-in, each in a process of its own, as in campaign.py).

    uv run python benchmarks/campaign_cpu.py --messages 2000

No database: the campaign and its recipients are built in memory; what is measured is
what a batch job does per message once its rows are claimed (build the message, send it).
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._cpu import _stat  # noqa: E402
from benchmarks._server import free_port  # noqa: E402


def _cpu(pid: int) -> float:
    stat = _stat(pid)
    return stat[2] if stat else 0.0


def _wait_ready(log: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while "ready" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(log.read_text(errors="replace"))
        time.sleep(0.05)


async def measure(count: int, chunk: int, full_render: bool) -> dict[str, float]:
    from domain.notifications.channels.email import build_emails, campaign_email
    from domain.notifications.channels.push import push_messages
    from infra.settings import get_settings
    from models.campaigns import Campaign
    from push.channels import close_channels, email_channel, push_channel
    from push.email import render

    settings = get_settings()
    campaign = Campaign(
        id=uuid.uuid4(),
        name="Rentrée",
        subject="Tes bons plans de la rentrée",
        title="C'est la rentrée avec CJeune !",
        body="Cinéma, sport, culture : profite des bons plans.\n\nTa carte t'attend.",
        offer_ids=[],
        channels=["email", "push"],
    )
    names = ["Léa", "Lucas", "Inès", "Yanis", ""]
    people = [
        (i, uuid.uuid4(), f"jeune{i}@jeune.test", names[i % len(names)]) for i in range(count)
    ]
    figures: dict[str, float] = {}
    started = time.process_time()
    if full_render:  # Jinja and an EmailMessage per recipient, as before BulkEmail
        emails = [
            render(campaign_email(campaign, [], e, n, u, settings), settings)
            for _, u, e, n in people
        ]
    else:
        emails = build_emails(campaign, [], [(u, e, n) for _, u, e, n in people], settings)
    figures["email_build_ms"] = (time.process_time() - started) * 1000 / count
    sender = email_channel()
    receiver = int(os.environ["_SMTP_PID"])
    before, r_before = time.process_time(), _cpu(receiver)
    for start in range(0, count, chunk):
        outcomes = await sender.send_each(emails[start : start + chunk])
        assert all(o.ok for o in outcomes), outcomes[0]
    figures["email_send_ms"] = (time.process_time() - before) * 1000 / count
    await asyncio.sleep(0.3)
    figures["smtp_receiver_ms"] = (_cpu(receiver) - r_before) * 1000 / count

    pusher = push_channel()
    await pusher.send(push_messages(campaign, [(0, "warm-up")]))  # the OAuth token
    receiver = int(os.environ["_FCM_PID"])
    before, r_before = time.process_time(), _cpu(receiver)
    built = time.process_time()
    messages = push_messages(campaign, [(i, f"bench-{u}") for i, u, _, _ in people])
    figures["push_build_ms"] = (time.process_time() - built) * 1000 / count
    profile = cProfile.Profile() if os.environ.get("_PROFILE") else None
    if profile:
        profile.enable()
    for start in range(0, count, chunk):
        outcomes = await pusher.send(messages[start : start + chunk])
        assert all(o.result == "sent" for o in outcomes), outcomes[0]
    figures["push_send_ms"] = (time.process_time() - before) * 1000 / count
    if profile:
        profile.disable()
        stats = pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime")
        stats.print_stats(12)
        stats.print_callers("_find_and_load|connection_pool.py:270")
    await asyncio.sleep(0.3)
    figures["fcm_receiver_ms"] = (_cpu(receiver) - r_before) * 1000 / count
    await close_channels()
    return {k: round(v, 3) for k, v in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--full-render", action="store_true", help="render() per recipient")
    args = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="cjeune_campaign_cpu_"))
    smtp_port, fcm_port = free_port(), free_port()
    credentials = logs / "fcm.json"
    receivers = [sys.executable, "-m", "benchmarks._campaign_receivers"]
    started = []
    for kind, extra in (
        ("smtp", []),
        ("fcm", ["--credentials", str(credentials)]),
    ):
        port = smtp_port if kind == "smtp" else fcm_port
        log = logs / f"{kind}.log"
        process = subprocess.Popen(  # noqa: S603 - our own module
            [*receivers, kind, "--port", str(port), "--out", str(logs / f"{kind}.out"), *extra],
            cwd=ROOT,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        _wait_ready(log, process)
        os.environ[f"_{kind.upper()}_PID"] = str(process.pid)
    os.environ.update(
        {
            "ENVIRONMENT": "development",
            "CJEUNE_DATA_DIR": str(logs),
            "EMAIL_BACKEND": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "PUSH_BACKEND": "fcm",
            "FCM_CREDENTIALS_FILE": str(credentials),
            "FCM_ENDPOINT": f"http://127.0.0.1:{fcm_port}",
        }
    )
    from infra.settings import load_settings, use_settings

    use_settings(load_settings())
    try:
        figures = asyncio.run(measure(args.messages, args.chunk, args.full_render))
    finally:
        for process in started:
            process.terminate()
            process.wait()
    figures["messages"] = args.messages
    figures["load_average"] = round(os.getloadavg()[0], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
