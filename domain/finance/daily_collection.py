"""The evening "télécollecte": each partner that had transactions that day gets the day's
detail by email (count and amount per wallet, and the list), once per partner and day.

The marker row (unique on partner and day) is written in the transaction that queues the
emails: a second run that day, or a second scheduler, finds it and sends nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError

from domain.accounts.outgoing_email import email_after_commit
from domain.cards import codes as card_codes
from domain.core import clock
from domain.core.money import format_euros
from domain.core.transactions import atomic
from domain.finance import queries
from domain.finance.statements import STATUS_LABELS
from models.cards import SchoolYearWallet
from models.finance import DailyCollectionReport
from models.partners import Delegate, DelegatePermission, DelegateStatus, Partner
from models.sql import as_uuid
from push.email import OutgoingEmail

logger = logging.getLogger("cjeune.finance")
LISTED_IN_EMAIL = 300  # beyond, the email points to the statement


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), clock.PARIS)
    end = datetime.combine(day + timedelta(days=1), time(0), clock.PARIS)
    return start.astimezone(UTC), end.astimezone(UTC)


async def _recipients(partner_id: UUID) -> list[tuple[str, str]]:
    delegates = await Delegate.filter(
        partner_id=partner_id, status=DelegateStatus.ACTIVE
    ).select_related("user")
    return sorted(
        {
            (d.user.email, d.user.first_name)
            for d in delegates
            if (d.is_principal or DelegatePermission.FINANCE in d.permissions)
            and d.daily_collection_email
        }
    )


def _at(value: str | datetime) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(clock.PARIS)


async def send_daily_collection(day: date) -> int:
    """Queue the report of `day` for every partner not yet reported; returns how many."""
    start, end = _day_bounds(day)
    labels = dict(await SchoolYearWallet.all().values_list("kind", "label"))
    by_partner: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in await queries.transactions_between(start, end):
        by_partner[str(as_uuid(row["partner_id"]))].append(row)
    sent = 0
    for partner_key, rows in by_partner.items():
        if await _report(UUID(partner_key), day, rows, labels):
            sent += 1
    logger.info("daily collection of %s: %d partners reported", day, sent)
    return sent


async def _report(
    partner_id: UUID, day: date, rows: list[dict[str, Any]], labels: dict[str, str]
) -> bool:
    partner = await Partner.get(id=partner_id)
    recipients = await _recipients(partner_id)
    kept = [r for r in rows if r["status"] == "completed"]
    wallets: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in kept:
        wallets[row["wallet_kind"]][0] += 1
        wallets[row["wallet_kind"]][1] += int(row["amount_cents"])
    total = sum(int(r["amount_cents"]) for r in kept)
    context = {
        "partner_name": partner.trade_name,
        "day": f"{day:%d/%m/%Y}",
        "count": len(kept),
        "total": format_euros(total),
        "wallets": [
            {"label": labels.get(kind, kind), "count": n, "amount": format_euros(cents)}
            for kind, (n, cents) in sorted(wallets.items())
        ],
        "transactions": [
            {
                "time": f"{_at(r['created_at']):%H:%M}",
                "reference": r["reference"],
                "card": card_codes.mask_code(r["code"]),
                "wallet": labels.get(r["wallet_kind"], r["wallet_kind"]),
                "amount": format_euros(int(r["amount_cents"])),
                "status": STATUS_LABELS.get(r["status"], r["status"]),
            }
            for r in rows[:LISTED_IN_EMAIL]
        ],
        "not_listed": max(0, len(rows) - LISTED_IN_EMAIL),
    }
    try:
        async with atomic():
            await DailyCollectionReport.create(
                partner_id=partner_id,
                day=day,
                transactions_count=len(kept),
                amount_cents=total,
                recipients_count=len(recipients),
                created_at=clock.now(),
            )
            for email, first_name in recipients:
                await email_after_commit(
                    OutgoingEmail(email, "daily_collection", {**context, "first_name": first_name})
                )
    except IntegrityError:
        return False  # already reported today
    return True
