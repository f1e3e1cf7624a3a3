"""Types for a partner's public profile (shown as fields of `Partner`), its inputs, and the
mutations that edit it.

`PartnerProfileMutations` is composed into the root Mutation (schema/root.py); its fields
carry their rules: support staff, or a delegate with the `profile` permission of the partner.
The profile's fields themselves live on `Partner` (schema/partners.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.partners.opening_hours import WEEKDAYS
from domain.partners.opening_hours import OpeningState as OpeningStateModel
from domain.partners.opening_hours import Weekday as WeekdayModel
from domain.partners.profiles import AccessibilityType as AccessibilityTypeModel
from models.accounts import StaffRole
from models.partners import DelegatePermission
from models.partners import Partner as PartnerModel
from models.social import LocationSource as LocationSourceModel
from models.social import OpeningException as OpeningExceptionModel
from models.social import PartnerProfile as PartnerProfileModel
from resolvers import partner_profiles
from resolvers.context import Info
from resolvers.permissions import allow, delegate_of_argument, staff
from schema.errors import UserError, user_errors

if TYPE_CHECKING:
    from schema.partners import Partner, PartnerCategory

Weekday = strawberry.enum(WeekdayModel, name="Weekday")
AccessibilityType = strawberry.enum(
    AccessibilityTypeModel,
    name="AccessibilityType",
    description="The four kinds of disability a place may be accessible to.",
)
LocationSource = strawberry.enum(LocationSourceModel, name="LocationSource")

LazyPartner = Annotated["Partner", strawberry.lazy("schema.partners")]
LazyCategory = Annotated["PartnerCategory", strawberry.lazy("schema.partners")]


# --- what the profile shows ----------------------------------------------------------------


@strawberry.type(description="Open from `opens` (included) to `closes` (excluded), Paris time.")
class TimeRange:
    opens: str = strawberry.field(description='"HH:MM".')
    closes: str = strawberry.field(description='"HH:MM"; "24:00" is midnight at the end.')

    @classmethod
    def list_of(cls, ranges: list[list[str]]) -> list[TimeRange]:
        return [cls(opens=start, closes=end) for start, end in ranges]


@strawberry.type(description="One day of the usual week; no ranges: closed.")
class DayHours:
    day: Weekday
    ranges: list[TimeRange]

    @classmethod
    def week_of(cls, profile: PartnerProfileModel | None) -> list[DayHours]:
        stored = profile.weekly_hours if profile else {}
        return [cls(day=d, ranges=TimeRange.list_of(stored.get(d.value) or [])) for d in WEEKDAYS]


@strawberry.type(description="Closed, or special hours, from `startsOn` to `endsOn` included.")
class OpeningException:
    id: strawberry.ID
    starts_on: date
    ends_on: date
    label: str
    ranges: list[TimeRange] = strawberry.field(description="Empty: closed on those days.")

    @classmethod
    def from_model(cls, exception: OpeningExceptionModel) -> OpeningException:
        return cls(
            id=strawberry.ID(str(exception.id)),
            starts_on=exception.starts_on,
            ends_on=exception.ends_on,
            label=exception.label,
            ranges=TimeRange.list_of(exception.hours),
        )


@strawberry.type(description="Open or closed at an instant, and when that changes next.")
class OpeningState:
    is_open: bool
    next_change_at: datetime | None = strawberry.field(
        description="Null: no change in the coming year (always open, or no hours given)."
    )

    @classmethod
    def from_domain(cls, state: OpeningStateModel) -> OpeningState:
        return cls(is_open=state.is_open, next_change_at=state.next_change_at)


@strawberry.type
class PartnerAddress:
    street: str
    postal_code: str
    city: str


@strawberry.type
class Accessibility:
    types: list[AccessibilityType]
    notes: str


@strawberry.type(description="The partner's pin on the map.")
class MapLocation:
    latitude: float
    longitude: float
    source: LocationSource


# --- what a delegate sends ------------------------------------------------------------------


@strawberry.input
class TimeRangeInput:
    opens: str = strawberry.field(description='"HH:MM", from 00:00.')
    closes: str = strawberry.field(
        description='"HH:MM", up to 24:00, after `opens`: a night opening is split at midnight.'
    )


@strawberry.input
class DayHoursInput:
    day: Weekday
    ranges: list[TimeRangeInput]


@strawberry.input
class AddressInput:
    street: str
    postal_code: str = strawberry.field(description="A Bouches-du-Rhône postal code (13…).")
    city: str


@strawberry.input(
    description="Only the fields given change; null clears a field (except `categories`)."
)
class PartnerProfileInput:
    description: str | None = strawberry.UNSET
    address: AddressInput | None = strawberry.field(
        default=strawberry.UNSET, description="A new address is located again on the map."
    )
    phone: str | None = strawberry.UNSET
    contact_email: str | None = strawberry.UNSET
    website: str | None = strawberry.UNSET
    logo_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="An image of this partner uploaded as LOGO."
    )
    banner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="An image of this partner uploaded as BANNER."
    )
    weekly_hours: list[DayHoursInput] | None = strawberry.field(
        default=strawberry.UNSET, description="The whole week: a day left out is closed."
    )
    closed_on_public_holidays: bool | None = strawberry.UNSET
    accessibility: list[AccessibilityType] | None = strawberry.UNSET
    accessibility_notes: str | None = strawberry.UNSET
    categories: list[LazyCategory] | None = strawberry.UNSET


# --- answers ---------------------------------------------------------------------------------


@strawberry.type
class PartnerProfileSuccess:
    partner: LazyPartner


@strawberry.type
class OpeningExceptionSuccess:
    opening_exception: OpeningException
    partner: LazyPartner


PartnerProfileResult = Annotated[
    PartnerProfileSuccess | UserError, strawberry.union("PartnerProfileResult")
]
OpeningExceptionResult = Annotated[
    OpeningExceptionSuccess | UserError, strawberry.union("OpeningExceptionResult")
]


# --- the mutations ---------------------------------------------------------------------------

_EDITS_PROFILE = allow(
    staff(StaffRole.SUPPORT), delegate_of_argument("partner_id", DelegatePermission.PROFILE)
)


def _partner_answer(result: PartnerModel) -> PartnerProfileResult:
    from schema.partners import Partner

    return PartnerProfileSuccess(partner=Partner.from_model(result))


@strawberry.type
class PartnerProfileMutations:
    @strawberry.mutation(
        extensions=_EDITS_PROFILE,
        description=(
            "Edit the public profile (delegates with the `profile` permission, support staff). "
            "Everything is checked before anything changes; each change is audited."
        ),
    )
    @user_errors
    async def update_partner_profile(
        self, info: Info, partner_id: strawberry.ID, input: PartnerProfileInput
    ) -> PartnerProfileResult:
        return _partner_answer(
            await partner_profiles.update_partner_profile(info, partner_id, input)
        )

    @strawberry.mutation(
        extensions=_EDITS_PROFILE,
        description="Put the map pin where the partner really is (inside the Bouches-du-Rhône).",
    )
    @user_errors
    async def move_partner_pin(
        self, info: Info, partner_id: strawberry.ID, latitude: float, longitude: float
    ) -> PartnerProfileResult:
        return _partner_answer(
            await partner_profiles.move_partner_pin(info, partner_id, latitude, longitude)
        )

    @strawberry.mutation(
        extensions=_EDITS_PROFILE,
        description="A closure (no hours) or special hours over days; periods never overlap.",
    )
    @user_errors
    async def add_opening_exception(
        self,
        info: Info,
        partner_id: strawberry.ID,
        starts_on: date,
        ends_on: date,
        label: str = "",
        hours: list[TimeRangeInput] | None = None,
    ) -> OpeningExceptionResult:
        from schema.partners import Partner

        exception, partner = await partner_profiles.add_opening_exception(
            info, partner_id, starts_on, ends_on, label, hours or []
        )
        return OpeningExceptionSuccess(
            opening_exception=OpeningException.from_model(exception),
            partner=Partner.from_model(partner),
        )

    @strawberry.mutation(
        extensions=allow(
            staff(StaffRole.SUPPORT), partner_profiles.delegate_of_opening_exception_argument("id")
        )
    )
    @user_errors
    async def remove_opening_exception(self, info: Info, id: strawberry.ID) -> PartnerProfileResult:
        return _partner_answer(await partner_profiles.remove_opening_exception(info, id))
