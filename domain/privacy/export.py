"""A young person's copy of their data (GDPR art. 15 and 20): a ZIP archive holding
`donnees.json` (everything we hold about them, machine-readable) and a README, built by a
background job, kept in its own storage, and sent as a link valid EXPORT_LINK_DAYS days.

The link is a signed token (JWT, HS256) naming the archive and its owner; the archive is
read only through it. Building a new archive deletes the person's previous ones.
"""

from __future__ import annotations

import asyncio
import io
import json
import secrets
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import jwt

from domain.accounts.outgoing_email import email_after_commit
from domain.accounts.viewer import Viewer
from domain.cards import card_photos
from domain.consent.marketing import needs_parental_consent
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, forbidden, not_found
from domain.core.text import clean_text
from domain.core.transactions import after_commit, atomic
from infra.jobs import enqueue
from infra.settings import get_settings
from infra.storage import LocalStorage, Storage, StoredFileNotFound
from models.accounts import AuthSession, StaffRole, User, UserKind
from models.audit import AuditEntry
from models.campaigns import ThemeInterest
from models.cards import Beneficiary, Card, CardPhoto
from models.ledger import LedgerAccount
from models.notifications import Device, MarketingConsentEvent, Notification, ParentalConsent
from models.offers import Favorite
from models.partners import Partner
from models.social import Follow, PostLike, PostReport
from models.transactions import BonPlanUse, CardTransaction
from push.email import OutgoingEmail

BUILD_EXPORT_JOB = "privacy.build_export"
BUILD_PARENT_EXPORT_JOB = "privacy.build_export_for_parent"
EXPORT_LINK_DAYS = 7
ISSUER, ALGORITHM, KIND = "cjeune", "HS256", "data-export"
ARCHIVE_NAME = "donnees-cjeune.zip"
# Never copied out: secrets, and what only serves to check them.
SECRET_COLUMNS = {
    "password_hash",
    "pin_hash",
    "secret_hash",
    "idempotency_key",
    "request_fingerprint",
}

_storage: Storage | None = None


def export_storage() -> Storage:
    return _storage or LocalStorage(get_settings().data_dir / "exports")


def use_export_storage(storage: Storage | None) -> None:
    global _storage
    _storage = storage


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


@dataclass(frozen=True)
class ExportLink:
    user_id: UUID
    key: str


async def request_export(viewer: Viewer) -> None:
    """The young person asks for their data: the job builds it and emails the link."""
    user = viewer.user
    if user is None or user.kind != UserKind.YOUNG_PERSON:
        raise DomainError(ErrorCode.FORBIDDEN, "Seul un jeune peut demander ses données ici.")
    async with atomic():
        user_id = str(user.id)
        await after_commit(lambda: enqueue(BUILD_EXPORT_JOB, user_id))


async def request_export_for_parent(
    actor: Viewer, young_person_id: UUID, reason: str
) -> ParentalConsent:
    """A parent asks the support desk for their under-15 child's data. The link goes to the
    parent's address on record (a consent they gave, by its emailed link or on paper), never
    to an address the agent types; the request and its reason go to the audit trail."""
    if actor.user is None or not actor.has_staff_role(StaffRole.SUPPORT):
        raise forbidden()
    why = clean_text("reason", reason, max_length=500)
    young = await User.get_or_none(id=young_person_id, kind=UserKind.YOUNG_PERSON)
    if young is None or not young.is_active:
        raise not_found("Jeune")
    if not needs_parental_consent(young, clock.paris_today()):
        raise DomainError(
            ErrorCode.INVALID_STATE,
            "Ce jeune a 15 ans ou plus : il demande lui-même la copie de ses données, depuis "
            "son espace (« Mes données »).",
        )
    consent = (
        await ParentalConsent.filter(young_person_id=young.id, given_at__isnull=False)
        .order_by("-given_at")
        .first()
    )
    if consent is None:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            "Aucun parent n'est enregistré pour ce jeune (consentement parental donné) : la "
            "copie ne peut être envoyée qu'à l'adresse d'un parent déjà enregistrée.",
        )
    async with atomic():
        await record(
            actor,
            "privacy.export_for_parent_requested",
            young,
            after={"reason": why, "parentalConsentId": str(consent.id)},
        )
        user_id, consent_id = str(young.id), str(consent.id)
        await after_commit(lambda: enqueue(BUILD_PARENT_EXPORT_JOB, user_id, consent_id))
    return consent


def _rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in SECRET_COLUMNS} for row in rows]


async def personal_data(user_id: UUID) -> dict[str, Any]:
    """Everything held about the person, by table, in the database's own words."""
    account = _rows(await User.filter(id=user_id).values())[0]
    beneficiaries = _rows(await Beneficiary.filter(user_id=user_id).values())
    beneficiary_ids = [b["id"] for b in beneficiaries]
    cards = _rows(await Card.filter(beneficiary_id__in=beneficiary_ids).values())
    card_ids = [c["id"] for c in cards]
    transactions = _rows(await CardTransaction.filter(card_id__in=card_ids).values())
    uses = _rows(await BonPlanUse.filter(card_id__in=card_ids).values())
    follows = _rows(await Follow.filter(user_id=user_id).values())
    partner_ids = {row["partner_id"] for row in [*transactions, *uses, *follows]}
    partner_names = dict(
        await Partner.filter(id__in=list(partner_ids)).values_list("id", "trade_name")
    )
    for row in [*transactions, *uses, *follows]:
        row["partner_name"] = partner_names.get(row["partner_id"], "")
    return {
        "format": "cjeune-export-1",
        "generated_at": clock.now(),
        "account": account,
        "beneficiaries": beneficiaries,
        "cards": cards,
        # The files themselves are in the archive's photos/ folder, named after the row's id.
        "card_photos": _rows(await CardPhoto.filter(beneficiary_id__in=beneficiary_ids).values()),
        "wallets": _rows(
            await LedgerAccount.filter(beneficiary_id__in=beneficiary_ids).values(
                "id", "school_year_id", "wallet_kind", "balance_cents"
            )
        ),
        "transactions": transactions,
        "bon_plan_uses": uses,
        "follows": follows,
        "favorites": _rows(await Favorite.filter(user_id=user_id).values()),
        "post_likes": _rows(await PostLike.filter(user_id=user_id).values()),
        "post_reports": _rows(await PostReport.filter(reporter_id=user_id).values()),
        "theme_interests": _rows(await ThemeInterest.filter(user_id=user_id).values()),
        "notifications": _rows(await Notification.filter(user_id=user_id).values()),
        "devices": _rows(await Device.filter(user_id=user_id).values()),
        "sessions": _rows(await AuthSession.filter(user_id=user_id).values()),
        "marketing_consent_events": _rows(
            await MarketingConsentEvent.filter(user_id=user_id).values()
        ),
        "parental_consents": _rows(await ParentalConsent.filter(young_person_id=user_id).values()),
        "audit_entries": _rows(await AuditEntry.filter(actor_id=user_id).values()),
    }


README = """Vos données CJeune de Provence
==============================

donnees.json contient tout ce que le Département des Bouches-du-Rhône conserve sur vous
pour la carte CJeune (RGPD, articles 15 et 20), table par table : votre compte, vos cartes
et porte-monnaie, vos paiements et bons plans, vos abonnements, favoris, notifications,
appareils, sessions, consentements et les actions que vous avez faites. Le dossier photos/
contient les photos envoyées pour votre carte.

Les montants sont en centimes d'euro, les dates en UTC (ISO 8601).
Une question ? dpo@departement13.fr
"""


def _archive(data: dict[str, Any], files: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(data, default=str, ensure_ascii=False, indent=2, sort_keys=True)
        archive.writestr("donnees.json", text)
        archive.writestr("LISEZMOI.txt", README)
        for name, content in (files or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


async def build_export(user_id: UUID) -> str | None:
    """The job: build the archive, keep it, email its link. Returns the link (None when
    the account is gone or closed meanwhile)."""
    user = await User.get_or_none(id=user_id)
    if user is None or not user.is_active:
        return None
    url = await _stored_archive_link(user_id)
    async with atomic():
        await email_after_commit(
            OutgoingEmail(
                user.email,
                "data_export",
                {"first_name": user.first_name, "url": url, "valid_days": EXPORT_LINK_DAYS},
            )
        )
    return url


async def build_export_for_parent(user_id: UUID, consent_id: UUID) -> str | None:
    """The job of a parent's request: the same archive, its link emailed to the parent's
    address of the consent record named (None when the account or the record is gone)."""
    user = await User.get_or_none(id=user_id)
    consent = await ParentalConsent.get_or_none(
        id=consent_id, young_person_id=user_id, given_at__isnull=False
    )
    if user is None or not user.is_active or consent is None:
        return None
    url = await _stored_archive_link(user_id)
    async with atomic():
        await email_after_commit(
            OutgoingEmail(
                consent.parent_email,
                "data_export_parent",
                {
                    "parent_name": consent.parent_name,
                    "young_first_name": user.first_name,
                    "url": url,
                    "valid_days": EXPORT_LINK_DAYS,
                },
            )
        )
    return url


async def _stored_archive_link(user_id: UUID) -> str:
    """Build the person's archive, keep it (replacing older ones), and sign its link."""
    data = await personal_data(user_id)
    holders = [row["id"] for row in data["beneficiaries"]]
    files = await card_photos.photo_files(holders)
    key = f"{user_id}/{secrets.token_hex(16)}.zip"
    storage = export_storage()
    await forget_exports(user_id)  # one archive per person: the newest
    await storage.save(key, _archive(data, files), "application/zip")
    expires = clock.now() + timedelta(days=EXPORT_LINK_DAYS)
    settings = get_settings()
    claims = {
        "iss": ISSUER,
        "typ": KIND,
        "sub": str(user_id),
        "key": key,
        "exp": int(expires.timestamp()),
    }
    token = jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)
    return f"{settings.public_url}/mes-donnees/{token}"


def read_link(token: str) -> ExportLink:
    """The archive a link names; LinkExpired past its lifetime (by the project's clock),
    LinkInvalid for anything else."""
    try:
        claims = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss"], "verify_exp": False},
        )
    except jwt.PyJWTError as error:
        raise LinkInvalid from error
    if not isinstance(claims["exp"], int) or claims["exp"] <= clock.now().timestamp():
        raise LinkExpired
    if claims.get("typ") != KIND or not isinstance(claims.get("key"), str):
        raise LinkInvalid
    try:
        user_id = UUID(claims["sub"])
    except ValueError as error:
        raise LinkInvalid from error
    if not claims["key"].startswith(f"{user_id}/"):
        raise LinkInvalid
    return ExportLink(user_id, claims["key"])


async def forget_exports(user_id: UUID) -> None:
    """Delete the person's archives (a new one replaces them; closing the account too)."""
    storage = export_storage()
    if isinstance(storage, LocalStorage):
        folder = storage.root / str(user_id)
        await asyncio.to_thread(shutil.rmtree, folder, True)


async def archive_of(link: ExportLink) -> bytes:
    """The archive a valid link names; StoredFileNotFound once it is gone, or when its
    owner closed their account since."""
    user = await User.get_or_none(id=link.user_id)
    if user is None or not user.is_active:
        raise StoredFileNotFound(link.key)
    return await export_storage().read(link.key)
