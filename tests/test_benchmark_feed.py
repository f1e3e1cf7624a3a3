"""benchmarks/feed.py's seeding, at a thousandth of the département: rows that hold together."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from benchmarks import _feed_seed
from domain.accounts.passwords import verify_password
from tests.conftest import BACKEND, POSTGRES_SERVER

ROOT = Path(__file__).parents[1]

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres", reason="the benchmark bulk-loads PostgreSQL with COPY"
)


async def _migrated_database(name: str) -> None:
    migrate = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "migrate",
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"{POSTGRES_SERVER}/{name}"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await asyncio.wait_for(migrate.communicate(), 120)
    assert migrate.returncode == 0, errors.decode()


async def test_a_tiny_departement_is_seeded_with_counters_that_match_the_rows():
    name = f"cjeune_bench_feed_test_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"{POSTGRES_SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        await _migrated_database(name)
        db = await asyncpg.connect(f"{POSTGRES_SERVER}/{name}")
        try:
            said: list[str] = []
            seeded = await _feed_seed.seed(db, _feed_seed.Sizes.scaled(0.001), say=said.append)

            assert any("plan" in line for line in said)  # progress is shown
            rows = seeded.rows
            assert (rows["users"], rows["partners"], rows["posts"]) == (400, 3, 200)
            assert rows["follows"] > 0 and rows["post_likes"] > 0 and rows["post_images"] > 0
            assert (
                await db.fetchval("SELECT sum(followers_count) FROM partner_profiles")
                == (rows["follows"])
            )
            assert (
                await db.fetchval(
                    "SELECT count(*) FROM partner_profiles pp WHERE followers_count <> "
                    "(SELECT count(*) FROM follows f WHERE f.partner_id = pp.partner_id)"
                )
                == 0
            )
            assert (
                await db.fetchval(
                    "SELECT count(*) FROM posts p WHERE like_count <> "
                    "(SELECT count(*) FROM post_likes l WHERE l.post_id = p.id)"
                )
                == 0
            )
            # Likes go to published posts of partners the young person follows.
            assert (
                await db.fetchval(
                    "SELECT count(*) FROM post_likes l JOIN posts p ON p.id = l.post_id "
                    "WHERE p.status <> 'published' OR NOT EXISTS (SELECT 1 FROM follows f "
                    "WHERE f.user_id = l.user_id AND f.partner_id = p.partner_id)"
                )
                == 0
            )
            # Loaded without foreign-key triggers: every reference must still resolve.
            assert (
                await db.fetchval(
                    "SELECT count(*) FROM post_images pi LEFT JOIN images i ON i.id = pi.image_id "
                    "LEFT JOIN posts p ON p.id = pi.post_id WHERE i.id IS NULL OR p.id IS NULL"
                )
                == 0
            )
            # The unique constraints dropped for the load are back.
            assert (
                await db.fetchval(
                    "SELECT count(*) FROM pg_constraint WHERE contype = 'u' AND conrelid IN "
                    "('follows'::regclass, 'post_likes'::regclass, 'users'::regclass)"
                )
                == 3
            )
            ages = await db.fetchrow(
                "SELECT min(date_part('year', age(birth_date))) AS youngest, "
                "max(date_part('year', age(birth_date))) AS oldest FROM users"
            )
            assert 11 <= ages["youngest"] and ages["oldest"] <= 25
            password_hash = await db.fetchval("SELECT password_hash FROM users LIMIT 1")
            assert await verify_password(_feed_seed.PASSWORD, password_hash)
        finally:
            await db.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
