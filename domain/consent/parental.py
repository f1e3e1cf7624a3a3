"""A parent's consent to the marketing messages of an under-15: asked by email, given
through a signed link (or on paper, recorded by the support team), withdrawable at any time.

The latest row of a young person is their current consent; asking again cancels an
unanswered request, so only the newest link can be used to give consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from uuid import UUID

from domain.accounts.outgoing_email import email_after_commit
from domain.accounts.users import clean_name, normalize_email
from domain.accounts.viewer import Viewer
from domain.consent.marketing import needs_parental_consent
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, forbidden, not_found
from domain.core.transactions import atomic
from infra.settings import get_settings
from models.accounts import StaffRole, User, UserKind
from models.notifications import ParentalConsent
from push.email import OutgoingEmail
from push.unsubscribe import read_signed_link, sign_link

LINK_VALID_DAYS = 14
MAX_REQUESTS_PER_DAY = 3
_PURPOSE = "parental-consent"


class ConsentStatus(StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    GIVEN = "given"
    WITHDRAWN = "withdrawn"


def status_of(consent: ParentalConsent | None) -> ConsentStatus:
    if consent is None:
        return ConsentStatus.NONE
    if consent.withdrawn_at is not None:
        return ConsentStatus.WITHDRAWN
    if consent.given_at is not None:
        return ConsentStatus.GIVEN
    return ConsentStatus.REQUESTED


async def current_consent(young_person_id: UUID) -> ParentalConsent | None:
    """The one row not withdrawn (there is at most one), else the latest withdrawn."""
    rows = ParentalConsent.filter(young_person_id=young_person_id)
    active = await rows.filter(withdrawn_at__isnull=True).order_by("-requested_at").first()
    return active or await rows.order_by("-withdrawn_at", "-requested_at").first()


def consent_url(consent: ParentalConsent) -> str:
    settings = get_settings()
    token = sign_link(settings, _PURPOSE, consent.id.bytes)
    return f"{settings.public_url}/consentement-parental?jeton={token}"


def _link_expired(consent: ParentalConsent) -> bool:
    return consent.requested_at + timedelta(days=LINK_VALID_DAYS) <= clock.now()


_INVALID_LINK = DomainError(
    ErrorCode.INVALID_TOKEN,
    "Ce lien n'est pas valable. Vérifiez qu'il a été copié en entier depuis l'e-mail reçu.",
    "token",
)


@dataclass(frozen=True)
class ConsentLink:
    """What the parent's link shows: the request, the young person, whether it can be given."""

    consent: ParentalConsent
    young_person: User
    status: ConsentStatus
    superseded: bool  # a newer request exists: this link can no longer give consent
    expired: bool

    @property
    def may_give(self) -> bool:
        return self.status == ConsentStatus.REQUESTED and not (self.superseded or self.expired)

    @property
    def may_refuse(self) -> bool:
        """A consent given can be withdrawn, a request not answered yet declined."""
        return self.status in (ConsentStatus.GIVEN, ConsentStatus.REQUESTED)


async def open_link(token: str) -> ConsentLink:
    payload = read_signed_link(get_settings(), _PURPOSE, token)
    if payload is None or len(payload) != 16:
        raise _INVALID_LINK
    consent = await ParentalConsent.get_or_none(id=UUID(bytes=payload)).select_related(
        "young_person"
    )
    if consent is None:
        raise _INVALID_LINK
    latest = await current_consent(consent.young_person_id)
    return ConsentLink(
        consent=consent,
        young_person=consent.young_person,
        status=status_of(consent),
        superseded=latest is not None and latest.id != consent.id,
        expired=_link_expired(consent),
    )


def _young_person(viewer: Viewer) -> User:
    if not viewer.is_young_person or viewer.user is None:
        raise forbidden()
    return viewer.user


def _check_needed(user: User) -> None:
    if not needs_parental_consent(user, clock.paris_today()):
        raise DomainError(
            ErrorCode.PARENTAL_CONSENT_NOT_NEEDED,
            "À partir de 15 ans, l'accord d'un parent n'est plus nécessaire : "
            "vos propres choix suffisent.",
        )


async def _cancel_unanswered(young_person_id: UUID) -> None:
    await ParentalConsent.filter(
        young_person_id=young_person_id, given_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=clock.now())


async def request_consent(viewer: Viewer, parent_name: str, parent_email: str) -> ParentalConsent:
    """The young person names a parent, who receives a link valid 14 days."""
    user = _young_person(viewer)
    _check_needed(user)
    parent_name = clean_name(parent_name, "parentName")
    parent_email = normalize_email(parent_email)
    if parent_email == user.email:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "Indiquez l'adresse e-mail de votre parent, pas la vôtre.",
            "parentEmail",
        )
    async with atomic():
        await User.select_for_update().get(id=user.id)  # one request at a time per person
        current = await current_consent(user.id)
        if status_of(current) == ConsentStatus.GIVEN:
            raise DomainError(
                ErrorCode.INVALID_STATE, "Un parent a déjà donné son accord pour vous."
            )
        recent = await ParentalConsent.filter(
            young_person_id=user.id,
            recorded_by_id__isnull=True,
            requested_at__gte=clock.now() - timedelta(days=1),
        ).count()
        if recent >= MAX_REQUESTS_PER_DAY:
            raise DomainError(
                ErrorCode.TOO_MANY_ATTEMPTS,
                "Vous avez déjà fait plusieurs demandes aujourd'hui. Réessayez demain.",
            )
        await _cancel_unanswered(user.id)
        consent = await ParentalConsent.create(
            young_person_id=user.id,
            parent_name=parent_name,
            parent_email=parent_email,
            requested_at=clock.now(),
        )
        message = OutgoingEmail(
            parent_email,
            "parental_consent_request",
            {
                "parent_name": parent_name,
                "young_first_name": user.first_name,
                "young_last_name": user.last_name,
                "young_age": clock.age_on(user.birth_date, clock.paris_today())
                if user.birth_date
                else "moins de 15",
                "url": consent_url(consent),
                "valid_days": LINK_VALID_DAYS,
            },
        )
        await email_after_commit(message)
    return consent


async def give_consent(token: str) -> tuple[ParentalConsent, bool]:
    """The parent confirms through the link; a second confirmation changes nothing.

    Returns the consent and whether this call gave it."""
    link = await open_link(token)
    if link.status == ConsentStatus.GIVEN:
        return link.consent, False
    if not link.may_give:
        raise DomainError(
            ErrorCode.LINK_EXPIRED,
            "Cette demande n'est plus valable. Demandez à votre enfant d'en faire une nouvelle "
            "depuis l'application CJeune.",
            "token",
        )
    given = await ParentalConsent.filter(
        id=link.consent.id, given_at__isnull=True, withdrawn_at__isnull=True
    ).update(given_at=clock.now())
    return await ParentalConsent.get(id=link.consent.id), bool(given)


async def refuse_with_link(token: str) -> tuple[ParentalConsent, bool]:
    """The parent says no through the link: withdraws the consent given, or declines a
    request not answered yet, however old the link is (saying no only ever protects the
    child). Returns the consent and whether this call changed it."""
    link = await open_link(token)
    refused = await ParentalConsent.filter(id=link.consent.id, withdrawn_at__isnull=True).update(
        withdrawn_at=clock.now()
    )
    return await ParentalConsent.get(id=link.consent.id), bool(refused)


async def withdraw_consent(viewer: Viewer) -> ParentalConsent:
    """The young person withdraws the consent (or cancels an unanswered request)."""
    user = _young_person(viewer)
    current = await current_consent(user.id)
    if current is None:
        raise not_found("Consentement parental")
    if current.withdrawn_at is None:
        await ParentalConsent.filter(id=current.id, withdrawn_at__isnull=True).update(
            withdrawn_at=clock.now()
        )
        await current.refresh_from_db()
    return current


async def record_paper_consent(
    viewer: Viewer, young_person_id: UUID, parent_name: str, parent_email: str
) -> ParentalConsent:
    """The support team records a consent given on paper (signed form kept by the service)."""
    if not viewer.has_staff_role(StaffRole.SUPPORT) or viewer.user is None:
        raise forbidden()
    parent_name = clean_name(parent_name, "parentName")
    parent_email = normalize_email(parent_email)
    async with atomic():
        young_person = await User.select_for_update().get_or_none(
            id=young_person_id, kind=UserKind.YOUNG_PERSON
        )
        if young_person is None:
            raise not_found("Jeune")
        _check_needed(young_person)
        if status_of(await current_consent(young_person.id)) == ConsentStatus.GIVEN:
            raise DomainError(
                ErrorCode.INVALID_STATE, "Un consentement parental est déjà enregistré."
            )
        await _cancel_unanswered(young_person.id)
        now = clock.now()
        consent = await ParentalConsent.create(
            young_person_id=young_person.id,
            parent_name=parent_name,
            parent_email=parent_email,
            requested_at=now,
            given_at=now,
            recorded_by_id=viewer.user.id,
        )
        await record(
            viewer,
            "parental_consent.recorded",
            consent,
            after={"youngPersonId": str(young_person.id), "parentEmail": parent_email},
        )
    return consent
