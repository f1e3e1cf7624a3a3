"""Card lookups are counted per delegate and per partner, and unknown codes more strictly,
so that nobody can walk through codes from a terminal."""

from __future__ import annotations

import asyncio
from uuid import UUID

from domain.core.errors import DomainError, ErrorCode
from infra.counters import shared_counter
from infra.settings import get_settings

MINUTE, TEN_MINUTES = 60, 600


def _limited(message: str) -> DomainError:
    return DomainError(ErrorCode.RATE_LIMITED, message)


async def count_lookup(user_id: UUID | str, partner_id: UUID) -> None:
    """Count one lookup; refuse it when over a limit, or while too many unknown codes
    were typed recently (even a right code then gets no answer)."""
    settings = get_settings()
    counter = shared_counter(settings.redis_url)
    # Counted without a round trip (infra/counters.py `tally`); a lookup refused for unknown
    # codes still counts as a lookup.
    (by_delegate, by_partner), (unknown_by_delegate, unknown_by_partner) = await counter.tally(
        hits=[(f"lookup:delegate:{user_id}", MINUTE), (f"lookup:partner:{partner_id}", MINUTE)],
        peeks=[
            (f"unknown:delegate:{user_id}", TEN_MINUTES),
            (f"unknown:partner:{partner_id}", TEN_MINUTES),
        ],
    )
    if (
        unknown_by_delegate >= settings.unknown_code_limit_per_delegate
        or unknown_by_partner >= settings.unknown_code_limit_per_partner
    ):
        raise _limited(
            "Trop de codes de carte inconnus saisis : la recherche de cartes est "
            "suspendue pendant dix minutes."
        )
    if (
        by_delegate > settings.lookup_limit_per_delegate
        or by_partner > settings.lookup_limit_per_partner
    ):
        raise _limited("Trop de recherches de cartes : patientez une minute avant de réessayer.")


async def count_unknown_code(user_id: UUID | str, partner_id: UUID) -> None:
    """Counted in Redis at once (a rare event, and the one that stops a walk through codes):
    every process sees it at its next flush, this one at once."""
    counter = shared_counter(get_settings().redis_url)
    await asyncio.gather(
        counter.hit(f"unknown:delegate:{user_id}", TEN_MINUTES),
        counter.hit(f"unknown:partner:{partner_id}", TEN_MINUTES),
    )
