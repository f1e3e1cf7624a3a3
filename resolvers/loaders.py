"""Per-request DataLoaders: one query per kind of object, whatever the list length."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import TypeVar
from uuid import UUID

from strawberry.dataloader import DataLoader

from domain.cards.bon_plan_uses import use_counts
from domain.core import clock
from models.accounts import User
from models.offers import Offer, OfferRevision
from models.partners import Delegate, Partner
from models.social import Follow, Image, OpeningException, PartnerProfile, PostImage, PostLike

K = TypeVar("K")
T = TypeVar("T")
R = TypeVar("R")


class Pending:
    """What `ready` answers for a value the request's loader does not hold yet."""


PENDING = Pending()


def ready(loader: DataLoader[K, T], key: K) -> T | Pending:
    """The value `loader` already holds for `key` (primed, or loaded earlier in the
    request), or PENDING."""
    future = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled() or future.exception():
        return PENDING
    return future.result()


def at_once(loader: DataLoader[K, T], key: K, shape: Callable[[T], R]) -> R | Awaitable[R]:
    """`shape` of the loaded value: at once when the loader holds it, else awaitable.

    For resolvers written as plain functions: graphql-core awaits an awaitable that a
    resolver returns, and a value returned at once spares it a task and a gather. A feed
    page's posts prime their loaders (resolvers/feed.py): its 20 posts' partners, logos,
    images and likes were 80 coroutines, most of graphql-core's work on the page."""
    value = ready(loader, key)
    if isinstance(value, Pending):
        return _shaped(loader.load(key), shape)
    return shape(value)


async def _shaped(loading: Awaitable[T], shape: Callable[[T], R]) -> R:
    return shape(await loading)


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


async def _followed(keys: Sequence[tuple[UUID, UUID]]) -> list[bool]:
    """Keys are (user, partner); a request has one viewer, so this is one query."""
    followed: set[tuple[UUID, UUID]] = set()
    for user_id in {user for user, _ in keys}:
        partners = [partner for user, partner in keys if user == user_id]
        for partner_id in await Follow.filter(user_id=user_id, partner_id__in=partners).values_list(
            "partner_id", flat=True
        ):
            followed.add((user_id, partner_id))
    return [key in followed for key in keys]


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


async def _bon_plan_use_counts(offer_ids: Sequence[UUID]) -> list[int]:
    counts = await use_counts(list(offer_ids))
    return [counts.get(i, 0) for i in offer_ids]


class Loaders:
    """The request's DataLoaders, each made on first use: most requests (a till's lookup
    and debit) use none, and each loader left behind is garbage for the cyclic collector."""

    @cached_property
    def user(self) -> DataLoader[UUID, User | None]:
        return DataLoader(_users)

    @cached_property
    def partner(self) -> DataLoader[UUID, Partner | None]:
        return DataLoader(_partners)

    @cached_property
    def delegates_by_partner(self) -> DataLoader[UUID, list[Delegate]]:
        return DataLoader(_delegates_by_partner)

    @cached_property
    def delegations_by_user(self) -> DataLoader[UUID, list[Delegate]]:
        return DataLoader(_delegations_by_user)

    @cached_property
    def image(self) -> DataLoader[UUID, Image | None]:
        return DataLoader(_images)

    @cached_property
    def offer(self) -> DataLoader[UUID, Offer | None]:
        return DataLoader(_offers)

    @cached_property
    def offer_revision(self) -> DataLoader[UUID, OfferRevision | None]:
        return DataLoader(_offer_revisions)

    @cached_property
    def images_by_post(self) -> DataLoader[UUID, list[Image]]:
        return DataLoader(_images_by_post)

    @cached_property
    def liked(self) -> DataLoader[tuple[UUID, UUID], bool]:
        return DataLoader(_liked)

    @cached_property
    def followed(self) -> DataLoader[tuple[UUID, UUID], bool]:
        return DataLoader(_followed)

    @cached_property
    def partner_profile(self) -> DataLoader[UUID, PartnerProfile | None]:
        return DataLoader(_profiles)

    @cached_property
    def upcoming_opening_exceptions(self) -> DataLoader[UUID, list[OpeningException]]:
        return DataLoader(_upcoming_exceptions)

    @cached_property
    def bon_plan_use_count(self) -> DataLoader[UUID, int]:
        return DataLoader(_bon_plan_use_counts)
