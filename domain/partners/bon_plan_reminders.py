"""Reminding a partner of the convention's yearly commitment (at least one bon plan per
school year, domain/offers/commitment.py): the département emails the principal delegate,
and keeps each reminder (`BonPlanReminder`) for the back office's history."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from domain.accounts.outgoing_email import email_after_commit
from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, not_found
from domain.core.transactions import atomic
from domain.offers.commitment import bon_plan_commitment
from infra.settings import get_settings
from models.partners import (
    BonPlanReminder,
    Delegate,
    DelegateStatus,
    Partner,
    PartnerStatus,
)
from push.email import OutgoingEmail

# One reminder a week at most per partner: a second click, or a colleague's, the same day
# would only annoy the partner.
MIN_INTERVAL = timedelta(days=7)
TEMPLATE = "bon_plan_reminder"


async def send_reminder(actor: Viewer, partner_id: UUID) -> BonPlanReminder:
    async with atomic():
        partner = await Partner.select_for_update().get_or_none(id=partner_id)
        if partner is None:
            raise not_found("Partenaire")
        if partner.status != PartnerStatus.ACTIVE:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                "Ce partenaire n'est pas actif (suspendu ou convention résiliée) : "
                "aucun rappel ne lui est envoyé.",
            )
        commitment = await bon_plan_commitment(partner.id)
        if commitment.met:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                f"Ce partenaire a déjà un bon plan validé pour l'année scolaire "
                f"{commitment.school_year} : aucun rappel n'est nécessaire.",
            )
        now = clock.now()
        last = await BonPlanReminder.filter(partner_id=partner.id).order_by("-sent_at").first()
        if last is not None and now - last.sent_at < MIN_INTERVAL:
            sent = last.sent_at.astimezone(clock.PARIS)
            allowed = (last.sent_at + MIN_INTERVAL).astimezone(clock.PARIS)
            raise DomainError(
                ErrorCode.RATE_LIMITED,
                f"Un rappel a déjà été envoyé le {sent.strftime('%d/%m/%Y à %H:%M')} : "
                f"un nouveau rappel pourra partir à partir du "
                f"{allowed.strftime('%d/%m/%Y à %H:%M')}.",
            )
        principal = (
            await Delegate.filter(
                partner_id=partner.id,
                is_principal=True,
                status__in=(DelegateStatus.ACTIVE, DelegateStatus.INVITED),
            )
            .select_related("user")
            .first()
        )
        if principal is None:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                "Ce partenaire n'a pas de délégué principal actif : le rappel ne peut "
                "être envoyé à personne.",
            )
        reminder = await BonPlanReminder.create(
            partner_id=partner.id,
            school_year=commitment.school_year,
            recipient_email=principal.user.email,
            sent_by_id=actor.user.id if actor.user else None,
            sent_at=now,
        )
        await record(
            actor,
            "partner.bon_plan_reminder_sent",
            reminder,
            partner_id=partner.id,
            after={"schoolYear": commitment.school_year, "to": principal.user.email},
        )
        await email_after_commit(
            OutgoingEmail(
                to=principal.user.email,
                template=TEMPLATE,
                context={
                    "first_name": principal.user.first_name,
                    "partner_name": partner.trade_name,
                    "school_year": commitment.school_year,
                    "ends_on": commitment.ends_on.strftime("%d/%m/%Y"),
                    "url": f"{get_settings().public_url}/partenaires/bons-plans/nouveau",
                },
            )
        )
    return reminder


async def reminders(
    partner_id: UUID | None, school_year: str | None, limit: int
) -> list[BonPlanReminder]:
    """Newest first."""
    query = BonPlanReminder.all()
    if partner_id is not None:
        query = query.filter(partner_id=partner_id)
    if school_year:
        query = query.filter(school_year=school_year.strip())
    return await query.order_by("-sent_at", "-id").limit(limit)
