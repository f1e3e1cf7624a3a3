"""A throwaway PostgreSQL database for a benchmark run, seeded through the domain layer.

The people and partners are built by tests/factories.py, the same builders the tests use,
so the benchmark debits the same kind of rows the tests do.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

SEED_CONCURRENCY = 8


@dataclass(frozen=True)
class Till:
    partner_id: str
    cashier_email: str


@dataclass(frozen=True)
class Seeded:
    tills: list[Till]
    card_codes: list[str]
    password: str


def bench_database_name() -> str:
    return f"cjeune_bench_{secrets.token_hex(5)}"


async def create_database(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(f"{server_url}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def drop_database(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(f"{server_url}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


class Progress:
    """A one-line progress bar on stderr, like `cjeune import-beneficiaries`."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.started = time.perf_counter()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.done < self.total and self.done % max(1, self.total // 100):
            return
        filled = 30 * self.done // self.total if self.total else 30
        elapsed = time.perf_counter() - self.started
        sys.stderr.write(
            f"\r  {self.label:<13} [{'=' * filled}{' ' * (30 - filled)}] "
            f"{self.done}/{self.total} ({elapsed:.1f} s)"
        )
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _reuse_one_password_hash() -> Callable[[], None]:
    """The young people never sign in during a run: hash their password once instead of
    2,000 times (Argon2 costs ~60 ms here). The stored hash is a real Argon2id hash."""
    import domain.accounts.users
    from domain.accounts.passwords import hash_password

    original = domain.accounts.users.hash_password
    cache: dict[str, str] = {}

    async def cached(password: str) -> str:
        if password not in cache:
            cache[password] = await hash_password(password)
        return cache[password]

    domain.accounts.users.hash_password = cached

    def restore() -> None:
        domain.accounts.users.hash_password = original

    return restore


async def seed(partners: int, holders: int) -> Seeded:
    """Call with the ORM open on the bench database and the settings installed."""
    from domain.cards import ledger
    from models.accounts import StaffRole
    from tests import factories

    year = await factories.current_school_year()
    support = await factories.staff_member(StaffRole.SUPPORT)

    tills: list[Till] = []
    progress = Progress("partners", partners)
    for n in range(partners):
        team, cashier = await factories.till(
            await factories.partner_team(support, name=f"Partenaire {n + 1}")
        )
        # Steady state: a partner's payable account exists after its first debit ever.
        await ledger.payable_account(team.partner.id)
        tills.append(Till(str(team.partner.id), cashier.email))
        progress.advance()

    restore = _reuse_one_password_hash()
    codes: list[str] = []
    progress = Progress("card holders", holders)
    try:
        # The first one alone: it creates the year's funding account.
        codes.append((await factories.card_holder(year)).card.code)
        progress.advance()
        gate = asyncio.Semaphore(SEED_CONCURRENCY)

        async def one() -> None:
            async with gate:
                holder = await factories.card_holder(year)
            codes.append(holder.card.code)
            progress.advance()

        await asyncio.gather(*(one() for _ in range(holders - 1)))
    finally:
        restore()
    return Seeded(tills, codes, factories.PASSWORD)


async def pair_terminals(tills: list[Till]) -> dict[str, str]:
    """One paired payment terminal per till, as pairing leaves it (its cashier answers for
    it): the credential by partner id, for « Authorization: Terminal <credential> »."""
    from domain.core import clock
    from domain.terminals import credentials
    from models.accounts import User
    from models.terminals import Terminal, TerminalKind, TerminalState

    found: dict[str, str] = {}
    for till in tills:
        cashier = await User.get(email=till.cashier_email)
        terminal = Terminal(
            partner_id=till.partner_id,
            name="Caisse",
            kind=TerminalKind.SMART_TPE,
            state=TerminalState.ACTIVE,
            created_by_id=cashier.id,
            responsible_id=cashier.id,
            created_at=clock.now(),
            paired_at=clock.now(),
        )
        credential, terminal.credential_digest = credentials.new_credential(terminal.id)
        terminal.credential_issued_at = clock.now()
        await terminal.save()
        found[till.partner_id] = credential
    return found
