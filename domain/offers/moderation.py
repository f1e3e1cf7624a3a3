"""Moderation of deals and events: submit, the staff queue, decisions, publication.

Approving a revision publishes it in one transaction: it becomes the offer's published
revision (the one before is superseded), the offer's search columns are copied from it
and its places replace the map locations. A rejection carries a reason the partner reads.
Each decision is kept with its author (`ModerationDecision`, append-only), audited, and
told to the partner's principal and publishers through their notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from tortoise.expressions import Q

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.search_index import SYNC_OFFER_JOB
from domain.core.text import clean_text
from domain.core.transactions import after_commit, atomic
from domain.notifications.notify import notify
from domain.offers.editing import own_offer
from domain.offers.search_text import offer_search_text
from domain.offers.visibility import is_adults_only
from infra.jobs import enqueue
from models.offers import (
    ModerationDecision,
    Offer,
    OfferKind,
    OfferLocation,
    OfferRevision,
    OfferTheme,
    RevisionStatus,
)
from models.partners import Delegate, DelegatePermission, DelegateStatus, Partner, PartnerStatus

MAX_REASON = 1000
_DECIDED = (RevisionStatus.APPROVED, RevisionStatus.SUPERSEDED)


def _what(kind: OfferKind) -> str:
    return "bon plan" if kind == OfferKind.DEAL else "événement"


# --- the partner submits ---------------------------------------------------------------------


async def submit(viewer: Viewer, offer_id: UUID) -> Offer:
    offer = await own_offer(viewer, offer_id)
    async with atomic():
        revision = (
            await OfferRevision.filter(id=offer.working_revision_id).select_for_update().get()
        )
        if revision.status != RevisionStatus.DRAFT:
            raise DomainError(ErrorCode.INVALID_STATE, _not_submittable(revision.status))
        if revision.valid_until < clock.paris_today():
            raise invalid("validUntil", "La période de validité est déjà terminée : modifiez-la.")
        await OfferRevision.filter(id=revision.id).update(
            status=RevisionStatus.SUBMITTED, submitted_at=clock.now()
        )
        await record(
            viewer,
            "offer.submitted",
            offer,
            partner_id=offer.partner_id,
            before={"revision": revision.number, "status": revision.status.value},
            after={"revision": revision.number, "status": RevisionStatus.SUBMITTED.value},
        )
    return offer


def _not_submittable(status: RevisionStatus) -> str:
    if status == RevisionStatus.SUBMITTED:
        return "Cette version est déjà en cours de modération."
    if status == RevisionStatus.REJECTED:
        return "Cette version a été refusée : modifiez-la avant de la soumettre à nouveau."
    return "Cette version est déjà validée : modifiez l'offre pour en proposer une nouvelle."


# --- the staff queue -------------------------------------------------------------------------

QueuePosition = tuple[datetime, UUID]


@dataclass(frozen=True)
class QueueFilter:
    kind: OfferKind | None = None
    theme: OfferTheme | None = None
    partner_id: UUID | None = None


async def queue(
    filters: QueueFilter, limit: int, after: QueuePosition | None
) -> tuple[list[OfferRevision], QueuePosition | None]:
    """Submitted revisions, oldest submission first (keyset on submitted_at, id)."""
    query = OfferRevision.filter(
        status=RevisionStatus.SUBMITTED, offer__withdrawn_at__isnull=True
    ).select_related("offer")
    if filters.kind is not None:
        query = query.filter(offer__kind=filters.kind)
    if filters.theme is not None:
        query = query.filter(theme=filters.theme)
    if filters.partner_id is not None:
        query = query.filter(offer__partner_id=filters.partner_id)
    if after is not None:
        moment, identifier = after
        query = query.filter(Q(submitted_at__gt=moment) | Q(submitted_at=moment, id__gt=identifier))
    rows = await query.order_by("submitted_at", "id").limit(limit + 1)
    page = rows[:limit]
    more = len(rows) > limit
    # A revision in the queue has been submitted: submitted_at is set.
    return page, (page[-1].submitted_at, page[-1].id) if more else None  # type: ignore[return-value]


# --- the decision ----------------------------------------------------------------------------


async def decide(viewer: Viewer, revision_id: UUID, approve: bool, reason: str | None) -> Offer:
    # A refusal tells the partner why; an approval may say something too.
    reason = (
        clean_text("reason", reason, max_length=MAX_REASON, multiline=True, required=not approve)
        or None
    )
    async with atomic():
        revision = await OfferRevision.filter(id=revision_id).select_for_update().get_or_none()
        if revision is None:
            raise not_found("Version")
        offer = await Offer.filter(id=revision.offer_id).select_for_update().get()
        if revision.status != RevisionStatus.SUBMITTED or offer.withdrawn_at is not None:
            raise DomainError(
                ErrorCode.INVALID_STATE, "Cette version n'attend pas de décision de modération."
            )
        now = clock.now()
        status = RevisionStatus.APPROVED if approve else RevisionStatus.REJECTED
        await OfferRevision.filter(id=revision.id).update(
            status=status,
            decided_at=now,
            decided_by_id=viewer.signed_in_user.id,
            rejection_reason=None if approve else reason,
        )
        await ModerationDecision.create(
            revision_id=revision.id,
            approved=approve,
            reason=reason,
            decided_by_id=viewer.signed_in_user.id,
        )
        if approve:
            await publish(offer, revision, now)
            await _sync_search_after_commit(offer)
        await record(
            viewer,
            "offer.approved" if approve else "offer.rejected",
            offer,
            partner_id=offer.partner_id,
            before={"revision": revision.number, "status": RevisionStatus.SUBMITTED.value},
            after={"revision": revision.number, "status": status.value, "reason": reason},
        )
        await _tell_partner(offer, revision, approve, reason)
    return offer


async def publish(offer: Offer, revision: OfferRevision, now: datetime) -> None:
    """Make `revision` the one on show; call inside the decision's transaction."""
    if offer.published_revision_id is not None and offer.published_revision_id != revision.id:
        await OfferRevision.filter(id=offer.published_revision_id).update(
            status=RevisionStatus.SUPERSEDED
        )
    offer.published_revision_id = revision.id
    offer.title = revision.title
    offer.theme = revision.theme
    offer.deal_type = revision.deal_type
    offer.event_kind = revision.event_kind
    offer.valid_from = revision.valid_from
    offer.valid_until = revision.valid_until
    offer.adults_only = is_adults_only(revision.theme)
    partner_name = await Partner.filter(id=offer.partner_id).values_list("trade_name", flat=True)
    offer.search_text = offer_search_text(
        revision.title,
        revision.description,
        [str(p.get("city", "")) for p in revision.places],
        str(partner_name[0]) if partner_name else "",
        revision.theme,
    )
    offer.first_published_at = offer.first_published_at or now
    await offer.save(
        update_fields=[
            "published_revision_id",
            "title",
            "theme",
            "deal_type",
            "event_kind",
            "valid_from",
            "valid_until",
            "adults_only",
            "search_text",
            "first_published_at",
        ]
    )
    await OfferLocation.filter(offer_id=offer.id).delete()
    await OfferLocation.bulk_create(
        [
            OfferLocation(
                offer_id=offer.id,
                label=str(p.get("label") or ""),
                city=str(p["city"]),
                latitude=float(p["latitude"]),
                longitude=float(p["longitude"]),
            )
            for p in revision.places
        ]
    )


async def publishers(partner_id: UUID) -> list[UUID]:
    """The principal and the delegates who publish: those told of a decision."""
    delegates = await Delegate.filter(partner_id=partner_id, status=DelegateStatus.ACTIVE)
    return [
        d.user_id
        for d in delegates
        if d.is_principal or DelegatePermission.OFFERS_AND_POSTS.value in d.permissions
    ]


async def _tell_partner(
    offer: Offer, revision: OfferRevision, approve: bool, reason: str | None
) -> None:
    what = _what(offer.kind)
    if approve:
        title = f"{what.capitalize()} validé"
        body = f"« {revision.title} » a été validé par le Département et est en ligne."
    else:
        title = f"{what.capitalize()} refusé"
        body = (
            f"« {revision.title} » n'a pas été validé par le Département. Motif : {reason} "
            "Modifiez-le puis soumettez-le à nouveau."
        )
    data = {"offerId": str(offer.id), "approved": approve}
    for user_id in await publishers(offer.partner_id):
        await notify(user_id, "moderation_decision", title, body, data)


# --- after publication -----------------------------------------------------------------------


async def withdraw(viewer: Viewer, offer_id: UUID) -> Offer:
    """The partner takes the offer down: off show at once, for good."""
    offer = await own_offer(viewer, offer_id)
    async with atomic():
        offer = await Offer.filter(id=offer.id).select_for_update().get()
        if offer.withdrawn_at is not None:
            raise DomainError(ErrorCode.INVALID_STATE, "Cette offre est déjà retirée.")
        before = {"publishedRevision": str(offer.published_revision_id or "") or None}
        offer.withdrawn_at = clock.now()
        offer.published_revision_id = None
        await offer.save(update_fields=["withdrawn_at", "published_revision_id"])
        await OfferLocation.filter(offer_id=offer.id).delete()
        await _sync_search_after_commit(offer)
        await record(
            viewer,
            "offer.withdrawn",
            offer,
            partner_id=offer.partner_id,
            before=before,
            after={"withdrawnAt": offer.withdrawn_at.isoformat()},
        )
    return offer


async def set_super(viewer: Viewer, offer_id: UUID, is_super: bool) -> Offer:
    """Staff highlight a deal as a "super bon plan" (campaigns, the map)."""
    async with atomic():
        offer = await Offer.filter(id=offer_id).select_for_update().get_or_none()
        if offer is None:
            raise not_found("Offre")
        if offer.kind != OfferKind.DEAL:
            raise invalid("offerId", "Seul un bon plan peut être un « super bon plan ».")
        if offer.is_super != is_super:
            await Offer.filter(id=offer.id).update(is_super=is_super)
            await record(
                viewer,
                "offer.super_changed",
                offer,
                partner_id=offer.partner_id,
                before={"isSuper": offer.is_super},
                after={"isSuper": is_super},
            )
            offer.is_super = is_super
            await _sync_search_after_commit(offer)
    return offer


async def _sync_search_after_commit(offer: Offer) -> None:
    """The search index follows once the change is committed (a no-op job without one)."""
    offer_id = str(offer.id)
    await after_commit(lambda: enqueue(SYNC_OFFER_JOB, offer_id))


# --- the yearly commitment -------------------------------------------------------------------


def school_year_bounds(label: str) -> tuple[date, date]:
    """ "2026-2027" -> (1 September 2026, 31 August 2027)."""
    try:
        first, second = (int(part) for part in label.strip().split("-"))
    except ValueError:
        raise invalid("schoolYear", "Année scolaire invalide : par exemple 2026-2027.") from None
    if second != first + 1 or not 2000 <= first <= 2100:
        raise invalid("schoolYear", "Année scolaire invalide : par exemple 2026-2027.")
    return date(first, 9, 1), date(second, 8, 31)


async def partners_without_deal(label: str) -> list[Partner]:
    """Active partners with no deal approved and valid within the school year: the
    convention commits each to at least one a year. Withdrawn deals do not count."""
    starts, ends = school_year_bounds(label)
    with_deal = OfferRevision.filter(
        status__in=_DECIDED,
        valid_from__gte=starts,
        valid_until__lte=ends,
        offer__kind=OfferKind.DEAL,
        offer__withdrawn_at__isnull=True,
    ).values_list("offer__partner_id", flat=True)
    partner_ids = set(await with_deal)
    return [
        p
        for p in await Partner.filter(status=PartnerStatus.ACTIVE).order_by("trade_name", "id")
        if p.id not in partner_ids
    ]
