"""Partner profiles: what a partner shows the young people, edited by its delegates with the
profile permission (or by support staff), every change in the audit trail.

A profile row is created the first time it is needed. An update is partial: only the fields
given change, everything is checked before anything is written, and the audit entry holds
the before and after of the fields that really changed. A new address is geocoded (outside
the transaction: it is a network call) and replaces the pin, even one the partner moved;
when the address base does not answer, the pin goes to the commune's centre at once and a
job moves it to the address later. Every change kicks the map index's sync after the commit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum, StrEnum
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from tortoise.exceptions import IntegrityError

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, forbidden, invalid, not_found
from domain.core.search_index import SYNC_PARTNER_JOB
from domain.core.text import clean_text, has_hidden_character
from domain.core.transactions import after_commit, atomic
from domain.partners.opening_hours import (
    HOLIDAYS_KEY,
    WEEKDAYS,
    ExceptionalDays,
    Schedule,
    Weekday,
    clean_ranges,
    clean_week,
)
from infra.geocoding import (
    GeocoderUnavailable,
    GeocodingError,
    GeoPoint,
    OfflineGeocoder,
    current_geocoder,
)
from infra.geocoding import in_departement as in_bounding_box
from infra.jobs import enqueue
from models.accounts import StaffRole
from models.partners import DelegatePermission, Partner, PartnerCategory
from models.social import Image, ImagePurpose, LocationSource, OpeningException, PartnerProfile

REFINE_PARTNER_PIN_JOB = "geocoding.refine_partner_pin"

MAX_DESCRIPTION = 5000
MAX_ACCESSIBILITY_NOTES = 1000
MAX_EXCEPTION_DAYS = 366

_POSTAL_CODE_13 = re.compile(r"^13[0-9]{3}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-/]|\(0\)")
_PHONE = re.compile(r"^(?:0|\+33|0033)([1-9][0-9]{8})$")


class AccessibilityType(StrEnum):
    MOTOR = "motor"
    HEARING = "hearing"
    VISUAL = "visual"
    MENTAL = "mental"


class Unchanged(Enum):
    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


@dataclass(frozen=True)
class Address:
    street: str
    postal_code: str
    city: str


@dataclass(frozen=True)
class ProfileChanges:
    """What to change; a field left UNCHANGED keeps its value. None clears what can be cleared."""

    description: str | Unchanged = UNCHANGED
    address: Address | Unchanged | None = UNCHANGED
    phone: str | Unchanged | None = UNCHANGED
    contact_email: str | Unchanged | None = UNCHANGED
    website: str | Unchanged | None = UNCHANGED
    logo_id: UUID | Unchanged | None = UNCHANGED
    banner_id: UUID | Unchanged | None = UNCHANGED
    weekly_hours: dict[Weekday, list[tuple[str, str]]] | Unchanged = UNCHANGED
    closed_on_public_holidays: bool | Unchanged = UNCHANGED
    accessibility: list[AccessibilityType] | Unchanged = UNCHANGED
    accessibility_notes: str | Unchanged | None = UNCHANGED
    categories: list[PartnerCategory] | Unchanged = UNCHANGED


# Audit key (the GraphQL name) -> PartnerProfile attribute, for the plain fields.
_PLAIN_FIELDS = {
    "description": "description",
    "street": "street",
    "postalCode": "postal_code",
    "city": "city",
    "phone": "phone",
    "contactEmail": "contact_email",
    "website": "website",
    "logoId": "logo_id",
    "bannerId": "banner_id",
    "accessibility": "accessibility",
    "accessibilityNotes": "accessibility_notes",
}
_ADDRESS_KEYS = ("street", "postalCode", "city")


# --- who may edit --------------------------------------------------------------------------


def may_edit_profile(viewer: Viewer, partner_id: UUID) -> bool:
    return viewer.may_act_for(partner_id, DelegatePermission.PROFILE) or viewer.has_staff_role(
        StaffRole.SUPPORT
    )


def _check_may_edit(viewer: Viewer, partner_id: UUID) -> None:
    if not may_edit_profile(viewer, partner_id):
        raise forbidden("Il faut la permission « profil » de ce partenaire.")


async def profile_of(partner_id: UUID) -> PartnerProfile:
    """The partner's profile, created empty the first time (call it outside a transaction)."""
    profile = await PartnerProfile.get_or_none(partner_id=partner_id)
    if profile is not None:
        return profile
    try:
        async with atomic():
            return await PartnerProfile.create(partner_id=partner_id)
    except IntegrityError:  # created meanwhile by another request
        return await PartnerProfile.get(partner_id=partner_id)


async def _existing_partner(partner_id: UUID) -> None:
    if not await Partner.exists(id=partner_id):
        raise not_found("Partenaire")


# --- checking what is asked ----------------------------------------------------------------


def clean_phone(value: str) -> str:
    """A French number as +33 and nine digits; empty clears it."""
    compact = _PHONE_SEPARATORS.sub("", value.strip())
    if not compact:
        return ""
    match = _PHONE.match(compact)
    if not match:
        raise invalid(
            "phone",
            "Numéro de téléphone invalide : un numéro français à 10 chiffres "
            "(04 91 00 00 00) ou au format international (+33 4 91 00 00 00).",
        )
    return "+33" + match.group(1)


def clean_email(value: str) -> str:
    email = value.strip().lower()
    if email and (len(email) > 254 or not _EMAIL.match(email) or has_hidden_character(email)):
        raise invalid("contactEmail", "Adresse e-mail de contact invalide.")
    return email


def clean_website(value: str) -> str:
    url = value.strip()
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if (
        parts.scheme not in {"http", "https"}
        or "." not in host
        or any(c.isspace() for c in url)
        or has_hidden_character(url)
        or len(url) > 300
    ):
        raise invalid(
            "website", "Adresse de site web invalide : par exemple https://www.mon-club.fr."
        )
    return url


def clean_address(address: Address) -> Address:
    street = clean_text("street", address.street, max_length=200)
    postal_code = address.postal_code.strip()
    city = clean_text("city", address.city, max_length=100)
    if not _POSTAL_CODE_13.match(postal_code):
        raise invalid(
            "postalCode", "Le code postal doit être celui d'une commune des Bouches-du-Rhône (13…)."
        )
    return Address(street, postal_code, city)


async def _checked_image(
    partner_id: UUID, image_id: UUID | None, purpose: ImagePurpose, field: str
) -> UUID | None:
    if image_id is not None and not await Image.exists(
        id=image_id, partner_id=partner_id, purpose=purpose
    ):
        what = "Le logo" if purpose == ImagePurpose.LOGO else "La bannière"
        raise invalid(field, f"{what} doit être une image envoyée pour ce partenaire comme {what}.")
    return image_id


async def _wanted(partner_id: UUID, changes: ProfileChanges) -> dict[str, Any]:
    """The new values by audit key, all checked; raises before anything is written."""
    wanted: dict[str, Any] = {}
    if changes.description is not UNCHANGED:
        wanted["description"] = clean_text(
            "description",
            changes.description,
            max_length=MAX_DESCRIPTION,
            multiline=True,
            required=False,
        )
    if changes.address is not UNCHANGED:
        address = clean_address(changes.address) if changes.address else Address("", "", "")
        wanted.update(street=address.street, postalCode=address.postal_code, city=address.city)
    if changes.phone is not UNCHANGED:
        wanted["phone"] = clean_phone(changes.phone or "")
    if changes.contact_email is not UNCHANGED:
        wanted["contactEmail"] = clean_email(changes.contact_email or "")
    if changes.website is not UNCHANGED:
        wanted["website"] = clean_website(changes.website or "")
    if changes.logo_id is not UNCHANGED:
        wanted["logoId"] = await _checked_image(
            partner_id, changes.logo_id, ImagePurpose.LOGO, "logoId"
        )
    if changes.banner_id is not UNCHANGED:
        wanted["bannerId"] = await _checked_image(
            partner_id, changes.banner_id, ImagePurpose.BANNER, "bannerId"
        )
    if changes.weekly_hours is not UNCHANGED:
        wanted["weeklyHours"] = clean_week(changes.weekly_hours)
    if changes.closed_on_public_holidays is not UNCHANGED:
        wanted["closedOnPublicHolidays"] = bool(changes.closed_on_public_holidays)
    if changes.accessibility is not UNCHANGED:
        wanted["accessibility"] = sorted(
            {AccessibilityType(t).value for t in changes.accessibility}
        )
    if changes.accessibility_notes is not UNCHANGED:
        wanted["accessibilityNotes"] = clean_text(
            "accessibilityNotes",
            changes.accessibility_notes,
            max_length=MAX_ACCESSIBILITY_NOTES,
            multiline=True,
            required=False,
        )
    if changes.categories is not UNCHANGED:
        if not changes.categories:
            raise invalid("categories", "Choisissez au moins une catégorie.")
        wanted["categories"] = sorted({PartnerCategory(c).value for c in changes.categories})
    return wanted


# --- the map position ----------------------------------------------------------------------


def _address_of(profile: PartnerProfile) -> tuple[str, str, str]:
    return profile.street, profile.postal_code, profile.city


def _location(profile: PartnerProfile) -> dict[str, Any] | None:
    if profile.latitude is None:
        return None
    source = profile.location_source
    return {
        "latitude": profile.latitude,
        "longitude": profile.longitude,
        "source": source.value if source else None,
    }


async def _geocoded(
    street: str, postal_code: str, city: str
) -> tuple[GeoPoint | None, LocationSource]:
    """The address's position; when the address base does not answer, its commune's centre
    for now (refined by REFINE_PARTNER_PIN_JOB after the commit)."""
    if not postal_code:
        return None, LocationSource.GEOCODED  # no address, no pin
    try:
        return await current_geocoder().geocode(street, postal_code, city), LocationSource.GEOCODED
    except GeocoderUnavailable:
        centre = await OfflineGeocoder().geocode(street, postal_code, city)
        if centre is None:
            raise DomainError(
                ErrorCode.ADDRESS_NOT_FOUND,
                "Cette commune n'est pas dans les Bouches-du-Rhône : vérifiez le code postal.",
                "postalCode",
            ) from None
        return centre, LocationSource.COMMUNE_CENTRE
    except GeocodingError as error:
        raise DomainError(ErrorCode.ADDRESS_NOT_FOUND, error.message, "street") from None


async def _after_commit_sync(partner_id: UUID, *, refine_pin: bool = False) -> None:
    """The map index follows the profile; an approximate pin is refined outside the request."""
    key = str(partner_id)
    await after_commit(lambda: enqueue(SYNC_PARTNER_JOB, key))
    if refine_pin:
        await after_commit(lambda: enqueue(REFINE_PARTNER_PIN_JOB, key))


def _set_point(profile: PartnerProfile, point: GeoPoint | None, source: LocationSource) -> None:
    if point is None:
        profile.latitude = profile.longitude = profile.location_source = None
        return
    profile.latitude = round(point.latitude, 6)
    profile.longitude = round(point.longitude, 6)
    profile.location_source = source


# --- changing the profile ------------------------------------------------------------------


def _audit_value(value: Any) -> Any:
    return str(value) if isinstance(value, UUID) else value


def _week_and_flag(weekly_hours: dict[str, Any]) -> tuple[dict[str, list[list[str]]], bool]:
    days = {d.value: weekly_hours[d.value] for d in WEEKDAYS if weekly_hours.get(d.value)}
    return days, bool(weekly_hours.get(HOLIDAYS_KEY))


async def update_profile(
    viewer: Viewer, partner_id: UUID, changes: ProfileChanges
) -> PartnerProfile:
    _check_may_edit(viewer, partner_id)
    await _existing_partner(partner_id)
    wanted = await _wanted(partner_id, changes)
    profile = await profile_of(partner_id)
    current = _address_of(profile)
    new_address = tuple(wanted.get(k, v) for k, v in zip(_ADDRESS_KEYS, current, strict=True))
    point: GeoPoint | Unchanged | None = UNCHANGED
    source = LocationSource.GEOCODED
    if new_address != _address_of(profile):
        point, source = await _geocoded(*new_address)

    async with atomic():
        profile = await PartnerProfile.filter(id=profile.id).select_for_update().get()
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        address_before, location_before = _address_of(profile), _location(profile)
        changed: list[str] = []  # never followers_count, kept by follows in their own way
        for key, attribute in _PLAIN_FIELDS.items():
            if key in wanted and getattr(profile, attribute) != wanted[key]:
                before[key] = _audit_value(getattr(profile, attribute))
                after[key] = _audit_value(wanted[key])
                setattr(profile, attribute, wanted[key])
                changed.append(attribute)
        if _apply_week(profile, wanted, before, after):
            changed.append("weekly_hours")
        if _address_of(profile) != address_before:
            if point is UNCHANGED:  # the address changed under us since it was read
                raise DomainError(
                    ErrorCode.INVALID_STATE,
                    "Le profil vient d'être modifié par quelqu'un d'autre : réessayez.",
                )
            _set_point(profile, point, source)
            if _location(profile) != location_before:
                before["location"], after["location"] = location_before, _location(profile)
                changed += ["latitude", "longitude", "location_source"]
        if "categories" in wanted:
            await _apply_categories(partner_id, wanted["categories"], before, after)
        if changed:
            await profile.save(update_fields=[*changed, "updated_at"])
        if after:
            await record(
                viewer,
                "partner.profile_updated",
                profile,
                partner_id=partner_id,
                before=before,
                after=after,
            )
            await _after_commit_sync(
                partner_id, refine_pin=profile.location_source == LocationSource.COMMUNE_CENTRE
            )
    return profile


def _apply_week(
    profile: PartnerProfile, wanted: dict[str, Any], before: dict[str, Any], after: dict[str, Any]
) -> bool:
    days, closed_on_holidays = _week_and_flag(profile.weekly_hours)
    new_days = wanted.get("weeklyHours", days)
    new_flag = wanted.get("closedOnPublicHolidays", closed_on_holidays)
    if new_days != days:
        before["weeklyHours"], after["weeklyHours"] = days, new_days
    if new_flag != closed_on_holidays:
        before["closedOnPublicHolidays"], after["closedOnPublicHolidays"] = (
            closed_on_holidays,
            new_flag,
        )
    if new_days == days and new_flag == closed_on_holidays:
        return False
    profile.weekly_hours = {**new_days, HOLIDAYS_KEY: True} if new_flag else dict(new_days)
    return True


async def _apply_categories(
    partner_id: UUID, categories: list[str], before: dict[str, Any], after: dict[str, Any]
) -> None:
    partner = await Partner.filter(id=partner_id).select_for_update().get()
    if sorted(partner.categories) != categories:
        before["categories"], after["categories"] = sorted(partner.categories), categories
        partner.categories = categories
        await partner.save(update_fields=["categories", "updated_at"])


async def move_pin(
    viewer: Viewer, partner_id: UUID, latitude: float, longitude: float
) -> PartnerProfile:
    """The partner puts its pin where it really is, inside the département."""
    _check_may_edit(viewer, partner_id)
    await _existing_partner(partner_id)
    if not (math.isfinite(latitude) and math.isfinite(longitude)) or not in_bounding_box(
        latitude, longitude
    ):
        raise invalid(
            "location",
            "Le repère doit rester dans les Bouches-du-Rhône : déplacez-le sur votre adresse.",
        )
    profile = await profile_of(partner_id)
    async with atomic():
        profile = await PartnerProfile.filter(id=profile.id).select_for_update().get()
        location_before = _location(profile)
        _set_point(profile, GeoPoint(latitude, longitude, "", 1.0), LocationSource.MOVED_BY_PARTNER)
        if _location(profile) != location_before:
            await profile.save(
                update_fields=["latitude", "longitude", "location_source", "updated_at"]
            )
            await record(
                viewer,
                "partner.pin_moved",
                profile,
                partner_id=partner_id,
                before={"location": location_before},
                after={"location": _location(profile)},
            )
            await _after_commit_sync(partner_id)
    return profile


# --- exceptional days ----------------------------------------------------------------------


def _exception_snapshot(exception: OpeningException) -> dict[str, Any]:
    return {
        "startsOn": exception.starts_on.isoformat(),
        "endsOn": exception.ends_on.isoformat(),
        "label": exception.label,
        "hours": exception.hours,
    }


async def add_opening_exception(
    viewer: Viewer,
    partner_id: UUID,
    starts_on: date,
    ends_on: date,
    label: str,
    hours: list[tuple[str, str]],
) -> OpeningException:
    """A closure (no hours) or special hours over days; periods of a partner never overlap."""
    _check_may_edit(viewer, partner_id)
    await _existing_partner(partner_id)
    if ends_on < starts_on:
        raise invalid("endsOn", "La date de fin précède la date de début.")
    if ends_on < clock.paris_today():
        raise invalid("endsOn", "Cette période est déjà passée.")
    if ends_on - starts_on >= timedelta(days=MAX_EXCEPTION_DAYS):
        raise invalid("endsOn", "Une période exceptionnelle dure au plus un an.")
    label = clean_text("label", label, max_length=100, required=False)
    cleaned_hours = clean_ranges(hours, "hours")
    profile = await profile_of(partner_id)
    async with atomic():
        # Lock the profile: two periods added at once cannot both miss each other.
        await PartnerProfile.filter(id=profile.id).select_for_update().get()
        if await OpeningException.exists(
            partner_id=partner_id, starts_on__lte=ends_on, ends_on__gte=starts_on
        ):
            raise invalid(
                "startsOn",
                "Cette période chevauche une autre période exceptionnelle : "
                "supprimez l'autre d'abord.",
            )
        exception = await OpeningException.create(
            partner_id=partner_id,
            starts_on=starts_on,
            ends_on=ends_on,
            label=label,
            hours=cleaned_hours,
        )
        await record(
            viewer,
            "partner.opening_exception_added",
            exception,
            partner_id=partner_id,
            after=_exception_snapshot(exception),
        )
    return exception


async def remove_opening_exception(viewer: Viewer, exception_id: UUID) -> UUID:
    """Returns the partner's id."""
    async with atomic():
        exception = await OpeningException.filter(id=exception_id).select_for_update().first()
        if exception is None or not may_edit_profile(viewer, exception.partner_id):
            # Someone else's period is as unknown as a missing one.
            raise not_found("Période exceptionnelle")
        await exception.delete()
        await record(
            viewer,
            "partner.opening_exception_removed",
            exception,
            partner_id=exception.partner_id,
            before=_exception_snapshot(exception),
        )
    return exception.partner_id


# --- reading -------------------------------------------------------------------------------


def schedule_of(profile: PartnerProfile | None, exceptions: list[OpeningException]) -> Schedule:
    return Schedule.from_stored(
        profile.weekly_hours if profile else {},
        [ExceptionalDays(e.starts_on, e.ends_on, e.hours) for e in exceptions],
    )
