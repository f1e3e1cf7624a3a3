"""What the back office's tests start from: a partner's deal submitted for moderation."""

from __future__ import annotations

import uuid
from datetime import timedelta

from domain.accounts.sessions import load_viewer, login
from domain.accounts.viewer import Viewer
from domain.cards.transactions import DebitRequest, debit_card
from domain.core import clock
from domain.offers.editing import OfferChanges, PlaceInput, create_offer, update_offer
from domain.offers.moderation import decide, submit
from models.accounts import StaffRole
from models.offers import DealType, Offer, OfferKind, OfferTheme
from tests.factories import PASSWORD, PartnerTeam, card_holder, staff_member, till


async def viewer_of(user) -> Viewer:
    await login(user.email, PASSWORD, "192.0.2.1", "tests")
    session = await user.sessions.all().order_by("-created_at").first()
    viewer = await load_viewer(user.id, session.id, "192.0.2.1")
    assert viewer is not None
    return viewer


async def submitted_deal(
    team: PartnerTeam, title: str = "Une place offerte", theme: OfferTheme = OfferTheme.CULTURE
) -> Offer:
    """A deal of `team`'s partner waiting for moderation (valid from today for a week)."""
    today = clock.paris_today()
    principal = await viewer_of(team.principal)
    offer = await create_offer(
        principal,
        team.partner.id,
        OfferKind.DEAL,
        OfferChanges(
            title=title,
            description="Sur présentation de la carte.",
            theme=theme,
            deal_type=DealType.GOODIES,
            valid_from=today,
            valid_until=today + timedelta(days=7),
            places=[PlaceInput("1 rue de Rome", "13001", "Marseille")],
        ),
    )
    await submit(principal, offer.id)
    return await Offer.get(id=offer.id)


async def new_version_submitted(team: PartnerTeam, offer: Offer, title: str) -> Offer:
    """`offer` approved, then a new version with another title submitted."""
    moderator = await viewer_of(await staff_member(StaffRole.MODERATION))
    await decide(moderator, offer.working_revision_id, True, None)
    principal = await viewer_of(team.principal)
    await update_offer(principal, offer.id, OfferChanges(title=title))
    await submit(principal, offer.id)
    return await Offer.get(id=offer.id)


async def yesterday_s_debit(amount: str = "7,35"):
    """A debit made yesterday at a new partner's till: (team, cashier, holder, transaction)."""
    team, cashier = await till()
    holder = await card_holder()
    request = DebitRequest(
        team.partner.id, holder.card.code, "SPORT_CULTURE_LOISIRS", amount, uuid.uuid4().hex
    )
    with clock.frozen(clock.now() - timedelta(days=1)):
        transaction = await debit_card(await viewer_of(cashier), request)
    return team, cashier, holder, transaction
