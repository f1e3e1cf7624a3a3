"""Password hashing (Argon2id, OWASP parameters) and the password policy."""

from __future__ import annotations

import asyncio
import unicodedata
from datetime import date

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.core.errors import DomainError, ErrorCode

# OWASP's minimum for Argon2id: m = 19 MiB, t = 2, p = 1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_LENGTH = 10
MAX_LENGTH = 128
# Compared against when the account does not exist, so both answers take the same time.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash("compte-inconnu-pour-un-temps-constant")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def check_password_policy(
    password: str,
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    birth_date: date | None = None,
) -> None:
    if len(password) < MIN_LENGTH:
        raise DomainError(
            ErrorCode.WEAK_PASSWORD,
            f"Le mot de passe doit contenir au moins {MIN_LENGTH} caractères.",
            "password",
        )
    if len(password) > MAX_LENGTH:
        raise DomainError(
            ErrorCode.WEAK_PASSWORD,
            f"Le mot de passe ne doit pas dépasser {MAX_LENGTH} caractères.",
            "password",
        )
    folded = _fold(password)
    personal = [email.split("@")[0], first_name, last_name]
    if birth_date:
        personal += [
            str(birth_date.year),
            birth_date.strftime("%d%m%Y"),
            birth_date.strftime("%d%m"),
        ]
    for item in personal:
        item = _fold(item)
        if len(item) >= 3 and item in folded:
            raise DomainError(
                ErrorCode.WEAK_PASSWORD,
                "Le mot de passe ne doit contenir ni votre nom, ni votre adresse e-mail, "
                "ni votre date de naissance.",
                "password",
            )
    if len(set(folded)) < 4:
        raise DomainError(
            ErrorCode.WEAK_PASSWORD,
            "Le mot de passe est trop simple : variez les caractères.",
            "password",
        )


async def hash_password(password: str) -> str:
    # Argon2 costs ~20 ms of CPU: keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _UNKNOWN_ACCOUNT_HASH, password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)
