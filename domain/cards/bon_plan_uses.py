"""Bons plans at the till: the partner's deals a card's holder may use, and a use recorded.

The guide: young people « bénéficient d'un avantage sur présentation de leur carte CJeune
(carte PVC ou dématérialisée) »; the 16–25s hold a card with no wallet and come for these
only. No money moves: a use is counted per deal (for the partner and the département) and
shown in the holder's history. The rules, decided here:

- The card must be usable as for a debit (`card_state` ACTIVE: activated, within its school
  year, not opposed, not locked after three wrong PINs); no PIN is asked, nothing is paid.
- The deal must be the partner's (the delegate acts for it with TRANSACTIONS), published,
  not withdrawn, valid today (Paris), and of a theme for the holder's age: the one rule of
  `domain/offers/visibility.py`, with the holder's age from the card's birth date.
- No limit per person: a deal carries none. A partner that gives a deal once per person
  says so in its conditions, and the till shows how many times this holder used each deal.
- Idempotent like a debit: the till chooses a key per attempt; resending it answers the
  first use, never a second one; the same key for another card or deal is a conflict.
- Cancellable by the partner the same Paris day, as a debit; afterwards it stays (no money
  to regularise: the hotline corrects a count if need be).
- Each use and cancellation is audited; the holder is notified (inbox and push).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count, Max

from domain.accounts.viewer import Viewer
from domain.cards import codes as card_codes
from domain.cards.states import CardState, partner_message
from domain.cards.transactions import card_state, find_card, on_the_day_of, too_late_to_cancel
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.transactions import atomic
from domain.notifications.notify import notify
from domain.offers.visibility import age_allows, deal_on_show, usable_deals_filter
from domain.partners.pin_policy import PaymentChannel
from models.offers import Offer
from models.partners import DelegatePermission, Partner
from models.transactions import BonPlanUse

_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
NOTIFICATION_KIND = "bon_plan_used"


@dataclass(frozen=True)
class UsableDeal:
    """A deal the holder may use today, with what they already used of it."""

    offer: Offer
    uses_by_holder: int
    last_used_by_holder_at: datetime | None


async def usable_deals(partner_id: UUID, beneficiary_id: UUID, holder_age: int) -> list[UsableDeal]:
    """The partner's deals the card's holder may use today: super deals first, then by title."""
    today = clock.paris_today()
    offers = await Offer.filter(usable_deals_filter(partner_id, holder_age, today)).order_by(
        "-is_super", "title", "id"
    )
    if not offers:
        return []
    used = await _holder_uses(beneficiary_id, [o.id for o in offers])
    return [UsableDeal(o, *used.get(o.id, (0, None))) for o in offers]


async def _holder_uses(
    beneficiary_id: UUID, offer_ids: list[UUID]
) -> dict[UUID, tuple[int, datetime | None]]:
    rows: list[Any] = (
        await BonPlanUse.filter(
            beneficiary_id=beneficiary_id, offer_id__in=offer_ids, cancelled_at__isnull=True
        )
        .annotate(uses=Count("id"), last=Max("created_at"))
        .group_by("offer_id")
        .values_list("offer_id", "uses", "last")
    )
    return {UUID(str(offer_id)): (uses, _instant(last)) for offer_id, uses, last in rows}


def _instant(value: Any) -> datetime | None:
    """An aggregate's instant as a UTC datetime (SQLite answers it as text)."""
    if value is None or isinstance(value, datetime):
        return value
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class UseRequest:
    card_code: str
    offer_id: UUID
    idempotency_key: str
    channel: PaymentChannel = PaymentChannel.TILL


def _fingerprint(code: str, offer_id: UUID) -> str:
    return hashlib.sha256(f"{code}|{offer_id}".encode()).hexdigest()


async def _replayed(partner_id: UUID, key: str, fingerprint: str) -> BonPlanUse | None:
    """The use this partner already recorded with this key, if the request is the same."""
    existing = await BonPlanUse.get_or_none(partner_id=partner_id, idempotency_key=key)
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "Cette clé d'idempotence a déjà servi pour une autre utilisation de bon plan.",
            "idempotencyKey",
        )
    return existing


async def _partners_deal(viewer: Viewer, offer_id: UUID) -> Offer:
    offer = await Offer.get_or_none(id=offer_id)
    if offer is None or not viewer.may_act_for(offer.partner_id, DelegatePermission.TRANSACTIONS):
        raise DomainError(ErrorCode.NOT_FOUND, "Bon plan introuvable.", "bonPlanId")
    return offer


async def record_use(viewer: Viewer, request: UseRequest) -> BonPlanUse:
    """Record that the card's holder used the deal, once per idempotency key."""
    if not _IDEMPOTENCY_KEY.fullmatch(request.idempotency_key or ""):
        raise invalid(
            "idempotencyKey",
            "Clé d'idempotence invalide (8 à 64 caractères parmi lettres, chiffres, - et _).",
        )
    offer = await _partners_deal(viewer, request.offer_id)
    code = card_codes.normalize_code(request.card_code or "") or ""
    fingerprint = _fingerprint(code, offer.id)
    existing = await _replayed(offer.partner_id, request.idempotency_key, fingerprint)
    if existing is not None:
        return existing  # before the card and the deal are checked again: they may have changed
    try:
        return await _checked_use(viewer, offer, request, fingerprint)
    except IntegrityError:
        # A concurrent request with the same key won the race: answer its use.
        existing = await _replayed(offer.partner_id, request.idempotency_key, fingerprint)
        if existing is None:
            raise
        return existing


async def _checked_use(
    viewer: Viewer, offer: Offer, request: UseRequest, fingerprint: str
) -> BonPlanUse:
    found = await find_card(viewer, offer.partner_id, request.card_code)
    card = found.card
    state = await card_state(card)
    if state != CardState.ACTIVE:
        raise DomainError(
            ErrorCode.PIN_LOCKED if state == CardState.PIN_LOCKED else ErrorCode.CARD_NOT_USABLE,
            partner_message(state, card.school_year) or "Carte inutilisable.",
            "code",
        )
    today = clock.paris_today()
    if not deal_on_show(offer, today):
        raise DomainError(
            ErrorCode.BON_PLAN_NOT_AVAILABLE,
            "Ce bon plan n'est pas proposé aujourd'hui : il n'est pas encore publié, il a été "
            "retiré, ou sa période de validité ne comprend pas ce jour.",
            "bonPlanId",
        )
    holder = card.beneficiary
    age = clock.age_on(holder.birth_date, today)
    if not age_allows(offer, age):
        raise DomainError(
            ErrorCode.AGE_NOT_ELIGIBLE,
            f"Ce bon plan est réservé aux 18-25 ans : le titulaire de la carte a {age} ans.",
            "bonPlanId",
        )
    partner = await Partner.get(id=offer.partner_id)
    async with atomic():
        use = await BonPlanUse.create(
            reference="B" + "".join(secrets.choice(card_codes.ALPHABET) for _ in range(11)),
            partner_id=offer.partner_id,
            offer_id=offer.id,
            card_id=card.id,
            beneficiary_id=holder.id,
            delegate_user_id=viewer.signed_in_user.id,
            title=offer.title or "",
            channel=request.channel.value,
            idempotency_key=request.idempotency_key,
            request_fingerprint=fingerprint,
            created_at=clock.now(),
        )
        await record(
            viewer,
            "bon_plan.used",
            use,
            partner_id=offer.partner_id,
            after={"reference": use.reference, "offerId": str(offer.id), "title": use.title},
        )
        if holder.user_id:
            await notify(
                holder.user_id,
                NOTIFICATION_KIND,
                "Bon plan utilisé avec ta carte CJeune",
                f"Tu as profité du bon plan « {use.title} » chez {partner.trade_name}.",
                {"bonPlanUseId": str(use.id), "offerId": str(offer.id)},
            )
    return use


def is_cancellable(use: BonPlanUse) -> bool:
    """Not cancelled, and recorded today (Paris)."""
    return use.cancelled_at is None and on_the_day_of(use.created_at)


async def cancel_use(viewer: Viewer, use_id: UUID) -> BonPlanUse:
    """The partner takes back a use recorded by mistake, the same Paris day."""
    use = await BonPlanUse.get_or_none(id=use_id)
    if use is None or not viewer.may_act_for(use.partner_id, DelegatePermission.TRANSACTIONS):
        raise not_found("Utilisation du bon plan")
    if not on_the_day_of(use.created_at):
        raise too_late_to_cancel("de son utilisation", "pour la corriger")
    async with atomic():
        changed = await BonPlanUse.filter(id=use.id, cancelled_at__isnull=True).update(
            cancelled_at=clock.now(), cancelled_by_id=viewer.signed_in_user.id
        )
        if not changed:
            raise DomainError(ErrorCode.INVALID_STATE, "Cette utilisation a déjà été annulée.")
        await use.refresh_from_db()
        await record(
            viewer,
            "bon_plan.use_cancelled",
            use,
            partner_id=use.partner_id,
            before={"cancelled": False},
            after={"cancelled": True, "reference": use.reference},
        )
    return use


async def use_counts(offer_ids: list[UUID]) -> dict[UUID, int]:
    """Uses not cancelled, per deal."""
    rows: list[Any] = (
        await BonPlanUse.filter(offer_id__in=offer_ids, cancelled_at__isnull=True)
        .annotate(uses=Count("id"))
        .group_by("offer_id")
        .values_list("offer_id", "uses")
    )
    return {UUID(str(offer_id)): uses for offer_id, uses in rows}


@dataclass(frozen=True)
class DealUseCount:
    offer: Offer
    uses: int


MAX_COUNTED_DEALS = 500


async def counts_by_deal(
    partner_id: UUID | None, since: date | None, until: date | None, first: int
) -> list[DealUseCount]:
    """Uses not cancelled per deal between two Paris days (included), most used first."""
    query = BonPlanUse.filter(cancelled_at__isnull=True)
    if partner_id is not None:
        query = query.filter(partner_id=partner_id)
    if since is not None:
        query = query.filter(created_at__gte=clock.start_of_paris_day(since))
    if until is not None:
        query = query.filter(created_at__lt=clock.start_of_paris_day(until + timedelta(days=1)))
    rows: list[Any] = (
        await query.annotate(uses=Count("id"))
        .group_by("offer_id")
        .order_by("-uses", "offer_id")
        .limit(max(1, min(first, MAX_COUNTED_DEALS)))
        .values_list("offer_id", "uses")
    )
    counts = {UUID(str(offer_id)): uses for offer_id, uses in rows}
    offers = {o.id: o for o in await Offer.filter(id__in=list(counts))}
    return [DealUseCount(offers[i], n) for i, n in counts.items() if i in offers]
