"""The `cjeune` command: demo data, staff accounts, refusing unsafe production settings."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import os
import signal
import subprocess
import sys
import uuid
from importlib.metadata import version
from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis

from infra.settings import load_settings
from models.accounts import User, UserKind
from models.finance import DailyCollectionReport, Reimbursement
from models.offers import OfferRevision, RevisionStatus
from models.partners import Delegate, DelegateStatus, Partner
from models.social import Post
from server.cli import ENVIRONMENT_READ, VARIABLES, build_parser, main
from server.demo import (
    DEMO_PASSWORD,
    PARTNERS,
    STAFF,
    YOUNG_PEOPLE,
    demo_device_token,
    load_demo,
)
from server.demo_social import EVENT_TITLE, PENDING_DEAL, PENDING_NEW_TITLE
from tests.conftest import BACKEND, POSTGRES_SERVER
from tests.factories import sign_in
from tests.support import jobs_done
from workers.broker import CONSUMER_GROUP, DELAYED, QUEUE

ROOT = Path(__file__).parents[2]


def cjeune(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_demo_data_loads_twice_without_duplicates_and_its_logins_work(gql):
    lines: list[str] = []
    first = await load_demo(say=lines.append)
    second = await load_demo(say=lambda _line: None)
    assert first == second
    assert any(line.startswith("[3/3] partenaire") for line in lines)  # shows progress
    expected_accounts = len(STAFF) + 2 * len(PARTNERS) + len(YOUNG_PEOPLE)
    cards = [role for role, _email in first if role.startswith("carte ")]
    assert len(cards) == 2  # the two middle-schoolers, with activated cards
    assert len(first) == expected_accounts + len(cards)
    emails = {email for _role, email in first}
    assert await User.filter(email__in=emails).count() == expected_accounts
    assert await Partner.filter(siret__in=[p[2] for p in PARTNERS]).count() == len(PARTNERS)
    cashier = await User.get(email="caisse@cinema-prado.test")
    assert cashier.kind == UserKind.DELEGATE
    delegate = await Delegate.get(user_id=cashier.id)
    assert delegate.status == DelegateStatus.ACTIVE and not delegate.is_principal
    session = await sign_in(gql, cashier, DEMO_PASSWORD)
    assert session["accessToken"]
    # The app opens on a living feed: posts, a deal, an event and the département's news.
    lea = await User.get(email="lea.martin@jeune.test")
    feed = await gql.post(
        "{ feed(first: 50) { items { __typename } } }",
        token=(await sign_in(gql, lea, DEMO_PASSWORD))["accessToken"],
    )
    kinds = [item["__typename"] for item in feed["data"]["feed"]["items"]]
    assert {"FeedPost", "FeedOffer", "FeedHighlight"} <= set(kinds)
    assert await Post.filter(partner__trade_name="Cinéma Le Prado").count() == 2  # not doubled
    # « Mes remboursements » has a history: the older fortnight paid, the last one closed.
    states = await Reimbursement.filter(partner__trade_name="Cinéma Le Prado").values_list(
        "status", flat=True
    )
    assert sorted(states) == ["paid", "pending"]
    assert await DailyCollectionReport.filter(partner__trade_name="Cinéma Le Prado").count() == 3
    # The back office's moderation queue has a new deal and a new version to decide, once.
    waiting = OfferRevision.filter(
        title__in=[PENDING_DEAL[1], PENDING_NEW_TITLE], status=RevisionStatus.SUBMITTED
    )
    assert await waiting.count() == 2


DEMO_OFFERS = """query($p: ID!) { partnerOffers(partnerId: $p) { offers { kind
  published { title } } } }"""
DEMO_SEARCH = """{ search(query: {kinds: [EVENT]}) { ... on SearchPage { hits { title } } } }"""
DEMO_LOOKUP = """query($p: ID!, $code: String!) { lookupCard(partnerId: $p, code: $code) {
  ... on CardCheck { state holder { firstName } } } }"""
DEMO_DEBIT = """mutation($input: DebitInput!) { debitCard(input: $input) { __typename } }"""
DEMO_INBOX = "{ notifications { notifications { kind body } } }"


async def test_the_demo_shows_at_once_what_the_readme_promises(gql, settings):
    """The README's tour: the event is on show today (search, the partner's offers, the
    feed), and a debit at the cinema's till reaches Léa's inbox and, through her demo phone,
    the push outbox."""
    logins = await load_demo(say=lambda _line: None)
    lea = await User.get(email="lea.martin@jeune.test")
    lea_token = (await sign_in(gql, lea, DEMO_PASSWORD))["accessToken"]
    cinema = await Partner.get(trade_name="Cinéma Le Prado")

    offers = await gql.post(DEMO_OFFERS, {"p": str(cinema.id)}, token=lea_token)
    shown = {
        (o["kind"], o["published"]["title"]) for o in offers["data"]["partnerOffers"]["offers"]
    }
    assert ("EVENT", EVENT_TITLE) in shown and any(kind == "DEAL" for kind, _ in shown)
    found = await gql.post(DEMO_SEARCH, token=lea_token)
    assert EVENT_TITLE in [hit["title"] for hit in found["data"]["search"]["hits"]]

    [code] = [role.removeprefix("carte ") for role, email in logins if role.startswith("carte ")
              and email == lea.email]  # fmt: skip
    cashier = await User.get(email="caisse@cinema-prado.test")
    till = (await sign_in(gql, cashier, DEMO_PASSWORD))["accessToken"]
    checked = await gql.post(DEMO_LOOKUP, {"p": str(cinema.id), "code": code}, token=till)
    assert checked["data"]["lookupCard"] == {"state": "ACTIVE", "holder": {"firstName": "Léa"}}
    push_outbox = settings.push_outbox_dir / "push.jsonl"
    pushed_before = push_outbox.read_text().count(demo_device_token(lea.email)) if (
        push_outbox.exists()
    ) else 0  # fmt: skip
    debit = {
        "partnerId": str(cinema.id),
        "code": code,
        "walletKind": "SPORT_CULTURE_LOISIRS",
        "amount": "4,50",
        "idempotencyKey": uuid.uuid4().hex,
    }
    debited = await gql.post(DEMO_DEBIT, {"input": debit}, token=till)
    assert debited["data"]["debitCard"]["__typename"] == "TransactionSuccess"
    await jobs_done()

    inbox = await gql.post(DEMO_INBOX, token=lea_token)
    latest = inbox["data"]["notifications"]["notifications"][0]
    assert latest["kind"] == "card_debit" and "4,50" in latest["body"], latest
    assert push_outbox.read_text().count(demo_device_token(lea.email)) == pushed_before + 1


def test_the_demo_command_runs_the_jobs_its_data_kicks(tmp_path):
    """Loading the demo invites the partners' delegates: the invitation emails are jobs, run
    by the command's own process on the embedded default, before it closes the database."""
    env = {
        "DATABASE_URL": f"sqlite://{tmp_path}/demo.sqlite3",
        "CJEUNE_DATA_DIR": str(tmp_path),
        "EMAIL_BACKEND": "outbox",
        "REDIS_URL": "",
    }
    loaded = cjeune("demo", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "Comptes de démonstration" in loaded.stdout
    assert "Traceback" not in loaded.stderr and "failed" not in loaded.stderr
    invitations = list((tmp_path / "outbox").glob("*.eml"))
    assert len(invitations) >= len(PARTNERS)


async def test_the_demo_command_with_redis_queues_its_jobs_for_a_worker(tmp_path, redis_url):
    """With REDIS_URL, the jobs the demo kicks go to the stream, none fails or is dropped,
    and a `cjeune worker` started afterwards does them all."""
    env = {
        "DATABASE_URL": f"sqlite://{tmp_path}/demo.sqlite3",
        "CJEUNE_DATA_DIR": str(tmp_path),
        "EMAIL_BACKEND": "outbox",
        "REDIS_URL": redis_url,
    }
    loaded = await asyncio.to_thread(cjeune, "demo", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "Traceback" not in loaded.stderr and "configure_broker" not in loaded.stderr
    outbox = tmp_path / "outbox"
    assert not list(outbox.glob("*.eml"))  # the demo's process leaves them to the workers
    redis = Redis.from_url(redis_url)
    try:
        entries = await redis.xrange(QUEUE)
        queued = [json.loads(fields[b"data"]) for _id, fields in entries]
        emails = [job for job in queued if job["task_name"] == "emails.send"]
        assert len(emails) >= 2 * len(PARTNERS)  # each partner's two delegates are invited

        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server",
            "worker",
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            async with asyncio.timeout(30):
                while not await all_done(redis, entries[-1][0]):
                    assert worker.returncode is None
                    await asyncio.sleep(0.1)
        finally:
            worker.send_signal(signal.SIGTERM)
            await worker.wait()
        assert await redis.zcard(DELAYED) == 0  # nothing failed, nothing waits for a retry
    finally:
        await redis.aclose()
    # The invitations, and the emails the other jobs send (the demo debit's notification…).
    assert len(list(outbox.glob("*.eml"))) >= len(emails)


async def all_done(redis: Redis, last_id: bytes) -> bool:
    """The workers' group has read the stream up to `last_id` and acknowledged every job."""
    groups = await redis.xinfo_groups(QUEUE)
    group = next((g for g in groups if g["name"] == CONSUMER_GROUP.encode()), None)
    return group is not None and group["last-delivered-id"] == last_id and group["pending"] == 0


def test_createstaff_and_migrate_from_the_command_line(tmp_path):
    env = {"DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3", "CJEUNE_DATA_DIR": str(tmp_path)}
    migrated = cjeune("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert "Base de données à jour" in migrated.stdout
    created = cjeune(
        "createstaff",
        "--email",
        "Chef@Departement13.test",
        "--first-name",
        "Camille",
        "--last-name",
        "Arnaud",
        "--role",
        "administrator",
        "--password-stdin",
        env=env,
        stdin="Ratatouille-Provencale-1\n",
    )
    assert created.returncode == 0, created.stderr
    assert "chef@departement13.test (administrator)" in created.stdout
    weak = cjeune(
        "createstaff",
        "--email",
        "b@departement13.test",
        "--first-name",
        "B",
        "--last-name",
        "C",
        "--role",
        "finance",
        "--password-stdin",
        env=env,
        stdin="court\n",
    )
    assert weak.returncode != 0 and "au moins 10 caractères" in weak.stderr


def test_production_refuses_the_default_secret(tmp_path):
    env = {"ENVIRONMENT": "production", "DATABASE_URL": "postgres://u@127.0.0.1:1/x"}
    refused = cjeune("serve", env={**env, "SECRET_KEY": ""}, stdin="")
    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr
    sqlite = cjeune(
        "serve",
        env={
            "ENVIRONMENT": "production",
            "SECRET_KEY": "Hex6sf2TdgKAVb8v9GNfumdk2mbeuIlCp9_mg1Aq8YQnXHxYph6tVI2bPP5gHvyl",
            "DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3",
        },
    )
    assert sqlite.returncode != 0 and "PostgreSQL" in sqlite.stderr


@pytest.mark.skipif(BACKEND != "postgres", reason="the migration lock is PostgreSQL's")
async def test_replicas_migrating_at_once_take_turns():
    name = f"cjeune_race_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"{POSTGRES_SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {**os.environ, "DATABASE_URL": f"{POSTGRES_SERVER}/{name}"}
        replicas = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "server",
                "migrate",
                cwd=ROOT,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(3)
        ]
        outcomes = [await asyncio.wait_for(r.communicate(), 60) for r in replicas]
        assert [r.returncode for r in replicas] == [0, 0, 0], outcomes
        database = await asyncpg.connect(f"{POSTGRES_SERVER}/{name}")
        try:
            tables = await database.fetchval(
                "SELECT count(*) FROM pg_tables WHERE tablename = 'audit_entries'"
            )
        finally:
            await database.close()
        assert tables == 1
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def test_close_year_refuses_an_unknown_year_in_french(tmp_path):
    env = {"DATABASE_URL": f"sqlite://{tmp_path}/year.sqlite3", "CJEUNE_DATA_DIR": str(tmp_path)}
    assert cjeune("migrate", env=env).returncode == 0
    unknown = cjeune("close-year", "2031-2032", env=env)
    assert unknown.returncode == 1 and "n'existe pas" in unknown.stderr


def test_close_period_closes_once_with_progress_and_refuses_an_open_one(tmp_path):
    env = {"DATABASE_URL": f"sqlite://{tmp_path}/period.sqlite3", "CJEUNE_DATA_DIR": str(tmp_path)}
    assert cjeune("migrate", env=env).returncode == 0
    first = cjeune("close-period", "--day", "2026-10-03", env=env)
    again = cjeune("close-period", "--day", "2026-10-15", env=env)
    assert first.returncode == 0, first.stderr
    assert "Période du 01/10/2026 au 15/10/2026 close : 0 remboursements" in first.stdout
    assert "6/6" in first.stderr  # the progress bar
    assert again.returncode == 0 and "déjà close" in again.stdout
    open_one = cjeune("close-period", "--day", "2099-01-01", env=env)
    assert open_one.returncode == 1 and "n'est pas terminée" in open_one.stderr


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    [commands] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(commands.choices)


@pytest.mark.parametrize("name", list(_subcommands()))
def test_every_command_explains_itself_its_options_and_its_environment(name, capsys):
    with pytest.raises(SystemExit) as exited:
        main([name, "--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    parser = _subcommands()[name]
    assert len(parser.description or "") > 60  # says what the command does
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"{name}: {action.dest} has no help"
        if action.option_strings:
            assert action.option_strings[0] in shown
        else:
            choices = "{" + ",".join(action.choices) + "}" if action.choices else None
            assert (action.metavar or choices or action.dest) in shown
        if action.option_strings and action.default not in (None, False, []):
            assert f"(default: {action.default})" in " ".join(shown.split()), action.dest
    assert "environment variables read:" in shown
    for variable in ENVIRONMENT_READ[name]:
        assert variable in shown


def test_the_environment_variables_named_by_the_help_are_the_settings_read():
    read = inspect.getsource(load_settings)
    for variable in VARIABLES:
        assert f'"{variable}"' in read, variable


def test_version(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"cjeune {version('cjeune')}"


def test_the_demo_command_refuses_production():
    refused = cjeune("demo", env={"ENVIRONMENT": "production", "SECRET_KEY": "k" * 40})
    assert refused.returncode != 0
    assert "Configuration refused: demo data is never loaded in production" in refused.stderr
