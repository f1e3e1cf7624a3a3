"""Sign-in throttling per account and per client address, shared by every API process."""

from __future__ import annotations

from datetime import timedelta

from domain.core import clock
from domain.core.errors import DomainError, ErrorCode
from domain.core.secrets import secret_hash
from infra.settings import get_settings
from models.accounts import LoginFailure


def email_key(email: str) -> str:
    # Keyed by the typed address whether or not an account exists: the answer reveals nothing.
    return secret_hash(email.strip().lower())


async def ensure_login_allowed(email: str, client_address: str) -> None:
    settings = get_settings()
    since = clock.now() - timedelta(minutes=settings.login_failure_window_minutes)
    per_account = await LoginFailure.filter(
        email_key=email_key(email), failed_at__gte=since
    ).count()
    per_address = await LoginFailure.filter(
        client_address=client_address, failed_at__gte=since
    ).count()
    if (
        per_account >= settings.login_max_failures_per_account
        or per_address >= settings.login_max_failures_per_address
    ):
        raise DomainError(
            ErrorCode.TOO_MANY_ATTEMPTS,
            f"Trop de tentatives de connexion. Réessayez dans "
            f"{settings.login_failure_window_minutes} minutes.",
        )


async def record_login_failure(email: str, client_address: str) -> None:
    await LoginFailure.create(
        email_key=email_key(email), client_address=client_address, failed_at=clock.now()
    )


async def forget_login_failures(email: str) -> None:
    await LoginFailure.filter(email_key=email_key(email)).delete()
