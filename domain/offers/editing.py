"""Deals ("bons plans") and events: drafting and editing by a partner's delegates.

An offer's content lives in revisions. The working revision is the one the partner edits:
a draft is changed in place; once a revision has been decided (approved or rejected) an
edit starts a new draft, so the approved version stays on show until the new one is
approved, and a rejected one keeps its reason. A revision under review cannot change.

Every input is checked before anything is written (addresses are geocoded first, outside
the transaction); a refusal leaves everything as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.accounts.viewer import Viewer
from domain.core import clock, cursors
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, forbidden, invalid, not_found
from domain.core.images import image_for
from domain.core.money import parse_euros
from domain.core.text import clean_text
from domain.core.transactions import after_commit, atomic
from domain.offers.visibility import public_offers_filter
from infra.geocoding import OfflineGeocoder
from infra.jobs import enqueue
from infra.settings import get_settings
from models.offers import (
    DealType,
    EventKind,
    Offer,
    OfferKind,
    OfferRevision,
    OfferTheme,
    RevisionStatus,
)
from models.partners import DelegatePermission, Partner, PartnerStatus
from models.social import ImagePurpose

DEFAULT_CONDITIONS = "Sur présentation de la carte CJeune"
MAX_TITLE, MAX_DESCRIPTION, MAX_PRACTICAL, MAX_CONDITIONS = 200, 5000, 2000, 1000
MAX_VISUALS, MAX_PLACES, MAX_SESSIONS = 2, 10, 100
_POSTAL_CODE = re.compile(r"13[0-9]{3}")
PRECISION_COMMUNE = "commune"  # the commune's centre, until the address is geocoded
PRECISION_ADDRESS = "address"
REFINE_PLACES_JOB = "geocoding.refine_offer_places"


async def refine_places_later(revision_id: UUID, places: list[dict[str, Any]]) -> None:
    """After commit, a worker asks the address base for the places still at their commune."""
    if get_settings().geocoder == "ban" and any(
        p.get("precision") == PRECISION_COMMUNE for p in places
    ):
        await after_commit(lambda: enqueue(REFINE_PLACES_JOB, str(revision_id)))


def school_year_start(day: date) -> date:
    """1 September of the school year `day` belongs to (1 September – 31 August)."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


@dataclass(frozen=True)
class PlaceInput:
    street: str
    postal_code: str
    city: str
    label: str = ""


@dataclass(frozen=True)
class SessionInput:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class OfferChanges:
    """What a partner sends; None leaves a field as it is (at creation: not given)."""

    title: str | None = None
    description: str | None = None
    theme: OfferTheme | None = None
    deal_type: DealType | None = None
    discount_amount: str | None = None  # euros, "10,55"
    discount_percent: int | None = None
    promo_code: str | None = None
    event_kind: EventKind | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    sessions: list[SessionInput] | None = None
    places: list[PlaceInput] | None = None
    practical_info: str | None = None
    image_ids: list[UUID] | None = None
    conditions: str | None = None


# The revision's content columns, as compared, copied and audited.
CONTENT_FIELDS = (
    "title",
    "description",
    "theme",
    "deal_type",
    "event_kind",
    "discount_cents",
    "discount_percent",
    "promo_code",
    "conditions",
    "practical_info",
    "valid_from",
    "valid_until",
    "sessions",
    "places",
    "image_ids",
)
_DEAL_ONLY = ("deal_type", "discount_amount", "discount_percent", "promo_code")
_EVENT_ONLY = ("event_kind", "sessions")


def content_of(revision: OfferRevision) -> dict[str, Any]:
    return {name: getattr(revision, name) for name in CONTENT_FIELDS}


def _empty_content() -> dict[str, Any]:
    content: dict[str, Any] = dict.fromkeys(CONTENT_FIELDS)
    content.update(
        conditions=DEFAULT_CONDITIONS, practical_info="", sessions=[], places=[], image_ids=[]
    )
    return content


def for_audit(content: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in content.items()}


# --- checking each part ----------------------------------------------------------------------


def _check_kind_fields(kind: OfferKind, changes: OfferChanges) -> None:
    foreign = _EVENT_ONLY if kind == OfferKind.DEAL else (*_DEAL_ONLY, "valid_from", "valid_until")
    for name in foreign:
        if getattr(changes, name) is not None:
            what = "un bon plan" if kind == OfferKind.DEAL else "un événement"
            raise invalid(_camel(name), f"Ce champ ne s'applique pas à {what}.")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _apply_deal(content: dict[str, Any], changes: OfferChanges) -> None:
    if changes.deal_type is not None and changes.deal_type != content["deal_type"]:
        content.update(deal_type=changes.deal_type, discount_cents=None, discount_percent=None)
        content["promo_code"] = None
    if changes.discount_amount is not None:
        content["discount_cents"] = parse_euros(changes.discount_amount, "discountAmount")
    if changes.discount_percent is not None:
        if not 1 <= changes.discount_percent <= 100:
            raise invalid("discountPercent", "La réduction est un pourcentage de 1 à 100.")
        content["discount_percent"] = changes.discount_percent
    if changes.promo_code is not None:
        content["promo_code"] = clean_text("promoCode", changes.promo_code, max_length=64)
    needs = {
        DealType.DISCOUNT_EUROS: ("discount_cents", "discountAmount", "Indiquez le montant"),
        DealType.DISCOUNT_PERCENT: ("discount_percent", "discountPercent", "Indiquez le taux"),
        DealType.PROMO_CODE: ("promo_code", "promoCode", "Indiquez le code promo"),
    }
    for deal_type, (name, field, message) in needs.items():
        if content["deal_type"] == deal_type and content[name] is None:
            raise invalid(field, f"{message} de ce bon plan.")
        if content["deal_type"] != deal_type and content[name] is not None:
            raise invalid(field, "Ce champ ne correspond pas au type de bon plan choisi.")


def _apply_validity(content: dict[str, Any], changes: OfferChanges) -> None:
    if changes.valid_from is not None:
        content["valid_from"] = changes.valid_from
    if changes.valid_until is not None:
        content["valid_until"] = changes.valid_until
    starts, ends = content["valid_from"], content["valid_until"]
    if starts is None or ends is None:
        raise invalid("validFrom", "La période de validité du bon plan est obligatoire.")
    if ends < starts:
        raise invalid("validUntil", "La fin de validité précède son début.")
    if school_year_start(starts) != school_year_start(ends):
        first = school_year_start(starts)
        raise invalid(
            "validUntil",
            "Un bon plan est valable au plus jusqu'à la fin de l'année scolaire : du "
            f"1er septembre {first.year} au 31 août {first.year + 1}.",
        )


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # a time typed without offset is a Paris time
        moment = moment.replace(tzinfo=clock.PARIS)
    return moment.astimezone(UTC)


def _apply_sessions(content: dict[str, Any], sessions: list[SessionInput] | None) -> None:
    if sessions is not None:
        if not sessions:
            raise invalid("sessions", "Indiquez au moins une date pour l'événement.")
        if len(sessions) > MAX_SESSIONS:
            raise invalid("sessions", f"Au plus {MAX_SESSIONS} dates par événement.")
        spans = sorted((_as_utc(s.starts_at), _as_utc(s.ends_at)) for s in sessions)
        if any(end <= start for start, end in spans):
            raise invalid("sessions", "Chaque date doit finir après son début.")
        if any(end - start > timedelta(days=366) for start, end in spans):
            raise invalid("sessions", "Une date d'événement dure au plus un an.")
        content["sessions"] = [
            {"startsAt": start.isoformat(), "endsAt": end.isoformat()} for start, end in spans
        ]
    if not content["sessions"]:
        raise invalid("sessions", "Indiquez au moins une date pour l'événement.")
    starts = [datetime.fromisoformat(s["startsAt"]) for s in content["sessions"]]
    ends = [datetime.fromisoformat(s["endsAt"]) for s in content["sessions"]]
    content["valid_from"] = min(starts).astimezone(clock.PARIS).date()
    content["valid_until"] = max(ends).astimezone(clock.PARIS).date()


async def _located(place: PlaceInput, index: int, known: list[dict[str, Any]]) -> dict[str, Any]:
    field = f"places[{index}]"
    street = clean_text(f"{field}.street", place.street, max_length=200)
    city = clean_text(f"{field}.city", place.city, max_length=100)
    postal_code = place.postal_code.strip()
    if not _POSTAL_CODE.fullmatch(postal_code):
        raise invalid(
            f"{field}.postalCode",
            "Le code postal doit être celui d'une commune des Bouches-du-Rhône (13…).",
        )
    label = clean_text(f"{field}.label", place.label, max_length=200, required=False)
    address = {"street": street, "postalCode": postal_code, "city": city}
    for previous in known:  # an address already located keeps its position
        if all(previous.get(k) == v for k, v in address.items()):
            return {"label": label, **address, **_position(previous)}
    # The commune's centre at once, from the table shipped with the project; a job refines
    # it to the address afterwards (domain/offers/place_geocoding.py), never in the request.
    point = await OfflineGeocoder().geocode(street, postal_code, city)
    if point is None:
        raise DomainError(
            ErrorCode.ADDRESS_NOT_FOUND,
            f"Lieu n° {index + 1} : ce code postal n'est pas celui d'une commune des "
            "Bouches-du-Rhône ; vérifiez-le.",
            f"{field}.postalCode",
        )
    position = {"latitude": round(point.latitude, 6), "longitude": round(point.longitude, 6)}
    return {"label": label, **address, **position, "precision": PRECISION_COMMUNE}


def _position(place: dict[str, Any]) -> dict[str, Any]:
    return {
        "latitude": place["latitude"],
        "longitude": place["longitude"],
        "precision": place.get("precision", PRECISION_COMMUNE),
    }


async def _apply_places(content: dict[str, Any], places: list[PlaceInput] | None) -> None:
    if places is not None:
        if len(places) > MAX_PLACES:
            raise invalid("places", f"Au plus {MAX_PLACES} lieux.")
        known = list(content["places"])
        content["places"] = [await _located(p, i, known) for i, p in enumerate(places)]
    if not content["places"]:
        raise invalid(
            "places", "Indiquez au moins un lieu : c'est lui que les jeunes trouvent sur la carte."
        )


async def _checked_visuals(partner_id: UUID, image_ids: list[UUID]) -> list[str]:
    if len(image_ids) > MAX_VISUALS:
        raise invalid("imageIds", f"Au plus {MAX_VISUALS} visuels.")
    if len(set(image_ids)) != len(image_ids):
        raise invalid("imageIds", "Le même visuel est en double.")
    for image_id in image_ids:
        try:
            await image_for(partner_id, image_id, [ImagePurpose.OFFER])
        except DomainError:
            raise invalid(
                "imageIds", "Un des visuels est introuvable pour ce partenaire."
            ) from None
    return [str(i) for i in image_ids]


async def merged_content(
    kind: OfferKind, partner_id: UUID, current: dict[str, Any], changes: OfferChanges
) -> dict[str, Any]:
    """The content after `changes`, entirely checked; raises DomainError."""
    _check_kind_fields(kind, changes)
    content = dict(current)
    texts = (
        ("title", "Le titre", MAX_TITLE, True, False),
        ("description", "La description", MAX_DESCRIPTION, True, True),
        ("practical_info", "L'information pratique", MAX_PRACTICAL, False, True),
    )
    for name, label, limit, required, multiline in texts:
        value = getattr(changes, name)
        if value is not None:
            content[name] = clean_text(
                _camel(name), value, max_length=limit, required=required, multiline=multiline
            )
        elif required and not content[name]:
            raise invalid(_camel(name), f"{label} est obligatoire.")
    if changes.conditions is not None:
        conditions = clean_text(
            "conditions",
            changes.conditions,
            max_length=MAX_CONDITIONS,
            required=False,
            multiline=True,
        )
        content["conditions"] = conditions or DEFAULT_CONDITIONS
    if changes.theme is not None:
        content["theme"] = changes.theme
    if content["theme"] is None:
        raise invalid("theme", "Choisissez une thématique.")
    if kind == OfferKind.DEAL:
        if content["deal_type"] is None and changes.deal_type is None:
            raise invalid("dealType", "Choisissez le type de bon plan.")
        _apply_deal(content, changes)
        _apply_validity(content, changes)
    else:
        if changes.event_kind is not None:
            content["event_kind"] = changes.event_kind
        if content["event_kind"] is None:
            raise invalid("eventKind", "Choisissez le type d'événement.")
        _apply_sessions(content, changes.sessions)
    if changes.image_ids is not None:
        content["image_ids"] = await _checked_visuals(partner_id, changes.image_ids)
    await _apply_places(content, changes.places)
    return content


# --- who may change an offer -----------------------------------------------------------------


def check_may_publish(viewer: Viewer, partner_id: UUID) -> None:
    if not viewer.may_act_for(partner_id, DelegatePermission.OFFERS_AND_POSTS):
        raise forbidden("Il faut la permission « offres et publications » du partenaire.")


async def own_offer(viewer: Viewer, offer_id: UUID) -> Offer:
    """An offer the viewer may change for its partner, not withdrawn."""
    offer = await Offer.get_or_none(id=offer_id)
    if offer is None or (not viewer.is_staff and viewer.delegation(offer.partner_id) is None):
        raise not_found("Offre")
    check_may_publish(viewer, offer.partner_id)
    if offer.withdrawn_at is not None:
        raise DomainError(
            ErrorCode.INVALID_STATE, "Cette offre a été retirée : elle ne change plus."
        )
    return offer


# --- drafting and editing --------------------------------------------------------------------


async def create_offer(
    viewer: Viewer, partner_id: UUID, kind: OfferKind, changes: OfferChanges
) -> Offer:
    """A new deal or event, as a draft (revision 1) the partner submits when ready."""
    check_may_publish(viewer, partner_id)
    if not await Partner.exists(id=partner_id, status=PartnerStatus.ACTIVE):
        raise not_found("Partenaire")
    content = await merged_content(kind, partner_id, _empty_content(), changes)
    async with atomic():
        offer = await Offer.create(
            partner_id=partner_id, kind=kind, created_by_id=viewer.signed_in_user.id
        )
        revision = await OfferRevision.create(
            offer=offer, number=1, created_by_id=viewer.signed_in_user.id, **content
        )
        offer.working_revision_id = revision.id
        await offer.save(update_fields=["working_revision_id"])
        await record(
            viewer,
            "offer.created",
            offer,
            partner_id=partner_id,
            after={"kind": kind.value, **for_audit(content)},
        )
        await refine_places_later(revision.id, content["places"])
    return offer


async def update_offer(viewer: Viewer, offer_id: UUID, changes: OfferChanges) -> Offer:
    """Edit the working revision; a decided one is followed by a new draft."""
    offer = await own_offer(viewer, offer_id)
    working = await OfferRevision.get(id=offer.working_revision_id)
    if working.status == RevisionStatus.SUBMITTED:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            "Cette version est en cours de modération : attendez la décision pour la modifier.",
        )
    current = content_of(working)
    content = await merged_content(offer.kind, offer.partner_id, current, changes)
    changed = [name for name in CONTENT_FIELDS if content[name] != current[name]]
    if not changed:
        return offer
    async with atomic():
        offer = await Offer.filter(id=offer.id).select_for_update().get()
        working = await OfferRevision.filter(id=working.id).select_for_update().get()
        if offer.working_revision_id != working.id or content_of(working) != current:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                "L'offre vient d'être modifiée par quelqu'un d'autre : rechargez-la et réessayez.",
            )
        if working.status == RevisionStatus.DRAFT:
            await OfferRevision.filter(id=working.id).update(**{n: content[n] for n in changed})
            number = working.number
        elif working.status == RevisionStatus.SUBMITTED:
            raise DomainError(ErrorCode.INVALID_STATE, "Cette version vient d'être soumise.")
        else:
            number = working.number + 1
            draft = await OfferRevision.create(
                offer_id=offer.id, number=number, created_by_id=viewer.signed_in_user.id, **content
            )
            offer.working_revision_id = draft.id
            await offer.save(update_fields=["working_revision_id"])
        await record(
            viewer,
            "offer.edited",
            offer,
            partner_id=offer.partner_id,
            before={"revision": working.number, **for_audit({n: current[n] for n in changed})},
            after={"revision": number, **for_audit({n: content[n] for n in changed})},
        )
        if "places" in changed:
            await refine_places_later(offer.working_revision_id, content["places"])
    return offer


# --- reading ---------------------------------------------------------------------------------


async def revisions_by_id(offers: list[Offer]) -> dict[UUID, OfferRevision]:
    """The published and working revisions of `offers`, in one query."""
    ids = {
        i for o in offers for i in (o.published_revision_id, o.working_revision_id) if i is not None
    }
    return {r.id: r for r in await OfferRevision.filter(id__in=ids)} if ids else {}


async def partner_offers(
    viewer: Viewer,
    partner_id: UUID,
    insider: bool,
    limit: int,
    after: cursors.Position | None,
) -> tuple[list[Offer], str | None]:
    """Newest first, keyset pagination; the public sees what is on show today."""
    query = Offer.filter(cursors.older_than("created_at", after), partner_id=partner_id)
    if not insider:
        query = query.filter(public_offers_filter(viewer, clock.paris_today()))
    rows = await query.order_by("-created_at", "-id").limit(limit + 1)
    page = rows[:limit]
    more = len(rows) > limit
    return page, cursors.encode(page[-1].created_at, page[-1].id) if more else None
