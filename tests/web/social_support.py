"""Partners in the directory, their published deals and posts, for the public and social
pages' tests: made through domain/ as a partner and a moderator would."""

from __future__ import annotations

import uuid
from datetime import timedelta

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.offers.editing import OfferChanges, PlaceInput, create_offer
from domain.offers.moderation import decide, submit
from domain.social.posts import create_post
from models.accounts import StaffRole
from models.offers import DealType, Offer, OfferKind, OfferTheme
from models.partners import Delegate, PartnerCategory
from models.social import PartnerProfile, Post
from tests.factories import PartnerTeam, partner_team, staff_member

# Far from the other tests' places (Marseille, Aix…), so the nearest 20 are this test's.
CAMARGUE = PlaceInput("Avenue de la Plage", "13460", "Saintes-Maries-de-la-Mer")


def new_commune() -> str:
    """A commune name no other test shares (the directory lists every test's partners)."""
    return f"Villeneuve-{uuid.uuid4().hex[:8]}"


async def listed_partner(
    city: str,
    name: str = "Cinéma",
    categories: tuple[PartnerCategory, ...] = (PartnerCategory.CULTURE,),
    postal_code: str = "13002",
    description: str = "Un cinéma de quartier, 3 salles.",
    located: tuple[float, float] | None = (43.3085, 5.366),
) -> PartnerTeam:
    team = await partner_team(name=name)
    team.partner.categories = [c.value for c in categories]
    await team.partner.save(update_fields=["categories"])
    await PartnerProfile.create(
        partner=team.partner,
        city=city,
        postal_code=postal_code,
        street="12 rue de la République",
        description=description,
        phone="+33491000000",
        contact_email=f"gerant-{uuid.uuid4().hex[:6]}@partenaire.test",
        latitude=located[0] if located else None,
        longitude=located[1] if located else None,
        location_source="geocoded" if located else None,
    )
    return team


async def principal_viewer(team: PartnerTeam) -> Viewer:
    delegate = await Delegate.get(partner_id=team.partner.id, is_principal=True)
    return Viewer(user=team.principal, delegations={team.partner.id: delegate})


async def published_offer(
    team: PartnerTeam,
    title: str,
    theme: OfferTheme = OfferTheme.CULTURE,
    place: PlaceInput = PlaceInput("12 rue de la République", "13002", "Marseille"),
) -> Offer:
    """A deal approved by moderation, on show from today for a month."""
    today = clock.paris_today()
    viewer = await principal_viewer(team)
    changes = OfferChanges(
        title=title,
        description="Sur présentation de la carte CJeune.",
        theme=theme,
        deal_type=DealType.GOODIES,
        valid_from=today,
        valid_until=today + timedelta(days=30),
        places=[place],
    )
    offer = await create_offer(viewer, team.partner.id, OfferKind.DEAL, changes)
    await submit(viewer, offer.id)
    moderator = Viewer(user=await staff_member(StaffRole.MODERATION))
    revision = (await Offer.get(id=offer.id)).working_revision_id
    assert revision is not None
    await decide(moderator, revision, True, None)
    return await Offer.get(id=offer.id)


async def published_post(team: PartnerTeam, body: str) -> Post:
    return await create_post(await principal_viewer(team), team.partner.id, body, [])
