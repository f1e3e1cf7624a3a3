"""Who may see which deal or event: one rule for every query that can return an offer.

Young people see published offers that are not withdrawn and valid today (Paris date), so
an expired offer disappears without anyone touching it. Tourism and professional insertion
are for 18–25s only, from the birth date; anyone without one (anonymous visitors, delegates
looking at other partners) sees only the themes for everyone. A partner's delegates see
their own offers whatever their state; staff see everything.

The search filters with `visible_offers_filter`, the feed with `public_offers_conditions`
(the public rule written into its one statement); a single offer is checked with
`may_see`; the promo code with `may_read_promo_code`. At the till, the same rule decides which
of the partner's deals a card's holder may use (`usable_deals_filter`, `holder_may_use`),
with the holder's age from the card's birth date instead of the viewer's.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from tortoise.expressions import Q

from domain.accounts.viewer import Viewer
from domain.core import clock
from models.offers import Offer, OfferKind, OfferTheme
from models.sql import Sql

ADULT_THEMES = frozenset({OfferTheme.TOURISME, OfferTheme.INSERTION_PROFESSIONNELLE})
YOUTH_AGES = (11, 25)
ADULT_AGE = 18


def is_adults_only(theme: OfferTheme | str | None) -> bool:
    return theme is not None and OfferTheme(theme) in ADULT_THEMES


def _age(viewer: Viewer, today: date) -> int | None:
    if not viewer.is_young_person or viewer.signed_in_user.birth_date is None:
        return None
    return clock.age_on(viewer.signed_in_user.birth_date, today)


def is_adult_youth(age: int | None) -> bool:
    """18 to 25: the ages the 18–25 themes are for."""
    return age is not None and ADULT_AGE <= age <= YOUTH_AGES[1]


def sees_adult_themes(viewer: Viewer, today: date) -> bool:
    """An 18–25 young person, from the birth date."""
    return is_adult_youth(_age(viewer, today))


def is_insider(viewer: Viewer, partner_id: UUID | str) -> bool:
    """Staff, or a delegate (any permission) of the offer's partner."""
    return viewer.is_staff or viewer.delegation(partner_id) is not None


def public_offers_filter(viewer: Viewer, today: date) -> Q:
    """What is on show to this viewer as a member of the public, today."""
    shown = Q(
        published_revision_id__isnull=False,
        withdrawn_at__isnull=True,
        valid_from__lte=today,
        valid_until__gte=today,
    )
    if not sees_adult_themes(viewer, today):
        shown &= Q(adults_only=False)
    return shown


def public_offers_conditions(viewer: Viewer, today: date, query: Sql, alias: str) -> list[str]:
    """`public_offers_filter` as the conditions of a statement written by hand, on the
    offers table under `alias` (tests/domain/offers/test_visibility.py checks that both
    keep the same offers)."""
    day = query(today)
    shown = [
        f"{alias}.published_revision_id IS NOT NULL",
        f"{alias}.withdrawn_at IS NULL",
        f"{alias}.valid_from <= {day}",
        f"{alias}.valid_until >= {day}",
    ]
    if not sees_adult_themes(viewer, today):
        shown.append(f"{alias}.adults_only = {query(False)}")
    return shown


def visible_offers_filter(viewer: Viewer, today: date) -> Q:
    """A filter on `Offer` for every query returning offers (search, map, feed, lists)."""
    if viewer.is_staff:
        return Q()
    shown = public_offers_filter(viewer, today)
    if viewer.delegations:
        return shown | Q(partner_id__in=list(viewer.delegations))
    return shown


def is_on_show(viewer: Viewer, offer: Offer, today: date) -> bool:
    """`public_offers_filter` for one loaded offer."""
    return (
        offer.published_revision_id is not None
        and offer.withdrawn_at is None
        and offer.valid_from is not None
        and offer.valid_until is not None
        and offer.valid_from <= today <= offer.valid_until
        and (not offer.adults_only or sees_adult_themes(viewer, today))
    )


def may_see(viewer: Viewer, offer: Offer, today: date) -> bool:
    """`visible_offers_filter` for one loaded offer."""
    return is_insider(viewer, offer.partner_id) or is_on_show(viewer, offer, today)


def may_read_promo_code(viewer: Viewer, offer: Offer, today: date) -> bool:
    """A signed-in young person of the card's ages to whom the offer is on show; and the
    partner's own people and staff, who wrote or check it."""
    if is_insider(viewer, offer.partner_id):
        return True
    age = _age(viewer, today)
    return (
        age is not None
        and YOUTH_AGES[0] <= age <= YOUTH_AGES[1]
        and is_on_show(viewer, offer, today)
    )


def usable_deals_filter(partner_id: UUID, holder_age: int, today: date) -> Q:
    """The partner's deals a card's holder of `holder_age` may use today, « sur présentation
    de leur carte »: those on show to them as to a signed-in young person of that age."""
    usable = Q(partner_id=partner_id, kind=OfferKind.DEAL) & Q(
        published_revision_id__isnull=False,
        withdrawn_at__isnull=True,
        valid_from__lte=today,
        valid_until__gte=today,
    )
    if not is_adult_youth(holder_age):
        usable &= Q(adults_only=False)
    return usable


def deal_on_show(offer: Offer, today: date) -> bool:
    """A deal published, not withdrawn and valid today: usable by someone of the right age."""
    return (
        offer.kind == OfferKind.DEAL
        and offer.published_revision_id is not None
        and offer.withdrawn_at is None
        and offer.valid_from is not None
        and offer.valid_until is not None
        and offer.valid_from <= today <= offer.valid_until
    )


def age_allows(offer: Offer, holder_age: int) -> bool:
    """The 18–25 themes (tourism, professional insertion) are for 18–25s only."""
    return not offer.adults_only or is_adult_youth(holder_age)


def holder_may_use(offer: Offer, holder_age: int, today: date) -> bool:
    """`usable_deals_filter` for one loaded offer (the partner aside)."""
    return deal_on_show(offer, today) and age_allows(offer, holder_age)
