"""The support desk's look at young people: find one, open their record (audited).

A record holds a minor's data: each opening is written to the append-only audit trail with
who opened it, when and why (the reason the agent gives), and the beneficiary's id only,
never their name, birth date or email.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from tortoise.expressions import Q

from domain.accounts.viewer import Viewer
from domain.cards import codes as card_codes
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import invalid, not_found
from domain.core.money import parse_euros
from domain.core.text import clean_text
from domain.core.transactions import atomic
from models.cards import Beneficiary, Card
from models.transactions import CardTransaction

MAX_RESULTS = 50
MAX_REASON = 200
RECENT_TRANSACTIONS = 30
_FRENCH_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _birth_date(text: str) -> date | None:
    try:
        if found := _FRENCH_DATE.match(text):
            return date(int(found[3]), int(found[2]), int(found[1]))
        if found := _ISO_DATE.match(text):
            return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None
    return None


async def find(text: str, limit: int = MAX_RESULTS) -> list[Beneficiary]:
    """Young people by card code (typed or scanned), email, birth date (JJ/MM/AAAA), or
    words of their name or school (each word must match one of them)."""
    text = " ".join(text.split())
    if not text:
        return []
    limit = max(1, min(limit, MAX_RESULTS))
    query = Beneficiary.all().select_related("user")
    if (code := card_codes.normalize_code(text)) is not None:
        ids = await Card.filter(code=code).values_list("beneficiary_id", flat=True)
        query = query.filter(id__in=list(ids))
    elif "@" in text:
        query = query.filter(user__email__iexact=text)
    elif (born := _birth_date(text)) is not None:
        query = query.filter(birth_date=born)
    else:
        for word in text.split():
            query = query.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(school_name__icontains=word)
            )
    return await query.order_by("last_name", "first_name", "id").limit(limit)


@dataclass(frozen=True)
class YoungPersonRecord:
    beneficiary: Beneficiary
    cards: list[Card]
    transactions: list[tuple[CardTransaction, str]]


async def open_record(viewer: Viewer, beneficiary_id: UUID, reason: str) -> YoungPersonRecord:
    """The record, once its opening is audited with the agent's reason."""
    reason = clean_text("reason", reason, max_length=MAX_REASON)
    beneficiary = await Beneficiary.get_or_none(id=beneficiary_id).select_related("user")
    if beneficiary is None:
        raise not_found("Jeune")
    async with atomic():
        # The beneficiary's id (the entry's object) and the reason: no personal data.
        await record(viewer, "young_person.record_opened", beneficiary, after={"reason": reason})
    cards = (
        await Card.filter(beneficiary_id=beneficiary.id)
        .select_related("school_year")
        .order_by("-created_at")
    )
    codes = {card.id: card.code for card in cards}
    transactions = (
        await CardTransaction.filter(card_id__in=list(codes))
        .order_by("-created_at", "-id")
        .limit(RECENT_TRANSACTIONS)
    )
    return YoungPersonRecord(beneficiary, cards, [(t, codes[t.card_id]) for t in transactions])


@dataclass(frozen=True)
class TransactionSearch:
    """What the hotline knows of a transaction a partner calls about; any of them."""

    partner: str = ""  # words of its trade name, or its SIRET
    card_code: str = ""  # typed or scanned
    day: date | None = None  # the Paris day it was made
    amount: str = ""  # in euros, « 10,55 »

    @property
    def is_empty(self) -> bool:
        return not (self.partner.strip() or self.card_code.strip() or self.day or self.amount)


async def find_transactions(
    search: TransactionSearch, limit: int = MAX_RESULTS
) -> list[tuple[CardTransaction, str]]:
    """Newest first; nothing when nothing is asked. An unknown card code finds nothing."""
    if search.is_empty:
        return []
    query = CardTransaction.all().select_related("card")
    if search.amount:
        query = query.filter(amount_cents=parse_euros(search.amount))
    if search.card_code.strip():
        code = card_codes.normalize_code(search.card_code)
        if code is None:
            raise invalid("cardCode", "Ce code de carte n'existe pas : vérifiez-le.")
        query = query.filter(card__code=code)
    if search.day is not None:
        start = datetime.combine(search.day, time(0), tzinfo=clock.PARIS)
        query = query.filter(created_at__gte=start, created_at__lt=start + timedelta(days=1))
    partner = " ".join(search.partner.split())
    if partner:
        digits = partner.replace(" ", "")
        if digits.isdigit():
            query = query.filter(partner__siret=digits)
        else:
            for word in partner.split():
                query = query.filter(partner__trade_name__icontains=word)
    rows = await query.order_by("-created_at", "-id").limit(max(1, min(limit, MAX_RESULTS)))
    return [(row, row.card.code) for row in rows]
