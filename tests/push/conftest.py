"""Push fixtures: a session-wide FCM stand-in and settings that send to it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from infra.settings import Settings
from tests.fcm_standin import FcmStandin, write_service_account


@pytest.fixture(scope="session")
def fcm_standin() -> Iterator[FcmStandin]:
    """The FCM stand-in, started once for the session on a free port of 127.0.0.1."""
    standin = FcmStandin().start()
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def fcm_credentials_file(fcm_standin: FcmStandin, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A service-account key trusted by the stand-in, its token_uri pointing at it."""
    return write_service_account(
        tmp_path_factory.mktemp("fcm") / "service-account.json", fcm_standin
    )


@pytest.fixture(scope="session")
def fcm_settings(
    settings: Settings, fcm_standin: FcmStandin, fcm_credentials_file: Path
) -> Settings:
    """The session settings with push delivered through firebase-admin to the stand-in."""
    return replace(
        settings,
        push_backend="fcm",
        fcm_credentials_file=fcm_credentials_file,
        fcm_endpoint=fcm_standin.url,
    )


@pytest.fixture(autouse=True)
def _fresh_fcm_standin(request: pytest.FixtureRequest) -> None:
    """Each test that uses the stand-in starts with nothing received and nothing scripted."""
    if "fcm_standin" in request.fixturenames:
        request.getfixturevalue("fcm_standin").reset()
