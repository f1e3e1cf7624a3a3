"""A campaign to every young person of the département, by email and push, sent by two
real `cjeune worker` processes over Redis to a local aiosmtpd server and the FCM stand-in.

    uv run python benchmarks/campaign.py                      # 400,000 young people
    uv run python benchmarks/campaign.py --kill-worker        # SIGKILL a worker halfway
    uv run python benchmarks/campaign.py --young-people 2000  # a quick look

A fresh PostgreSQL database is migrated and bulk-loaded in SQL (`generate_series`): young
people aged 15 to 25, opted in on both channels, one phone each. The receivers run in
processes of their own (`_campaign_receivers.py`) and count, per recipient, the distinct
messages received (an email's Message-ID, a push's recipient row) and the deliveries; a
`cjeune scheduler` runs too (the sweeper restarts a channel whose jobs died). The campaign
is created and sent through the domain, as `sendCampaign` does; the workers do the rest.
With --kill-worker, the first worker's process group is killed with SIGKILL once half the
messages are sent: every recipient must still get exactly one message (a re-delivery of
the same message in the crash window is counted apart, as `duplicate_deliveries`).
Progress on stderr, one JSON line of figures on stdout. The database is dropped at the end
unless --keep.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
from redis.asyncio import Redis

ROOT = Path(__file__).parents[1]
# Run as a script, benchmarks/ comes first on the path and its search.py would shadow the
# project's search package: the project's root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import _cpu, _seed  # noqa: E402
from benchmarks._server import free_port  # noqa: E402
from tests.support import claim_redis_database  # noqa: E402

USERS = """
INSERT INTO users (id, email, kind, staff_roles, first_name, last_name, birth_date,
  postal_code, email_verified_at, is_active, profile_visibility, marketing_email_opt_in,
  marketing_push_opt_in, notify_by_push, notify_by_email, created_at, updated_at)
SELECT gen_random_uuid(), 'jeune' || n || '@jeune.test', 'young_person', '[]',
  (ARRAY['Léa','Lucas','Inès','Yanis','Jade','Nour','Hugo','Manon'])[1 + n % 8], 'Martin',
  current_date - (15 * 365 + 30 + n % 3600), '13001', now(), true, 'private', true, true,
  true, true, now(), now()
FROM generate_series(1, $1) AS n
"""
DEVICES = """
INSERT INTO devices (id, user_id, token, platform, created_at, last_seen_at)
SELECT gen_random_uuid(), id, 'bench-' || id::text, 'android', now(), now()
FROM users WHERE kind = 'young_person'
"""
PROGRESS = """
SELECT channel, count(*) FILTER (WHERE status IN ('pending', 'claimed')) AS left,
       count(*) FILTER (WHERE status = 'sent') AS sent, count(*) AS total
FROM campaign_recipients WHERE campaign_id = $1 GROUP BY channel
"""


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add(
        "--postgres",
        default=os.environ.get("CJEUNE_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    add(
        "--redis-url",
        help="a Redis database of its own (emptied first); default: a free one of 1 to 14, "
        "claimed as the tests claim theirs, so no other user's jobs mix with the campaign's",
    )
    add("--young-people", type=int, default=400_000)
    add("--workers", type=int, default=2, help="`cjeune worker` processes (2)")
    add("--parallel", type=int, default=2, help="CAMPAIGN_PARALLEL_BATCHES (2)")
    add("--batch-size", type=int, default=500, help="CAMPAIGN_BATCH_SIZE (500)")
    add("--pool-size", type=int, default=10, help="DATABASE_POOL_SIZE per worker (10)")
    add("--kill-worker", action="store_true", help="SIGKILL the first worker halfway")
    add("--timeout", type=float, default=1800, help="give up after this many seconds")
    add("--keep", action="store_true", help="keep the database")
    return parser.parse_args(argv)


class Processes:
    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own entry points
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started[name] = process
        return process

    def wait_for(self, name: str, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        path = self.logs / f"{name}.log"
        while text not in path.read_text(errors="replace"):
            if self.started[name].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start: {path.read_text(errors='replace')}")
            time.sleep(0.1)

    def cpu_seconds(self, database: str) -> dict[str, float]:
        """CPU seconds used so far by each started process (and its children: a session of
        its own), by PostgreSQL for the bench database, and by the whole machine."""
        sessions = {p.pid: name for name, p in self.started.items()}
        used = dict.fromkeys([*self.started, "postgres"], 0.0)
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            fields = raw.rsplit(")", 1)[1].split()
            seconds = (int(fields[11]) + int(fields[12])) / _cpu._TICK
            name = sessions.get(int(fields[3]))  # the session id
            if name is not None:
                used[name] += seconds
            elif "(postgres)" in raw[: raw.index(")") + 1] and _cpu._is_ours_postgres(
                int(entry.name), database
            ):
                used["postgres"] += seconds
        used["machine"] = _cpu._system_busy()
        return used

    def kill(self, name: str) -> None:
        os.killpg(self.started[name].pid, signal.SIGKILL)
        self.started[name].wait()

    def stop(self, name: str) -> None:
        process = self.started[name]
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass

    def stop_all(self) -> None:
        for name in list(self.started):
            self.stop(name)


async def seed(url: str, young_people: int) -> float:
    started = time.perf_counter()
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(USERS, young_people)
        await connection.execute(DEVICES)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return time.perf_counter() - started


async def create_and_send() -> str:
    from domain.accounts.users import create_staff
    from domain.accounts.viewer import Viewer
    from domain.campaigns import management as campaigns
    from models.accounts import StaffRole
    from models.notifications import Channel

    staff = await create_staff(
        None,
        email="marketing@departement13.test",
        first_name="Camille",
        last_name="Marketing",
        roles=[StaffRole.MARKETING],
        password="Calanques-et-Sardines-2026",  # noqa: S106 - a bench account
    )
    actor = Viewer(user=staff)
    campaign = await campaigns.create_campaign(
        actor,
        campaigns.CampaignDraft(
            name="Rentrée 2026",
            channels=[Channel.EMAIL, Channel.PUSH],
            subject="Tes bons plans de la rentrée",
            title="C'est la rentrée avec CJeune !",
            body="Cinéma, sport, culture : profite des bons plans de tes partenaires.\n\n"
            "Ta carte CJeune t'attend dans l'appli.",
        ),
    )
    await campaigns.send_campaign(actor, campaign.id)
    return str(campaign.id)


async def follow(
    url: str, campaign_id: str, args: argparse.Namespace, processes: Processes
) -> dict[str, Any]:
    """Poll the rows until nothing is left; kill a worker halfway if asked."""
    import uuid

    connection = await asyncpg.connect(url)
    started = time.perf_counter()
    done_at: dict[str, float] = {}
    killed_at: float | None = None
    targeted_at: float | None = None
    try:
        while True:
            rows = await connection.fetch(PROGRESS, uuid.UUID(campaign_id))
            elapsed = time.perf_counter() - started
            if rows and targeted_at is None:
                targeted_at = elapsed
            total = sum(r["total"] for r in rows)
            left = sum(r["left"] for r in rows)
            for row in rows:
                if row["left"] == 0 and row["channel"] not in done_at:
                    done_at[row["channel"]] = elapsed
            if total and (sys.stderr.isatty() or int(elapsed) % 10 == 0):
                filled = 30 * (total - left) // total
                sys.stderr.write(
                    f"\r  sending [{'=' * filled}{' ' * (30 - filled)}] "
                    f"{total - left}/{total} ({elapsed:.0f} s)"
                )
                sys.stderr.flush()
            if args.kill_worker and killed_at is None and total and left <= total // 2:
                processes.kill("worker-0")
                killed_at = elapsed
                sys.stderr.write("\n")
                say(f"worker-0 killed (SIGKILL) at {elapsed:.1f} s, {left} messages left")
            status = await connection.fetchval(
                "SELECT status FROM campaigns WHERE id = $1", uuid.UUID(campaign_id)
            )
            if status == "completed":
                sys.stderr.write(f"\r  sending [{'=' * 30}] {total}/{total} ({elapsed:.0f} s)\n")
                break
            if elapsed > args.timeout:
                raise RuntimeError(f"not sent within {args.timeout:.0f} s")
            await asyncio.sleep(1)
        final = await connection.fetch(
            "SELECT channel, status, count(*) AS n FROM campaign_recipients "
            "WHERE campaign_id = $1 GROUP BY channel, status",
            uuid.UUID(campaign_id),
        )
    finally:
        await connection.close()
    return {
        "seconds": time.perf_counter() - started,
        "recipients_written_seconds": targeted_at,
        "channel_seconds": done_at,
        "killed_at_seconds": killed_at,
        "rows": {f"{r['channel']}_{r['status']}": r["n"] for r in final},
    }


def exactly_once(counts: dict[str, Any], expected: int) -> dict[str, int]:
    recipients = counts["recipients"]
    return {
        "recipients": len(recipients),
        "missing": max(0, expected - len(recipients)),
        "with_two_distinct_messages": sum(1 for r in recipients.values() if r["ids"] > 1),
        "duplicate_deliveries": counts["deliveries"] - len(recipients),
        # Not the campaign's (e.g. an account email from another user of the Redis
        # database whose job a worker took): kept in the receiver's .repeats file.
        "other_messages": counts.get("others", 0),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    claimed = args.redis_url is None
    if claimed:
        args.redis_url = asyncio.run(claim_redis_database("benchmark", seconds=3600))
        say(f"Redis database {args.redis_url} claimed")
    name = _seed.bench_database_name().replace("bench_", "bench_campaign_")
    url = f"{args.postgres}/{name}"
    logs = Path(tempfile.mkdtemp(prefix="cjeune_campaign_"))
    smtp_port, fcm_port = free_port(), free_port()
    credentials = logs / "fcm-service-account.json"
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": url,
        "DATABASE_POOL_SIZE": str(args.pool_size),
        "REDIS_URL": args.redis_url,
        "CJEUNE_DATA_DIR": str(logs),
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "PUSH_BACKEND": "fcm",
        "FCM_CREDENTIALS_FILE": str(credentials),
        "FCM_ENDPOINT": f"http://127.0.0.1:{fcm_port}",
        "CAMPAIGN_PARALLEL_BATCHES": str(args.parallel),
        "CAMPAIGN_BATCH_SIZE": str(args.batch_size),
    }
    os.environ.update(env)
    from infra.settings import load_settings, use_settings

    settings = use_settings(load_settings())
    processes = Processes(logs)
    figures: dict[str, Any] = {
        "young_people": args.young_people,
        "workers": args.workers,
        "parallel_batches_per_channel": args.parallel,
        "batch_size": args.batch_size,
        "kill_worker": args.kill_worker,
        "cpu_cores": os.cpu_count(),
        "load_average_before": os.getloadavg()[0],
    }
    try:
        asyncio.run(_seed.create_database(args.postgres, name))
        say(f"database {name}; migrating")
        from infra.database import run_migrations

        asyncio.run(run_migrations(settings))
        figures["seed_seconds"] = round(asyncio.run(seed(url, args.young_people)), 1)
        say(f"{args.young_people} young people seeded in {figures['seed_seconds']} s")
        receivers = [sys.executable, "-m", "benchmarks._campaign_receivers"]
        processes.start(
            "smtp",
            [*receivers, "smtp", "--port", str(smtp_port), "--out", str(logs / "smtp.json")],
            env,
        )
        processes.start(
            "fcm",
            [*receivers, "fcm", "--port", str(fcm_port), "--credentials", str(credentials),
             "--out", str(logs / "fcm.json")],
            env,
        )  # fmt: skip
        processes.wait_for("smtp", "ready")
        processes.wait_for("fcm", "ready")
        if not claimed:  # a claimed database is empty but for the claim, which stays
            asyncio.run(Redis.from_url(args.redis_url).flushdb())
        for number in range(args.workers):
            processes.start(f"worker-{number}", [sys.executable, "-m", "server", "worker"], env)
        processes.start("scheduler", [sys.executable, "-m", "server", "scheduler"], env)
        for number in range(args.workers):
            processes.wait_for(f"worker-{number}", "Listening started")
        say("receivers, workers and scheduler up; sending")
        cpu_before = processes.cpu_seconds(name)
        campaign_id = asyncio.run(_send(settings))
        figures.update(asyncio.run(follow(url, campaign_id, args, processes)))
        cpu_after = processes.cpu_seconds(name)
        messages = sum(v for k, v in figures["rows"].items() if k.endswith("_sent")) or 1
        # CPU milliseconds per message sent, by process (both channels together); "machine"
        # includes everything else running (other people's work on a shared machine).
        figures["cpu_ms_per_message"] = {
            key: round((cpu_after.get(key, 0) - cpu_before.get(key, 0)) * 1000 / messages, 3)
            if not (args.kill_worker and key == "worker-0")  # its CPU went with it
            else None
            for key in cpu_after
        }
        seconds = figures["seconds"]
        sent = {c: figures["rows"].get(f"{c}_sent", 0) for c in ("email", "push")}
        figures["messages_per_second"] = {
            c: round(sent[c] / figures["channel_seconds"].get(c, seconds), 1) for c in sent
        }
        figures["total_messages_per_second"] = round(sum(sent.values()) / seconds, 1)
        figures["within_10_minutes"] = seconds < 600
    finally:
        processes.stop_all()
        if not args.keep:
            asyncio.run(_seed.drop_database(args.postgres, name))
        if claimed:  # the queue, the rate buckets and the claim: the database is free again
            asyncio.run(Redis.from_url(args.redis_url).flushdb())
    for kind, channel in (("smtp", "email"), ("fcm", "push")):
        counts = json.loads((logs / f"{kind}.json").read_text())
        figures[f"{channel}_received"] = exactly_once(counts, args.young_people)
    figures["exactly_once"] = all(
        figures[f"{c}_received"]["missing"] == 0
        and figures[f"{c}_received"]["with_two_distinct_messages"] == 0
        for c in ("email", "push")
    )
    figures["load_average_after"] = os.getloadavg()[0]
    figures["logs"] = str(logs)
    for key in ("seconds", "recipients_written_seconds", "killed_at_seconds"):
        if figures.get(key) is not None:
            figures[key] = round(figures[key], 1)
    figures["channel_seconds"] = {k: round(v, 1) for k, v in figures["channel_seconds"].items()}
    return figures


async def _send(settings: Any) -> str:
    from infra.database import close_database, open_database
    from workers.broker import broker, configure_broker

    await open_database(settings)
    configure_broker(settings)
    await broker.startup()
    try:
        return await create_and_send()
    finally:
        await broker.shutdown()
        await close_database()


def main(argv: list[str] | None = None) -> None:
    figures = run(parse_args(argv))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
