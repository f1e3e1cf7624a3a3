"""What the service refuses to start with: production must not run on development defaults."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from infra.settings import DEVELOPMENT_DEPARTMENT_IBAN, DEVELOPMENT_SECRET, ImproperlyConfigured
from server.app import create_app
from workers.broker import configure_broker

PRODUCTION = {
    "environment": "production",
    "secret_key": "s3cr3t-" + "k" * 33,
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
