"""The `cjeune` command: demo data, staff accounts, refusing unsafe production settings."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from models.accounts import User, UserKind
from models.partners import Delegate, DelegateStatus, Partner
from models.social import Post
from server.demo import DEMO_PASSWORD, PARTNERS, STAFF, YOUNG_PEOPLE, load_demo
from tests.conftest import BACKEND, POSTGRES_SERVER
from tests.factories import sign_in

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
