"""Sign-in throttling per account and per client address, shared by every API process.

A password typed again to confirm an action (new bank details, a new password, closing an
account, an invitation to someone who has an account) is a guess like a sign-in's:
`confirm_password` counts its failures with the sign-in's and refuses it as sign-in does."""

from __future__ import annotations

from datetime import timedelta

from domain.accounts.passwords import verify_password
from domain.core import clock
from domain.core.errors import DomainError, ErrorCode
from domain.core.secrets import secret_hash
from infra.settings import get_settings
from models.accounts import LoginFailure, User


def email_key(email: str) -> str:
    # Keyed by the typed address whether or not an account exists: the answer reveals nothing.
    return secret_hash(email.strip().lower())


async def ensure_login_allowed(email: str, client_address: str | None) -> None:
    """TOO_MANY_ATTEMPTS while the account, or the client address where it is known, has
    had too many failures lately."""
    settings = get_settings()
    since = clock.now() - timedelta(minutes=settings.login_failure_window_minutes)
    per_account = await LoginFailure.filter(
        email_key=email_key(email), failed_at__gte=since
    ).count()
    per_address = (
        await LoginFailure.filter(client_address=client_address, failed_at__gte=since).count()
        if client_address
        else 0
    )
    if (
        per_account >= settings.login_max_failures_per_account
        or per_address >= settings.login_max_failures_per_address
    ):
        raise DomainError(
            ErrorCode.TOO_MANY_ATTEMPTS,
            f"Trop de tentatives de connexion. Réessayez dans "
            f"{settings.login_failure_window_minutes} minutes.",
        )


async def record_login_failure(email: str, client_address: str | None) -> None:
    await LoginFailure.create(
        email_key=email_key(email), client_address=client_address or "", failed_at=clock.now()
    )


async def confirm_password(
    user: User, password: str | None, client_address: str | None, refusal: DomainError
) -> None:
    """`refusal` unless `password` is the user's; a wrong one counts as a failed sign-in,
    and too many failures lately (on the account or from the address) refuse it outright.
    Call it outside the transaction of the action it confirms: a failure is recorded even
    though the action is not."""
    await ensure_login_allowed(user.email, client_address)
    if user.password_hash is None or not await verify_password(password or "", user.password_hash):
        await record_login_failure(user.email, client_address)
        raise refusal


async def forget_login_failures(email: str) -> None:
    await LoginFailure.filter(email_key=email_key(email)).delete()
