"""Resolvers for editing a partner's profile: read the input, call domain.partners.profiles,
answer with the models (schema/partner_profiles.py shapes them); a refused rule raises
DomainError."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any
from uuid import UUID

import strawberry

from domain.accounts.viewer import Viewer
from domain.core.errors import invalid, not_found
from domain.partners import profiles as partner_profiles
from domain.partners.opening_hours import Weekday
from domain.partners.profiles import UNCHANGED, Address, ProfileChanges
from models.partners import DelegatePermission, Partner
from models.social import OpeningException
from resolvers.arguments import parse_id
from resolvers.context import Info
from resolvers.permissions import Rule

if TYPE_CHECKING:
    from datetime import date


def _given(value: Any, convert=lambda v: v) -> Any:
    """UNSET (left out) keeps the field; anything else, null included, is converted."""
    return UNCHANGED if value is strawberry.UNSET else convert(value)


def _ranges(ranges: list[Any] | None) -> list[tuple[str, str]]:
    return [(r.opens, r.closes) for r in ranges or []]


def _week(days: list | None) -> dict[Weekday, list[tuple[str, str]]]:
    week: dict[Weekday, list[tuple[str, str]]] = {}
    for day in days or []:
        if Weekday(day.day) in week:
            raise invalid("weeklyHours", "Un jour est donné deux fois : regroupez ses plages.")
        week[Weekday(day.day)] = _ranges(day.ranges)
    return week


def _image_id(value: object, field: str) -> UUID | None:
    return None if value is None else parse_id(value, field)


def profile_changes(input: Any) -> ProfileChanges:
    """`input` is a PartnerProfileInput; its `TimeRangeInput`s give `opens` and `closes`."""
    address = input.address
    return ProfileChanges(
        description=_given(input.description, lambda v: v or ""),
        address=_given(address, lambda a: a and Address(a.street, a.postal_code, a.city)),
        phone=_given(input.phone),
        contact_email=_given(input.contact_email),
        website=_given(input.website),
        logo_id=_given(input.logo_id, lambda v: _image_id(v, "logoId")),
        banner_id=_given(input.banner_id, lambda v: _image_id(v, "bannerId")),
        weekly_hours=_given(input.weekly_hours, _week),
        closed_on_public_holidays=_given(input.closed_on_public_holidays, bool),
        accessibility=_given(input.accessibility, lambda v: list(v or [])),
        accessibility_notes=_given(input.accessibility_notes),
        categories=_given(input.categories, lambda v: list(v or [])),
    )


def _forget_cached_profile(info: Info, partner_id: UUID) -> None:
    """The answer shows the partner as it is now, not as read earlier in the request."""
    loaders = info.context.loaders
    for loader in (loaders.partner_profile, loaders.upcoming_opening_exceptions, loaders.partner):
        with contextlib.suppress(KeyError):  # not loaded yet
            loader.clear(partner_id)


async def _partner(info: Info, partner_id: UUID) -> Partner:
    _forget_cached_profile(info, partner_id)
    partner = await info.context.loaders.partner.load(partner_id)
    if partner is None:
        raise not_found("Partenaire")
    return partner


async def update_partner_profile(info: Info, partner_id: strawberry.ID, input: Any) -> Partner:
    owner = parse_id(partner_id, "partnerId")
    await partner_profiles.update_profile(info.context.viewer, owner, profile_changes(input))
    return await _partner(info, owner)


async def move_partner_pin(
    info: Info, partner_id: strawberry.ID, latitude: float, longitude: float
) -> Partner:
    owner = parse_id(partner_id, "partnerId")
    await partner_profiles.move_pin(info.context.viewer, owner, latitude, longitude)
    return await _partner(info, owner)


async def add_opening_exception(
    info: Info,
    partner_id: strawberry.ID,
    starts_on: date,
    ends_on: date,
    label: str,
    hours: list[Any],
) -> tuple[OpeningException, Partner]:
    owner = parse_id(partner_id, "partnerId")
    exception = await partner_profiles.add_opening_exception(
        info.context.viewer, owner, starts_on, ends_on, label, _ranges(hours)
    )
    return exception, await _partner(info, owner)


async def remove_opening_exception(info: Info, id: strawberry.ID) -> Partner:
    owner = await partner_profiles.remove_opening_exception(info.context.viewer, parse_id(id, "id"))
    return await _partner(info, owner)


def delegate_of_opening_exception_argument(argument: str = "id") -> Rule:
    """A delegate, with the profile permission, of the partner the period belongs to."""

    async def check(viewer: Viewer, source: Any, kwargs: dict[str, Any]) -> bool:
        if not viewer.delegations:
            return False
        try:
            exception_id = UUID(str(kwargs.get(argument)))
        except ValueError:
            return False
        partner_id = await OpeningException.filter(id=exception_id).values_list(
            "partner_id", flat=True
        )
        return bool(partner_id) and viewer.may_act_for(partner_id[0], DelegatePermission.PROFILE)

    return Rule(f"delegate with profile of the partner of the period {argument}", check)
