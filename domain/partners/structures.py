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
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.search_index import SYNC_PARTNER_JOB
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


async def set_partner_status(actor: Viewer, partner_id: UUID, status: PartnerStatus) -> Partner:
    async with atomic():
        partner = await Partner.select_for_update().get_or_none(id=partner_id)
        if partner is None:
            raise not_found("Partenaire")
        before = partner.status.value
        if partner.status != status:
            partner.status = status
            await partner.save(update_fields=["status", "updated_at"])
            await record(
                actor,
                f"partner.{'suspended' if status == PartnerStatus.SUSPENDED else 'reactivated'}",
                partner,
                partner_id=partner.id,
                before={"status": before},
                after={"status": status.value},
            )
            key = str(partner.id)  # a suspended partner and its offers leave the map index
            await after_commit(lambda: enqueue(SYNC_PARTNER_JOB, key))
    return partner
