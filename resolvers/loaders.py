"""Per-request DataLoaders: one query per kind of object, whatever the list length."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from strawberry.dataloader import DataLoader

from domain import clock
from models.accounts import User
from models.offers import Offer, OfferRevision
from models.partners import Delegate, Partner
from models.social import Image, OpeningException, PartnerProfile, PostImage, PostLike


async def _users(ids: Sequence[UUID]) -> list[User | None]:
    found = {u.id: u for u in await User.filter(id__in=list(ids))}
    return [found.get(i) for i in ids]


async def _partners(ids: Sequence[UUID]) -> list[Partner | None]:
    found = {p.id: p for p in await Partner.filter(id__in=list(ids))}
    return [found.get(i) for i in ids]


async def _delegates_by_partner(partner_ids: Sequence[UUID]) -> list[list[Delegate]]:
    grouped: dict[UUID, list[Delegate]] = {i: [] for i in partner_ids}
    for delegate in await Delegate.filter(partner_id__in=list(partner_ids)).order_by(
        "-is_principal", "created_at"
    ):
        grouped[delegate.partner_id].append(delegate)
    return [grouped[i] for i in partner_ids]


async def _delegations_by_user(user_ids: Sequence[UUID]) -> list[list[Delegate]]:
    grouped: dict[UUID, list[Delegate]] = {i: [] for i in user_ids}
    for delegate in await Delegate.filter(user_id__in=list(user_ids)).order_by("created_at"):
        grouped[delegate.user_id].append(delegate)
    return [grouped[i] for i in user_ids]


async def _offers(ids: Sequence[UUID]) -> list[Offer | None]:
    found = {o.id: o for o in await Offer.filter(id__in=list(ids))}
    return [found.get(i) for i in ids]


async def _offer_revisions(ids: Sequence[UUID]) -> list[OfferRevision | None]:
    found = {r.id: r for r in await OfferRevision.filter(id__in=list(ids))}
    return [found.get(i) for i in ids]


async def _images(ids: Sequence[UUID]) -> list[Image | None]:
    found = {i.id: i for i in await Image.filter(id__in=list(ids))}
    return [found.get(i) for i in ids]


async def _images_by_post(post_ids: Sequence[UUID]) -> list[list[Image]]:
    grouped: dict[UUID, list[Image]] = {i: [] for i in post_ids}
    for link in (
        await PostImage.filter(post_id__in=list(post_ids))
        .select_related("image")
        .order_by("position")
    ):
        grouped[link.post_id].append(link.image)
    return [grouped[i] for i in post_ids]


async def _liked(keys: Sequence[tuple[UUID, UUID]]) -> list[bool]:
    """Keys are (user, post); a request has one viewer, so this is one query."""
    liked: set[tuple[UUID, UUID]] = set()
    for user_id in {user for user, _ in keys}:
        posts = [post for user, post in keys if user == user_id]
        for post_id in await PostLike.filter(user_id=user_id, post_id__in=posts).values_list(
            "post_id", flat=True
        ):
            liked.add((user_id, post_id))
    return [key in liked for key in keys]


async def _profiles(partner_ids: Sequence[UUID]) -> list[PartnerProfile | None]:
    """By partner id; None for a partner whose profile was never edited."""
    found = {p.partner_id: p for p in await PartnerProfile.filter(partner_id__in=list(partner_ids))}
    return [found.get(i) for i in partner_ids]


async def _upcoming_exceptions(partner_ids: Sequence[UUID]) -> list[list[OpeningException]]:
    """Periods not over yet (Paris date), soonest first."""
    grouped: dict[UUID, list[OpeningException]] = {i: [] for i in partner_ids}
    for exception in await OpeningException.filter(
        partner_id__in=list(partner_ids), ends_on__gte=clock.paris_today()
    ).order_by("starts_on"):
        grouped[exception.partner_id].append(exception)
    return [grouped[i] for i in partner_ids]


@dataclass
class Loaders:
    user: DataLoader[UUID, User | None] = field(default_factory=lambda: DataLoader(_users))
    partner: DataLoader[UUID, Partner | None] = field(default_factory=lambda: DataLoader(_partners))
    delegates_by_partner: DataLoader[UUID, list[Delegate]] = field(
        default_factory=lambda: DataLoader(_delegates_by_partner)
    )
    delegations_by_user: DataLoader[UUID, list[Delegate]] = field(
        default_factory=lambda: DataLoader(_delegations_by_user)
    )
    image: DataLoader[UUID, Image | None] = field(default_factory=lambda: DataLoader(_images))
    offer: DataLoader[UUID, Offer | None] = field(default_factory=lambda: DataLoader(_offers))
    offer_revision: DataLoader[UUID, OfferRevision | None] = field(
        default_factory=lambda: DataLoader(_offer_revisions)
    )
    images_by_post: DataLoader[UUID, list[Image]] = field(
        default_factory=lambda: DataLoader(_images_by_post)
    )
    liked: DataLoader[tuple[UUID, UUID], bool] = field(default_factory=lambda: DataLoader(_liked))
    partner_profile: DataLoader[UUID, PartnerProfile | None] = field(
        default_factory=lambda: DataLoader(_profiles)
    )
    upcoming_opening_exceptions: DataLoader[UUID, list[OpeningException]] = field(
        default_factory=lambda: DataLoader(_upcoming_exceptions)
    )
