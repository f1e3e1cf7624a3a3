"""What the service refuses to start with: production must not run on development defaults."""

from __future__ import annotations

import secrets
import time
from dataclasses import replace
from pathlib import Path

import pytest

from infra.settings import (
    DEVELOPMENT_DEPARTMENT_IBAN,
    DEVELOPMENT_SECRET,
    ImproperlyConfigured,
    guessable_secret,
)
from server.app import create_app
from workers.broker import configure_broker

PRODUCTION = {
    "environment": "production",
    "secret_key": "Hex6sf2TdgKAVb8v9GNfumdk2mbeuIlCp9_mg1Aq8YQnXHxYph6tVI2bPP5gHvyl",
    "database_url": "postgres://cjeune@db.internal:5432/cjeune",
    "email_backend": "smtp",
    "push_backend": "fcm",
    "fcm_credentials_file": Path("/run/secrets/fcm.json"),
    "redis_url": "redis://redis.internal:6379/0",
    "department_iban": "FR7630004001000001000123456",
    "department_bic": "BNPAFRPP",
}


@pytest.fixture(autouse=True)
def jobs_stay_in_process(settings):
    """create_app configures the process's job broker: a production app built here would
    leave the tests after this module kicking jobs to a Redis that does not exist."""
    yield
    configure_broker(settings)


async def test_production_starts_with_a_long_secret_and_postgresql(settings):
    app = create_app(replace(settings, **PRODUCTION), manage_database=False)

    assert {route.path for route in app.routes} >= {"/graphql", "/healthz", "/readyz"}


@pytest.mark.parametrize(
    "unsafe",
    [
        {"secret_key": DEVELOPMENT_SECRET},
        {"secret_key": "k" * 31},
        {"database_url": "sqlite://var/cjeune.sqlite3"},
        {"environment": "prod"},
        {"email_backend": "outbox"},
        {"email_backend": "pigeon"},
        {"smtp_tls": "sometimes"},
        {"push_backend": "outbox"},
        {"push_backend": "pigeon"},
        {"fcm_credentials_file": None},
        {"redis_url": None},
        {"department_iban": DEVELOPMENT_DEPARTMENT_IBAN},
        {"daily_collection_time": "8 h"},
    ],
    ids=[
        "development-secret",
        "short-secret",
        "sqlite",
        "unknown-environment",
        "outbox-emails",
        "unknown-email-backend",
        "unknown-smtp-tls",
        "push-outbox",
        "unknown-push-backend",
        "fcm-without-key",
        "no-redis",
        "development-department-iban",
        "bad-collection-time",
    ],
)
async def test_production_refuses_to_start_unsafely(settings, unsafe):
    with pytest.raises(ImproperlyConfigured):
        create_app(replace(settings, **{**PRODUCTION, **unsafe}), manage_database=False)


@pytest.mark.parametrize(
    ("secret", "pattern"),
    [
        ("a" * 32, "Repeats"),
        ("changemechangemechangemechangeme", "Repeats"),
        ("abcdefghijklmnopqrstuvwxyz012345", "Sequences"),
        ("qwertyuiopasdfghjklzxcvbnm1234567890", "10^12"),  # a keyboard walk, 36 characters
        ("s3cr3t-" + "k" * 33, "10^8"),
    ],
    ids=["repeated-letter", "repeated-word", "sequence", "keyboard-walk", "word-and-repeats"],
)
async def test_production_refuses_a_guessable_secret_and_says_how_to_make_one(
    settings, secret, pattern
):
    with pytest.raises(ImproperlyConfigured) as refused:
        create_app(replace(settings, **{**PRODUCTION, "secret_key": secret}), manage_database=False)
    message = str(refused.value)
    assert message.startswith("SECRET_KEY is guessable") and pattern in message
    assert 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"' in message


def test_random_keys_are_accepted_and_long_ones_judged_quickly():
    for _ in range(20):
        assert guessable_secret(secrets.token_urlsafe(48)) is None
        assert guessable_secret(secrets.token_hex(32)) is None  # openssl rand -hex 32
    started = time.perf_counter()
    assert guessable_secret("ab" * 50_000) is not None
    assert guessable_secret(secrets.token_urlsafe(48) * 1000) is None
    assert time.perf_counter() - started < 1  # judged on the first 64 characters
