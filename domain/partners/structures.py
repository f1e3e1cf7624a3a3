"""Partner structures: created by staff with their legal representative as principal delegate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from stdnum.exceptions import ValidationError
from stdnum.fr import siret as siret_number
from tortoise.exceptions import IntegrityError

from domain.accounts.users import clean_name
from domain.accounts.viewer import Viewer
from domain.cards.wallets import wallet_kind
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.search_index import SYNC_PARTNER_JOB
from domain.core.text import clean_text
from domain.core.transactions import after_commit, atomic
from domain.partners import delegates
from infra.jobs import enqueue
from models.partners import Partner, PartnerCategory, PartnerStatus, WalletKind


@dataclass(frozen=True)
class Representative:
    email: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class PartnerDetails:
    legal_name: str
    trade_name: str
    siret: str
    categories: list[PartnerCategory]
    debitable_wallets: list[WalletKind]
    convention_signed_on: date
    representative: Representative | None = None
    extra: dict[str, str] = field(default_factory=dict)


def validate_siret(value: str) -> str:
    try:
        return siret_number.validate(value)
    except ValidationError:
        raise DomainError(
            ErrorCode.INVALID_SIRET,
            "Numéro SIRET invalide : il comporte 14 chiffres et une clé de contrôle.",
            "siret",
        ) from None


def _snapshot(partner: Partner) -> dict[str, object]:
    return {
        "legalName": partner.legal_name,
        "tradeName": partner.trade_name,
        "siret": partner.siret,
        "categories": partner.categories,
        "debitableWallets": partner.debitable_wallets,
        "conventionSignedOn": partner.convention_signed_on.isoformat(),
        "status": partner.status.value,
    }


async def create_partner(actor: Viewer, details: PartnerDetails) -> Partner:
    if details.representative is None:
        raise invalid("representative", "Le représentant légal est obligatoire.")
    if not details.categories:
        raise invalid("categories", "Choisissez au moins une catégorie.")
    partner = Partner(
        legal_name=clean_name(details.legal_name, "legalName"),
        trade_name=clean_name(details.trade_name, "tradeName"),
        siret=validate_siret(details.siret),
        categories=sorted({c.value for c in details.categories}),
        debitable_wallets=sorted(
            {wallet_kind(w, "debitableWallets").value for w in details.debitable_wallets}
        ),
        convention_signed_on=details.convention_signed_on,
    )
    try:
        async with atomic():
            await partner.save()
            await record(
                actor, "partner.created", partner, partner_id=partner.id, after=_snapshot(partner)
            )
            rep = details.representative
            await delegates.invite(
                actor,
                partner,
                email=rep.email,
                first_name=rep.first_name,
                last_name=rep.last_name,
                permissions=[],
                principal=True,
            )
    except IntegrityError:
        raise DomainError(
            ErrorCode.SIRET_ALREADY_USED, "Un partenaire existe déjà avec ce SIRET.", "siret"
        ) from None
    return partner


_STATUS_ACTIONS = {
    PartnerStatus.ACTIVE: "partner.reactivated",
    PartnerStatus.SUSPENDED: "partner.suspended",
    PartnerStatus.TERMINATED: "partner.terminated",
}
MIN_REASON_LENGTH = 10


def _terminated() -> DomainError:
    return DomainError(
        ErrorCode.INVALID_STATE,
        "La convention de ce partenaire est résiliée : il ne peut plus être suspendu ni réactivé.",
    )


def _clean_reason(reason: str | None, required: bool) -> str:
    """The reason as staff and the partner's people will read it (domain.core.text)."""
    if required and not (reason or "").strip():
        raise invalid("reason", "Indiquez le motif.")
    text = clean_text("reason", reason, max_length=1000, multiline=True, required=required)
    if text and len(text) < MIN_REASON_LENGTH:
        raise invalid("reason", f"Le motif doit faire au moins {MIN_REASON_LENGTH} caractères.")
    return text


async def set_partner_status(
    actor: Viewer, partner_id: UUID, status: PartnerStatus, reason: str | None = None
) -> Partner:
    """Suspend (with an optional reason) or reactivate. A terminated partner stays so:
    `terminate_partner` is the only way there, and nothing leads back."""
    if status == PartnerStatus.TERMINATED:
        raise ValueError("terminate_partner terminates a convention")
    text = _clean_reason(reason, required=False) if status == PartnerStatus.SUSPENDED else ""
    async with atomic():
        partner = await Partner.select_for_update().get_or_none(id=partner_id)
        if partner is None:
            raise not_found("Partenaire")
        if partner.status == PartnerStatus.TERMINATED:
            raise _terminated()
        if partner.status != status:
            await _change_status(actor, partner, status, clock.paris_today(), text)
    return partner


async def terminate_partner(actor: Viewer, partner_id: UUID, on: date, reason: str) -> Partner:
    """The convention ends (« résiliation »), for good: from then on the partner's people
    can no longer act for it (their sessions lose it: domain/accounts/queries.py), so its
    tills and terminals stop debiting, and it leaves the map. `on` is the day it takes
    effect: today at the latest, never before the convention was signed."""
    text = _clean_reason(reason, required=True)
    if on > clock.paris_today():
        raise invalid(
            "date",
            "La date de résiliation ne peut pas être dans le futur : enregistrez la "
            "résiliation le jour où elle prend effet.",
        )
    async with atomic():
        partner = await Partner.select_for_update().get_or_none(id=partner_id)
        if partner is None:
            raise not_found("Partenaire")
        if partner.status == PartnerStatus.TERMINATED:
            raise DomainError(
                ErrorCode.INVALID_STATE, "La convention de ce partenaire est déjà résiliée."
            )
        if on < partner.convention_signed_on:
            raise invalid(
                "date",
                "La date de résiliation ne peut pas précéder la signature de la convention "
                f"({partner.convention_signed_on.strftime('%d/%m/%Y')}).",
            )
        await _change_status(actor, partner, PartnerStatus.TERMINATED, on, text)
    return partner


async def _change_status(
    actor: Viewer, partner: Partner, status: PartnerStatus, since: date | None, reason: str
) -> None:
    before = {"status": partner.status.value}
    partner.status = status
    partner.status_since = since if status != PartnerStatus.ACTIVE else None
    partner.status_reason = reason if status != PartnerStatus.ACTIVE else ""
    await partner.save(update_fields=["status", "status_since", "status_reason", "updated_at"])
    after: dict[str, object] = {"status": status.value}
    if partner.status_since is not None:
        after["since"] = partner.status_since.isoformat()
    if reason:
        after["reason"] = reason
    await record(
        actor, _STATUS_ACTIONS[status], partner, partner_id=partner.id, before=before, after=after
    )
    key = str(partner.id)  # a partner not active and its offers leave the map index
    await after_commit(lambda: enqueue(SYNC_PARTNER_JOB, key))
