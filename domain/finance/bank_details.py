"""A partner's bank details: entered by the principal delegate, who types their password
again (`submit_change`), validated by the département's finance staff before any transfer
goes there.

A new submission holds the partner's payments until it is validated (a changed IBAN is the
classic fraud): it is audited, and the principal delegate and the département's finance staff
are told by email at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from schwifty import BIC, IBAN
from schwifty.exceptions import InvalidChecksumDigits, SchwiftyException

from domain.accounts import throttle
from domain.accounts.outgoing_email import email_after_commit
from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, forbidden, invalid, not_found
from domain.core.text import clean_text
from domain.core.transactions import atomic
from models.accounts import StaffRole, User, UserKind
from models.finance import BankDetails, BankDetailsStatus
from models.partners import Delegate, DelegateStatus, Partner
from push.email import OutgoingEmail


@dataclass(frozen=True)
class BankDetailsInput:
    iban: str
    bic: str
    holder_name: str


def mask_iban(iban: str) -> str:
    """« FR76 •••• •••• •••• •••• •••• 189 »: enough to recognise one's own account."""
    return f"{iban[:4]} •••• {iban[-3:]}"


def checked(details: BankDetailsInput) -> tuple[str, str, str]:
    """The compact IBAN, the 8 or 11-character BIC and the holder, or a French error."""
    iban = _checked_iban(details.iban)
    bic = _checked_bic(details.bic, iban)
    holder = clean_text("holderName", details.holder_name, max_length=70)
    if len(holder) < 2:
        raise invalid("holderName", "Le nom du titulaire du compte a 2 caractères au moins.")
    return str(iban.compact), str(bic), holder


def _checked_iban(typed: str | None) -> IBAN:
    try:
        iban = IBAN(typed or "", validate_bban=True)
    except InvalidChecksumDigits:
        raise invalid(
            "iban", "IBAN invalide : la clé de contrôle ne correspond pas. Vérifiez la saisie."
        ) from None
    except SchwiftyException:
        raise invalid(
            "iban", "IBAN invalide : vérifiez le code pays, la longueur et les chiffres saisis."
        ) from None
    if not iban.in_sepa_zone:
        raise invalid("iban", "Ce compte n'est pas dans la zone SEPA : virement impossible.")
    return iban


def _checked_bic(typed: str | None, iban: IBAN) -> BIC:
    """The BIC, which must be the IBAN's bank's where the IBAN names one."""
    try:
        bic = BIC(typed or "")
    except SchwiftyException:
        raise invalid(
            "bic", "BIC invalide : 8 ou 11 caractères, par exemple BNPAFRPP ou BNPAFRPPXXX."
        ) from None
    expected = iban.bic
    if expected is not None and str(expected)[:8] != str(bic)[:8]:
        raise invalid(
            "bic",
            f"Ce BIC ne correspond pas à la banque de l'IBAN ({iban.bank_name or 'banque'} : "
            f"{str(expected)[:8]}).",
        )
    if expected is None and bic.country_code != iban.country_code:
        raise invalid("bic", "Ce BIC n'est pas celui d'une banque du pays de l'IBAN.")
    return bic


@dataclass(frozen=True)
class BankDetailsCheck:
    """What a form shows while the IBAN and BIC are typed: each one's error, the bank."""

    iban_error: str | None
    bic_error: str | None
    bank_name: str | None
    bank_bic: str | None


def check_as_typed(iban: str, bic: str) -> BankDetailsCheck:
    """`checked`'s verdict on the IBAN and BIC only (no holder yet, nothing stored); an empty
    BIC is not an error while the person types the IBAN, and a BIC is judged against a
    valid IBAN only."""
    try:
        parsed = _checked_iban(iban)
    except DomainError as error:
        return BankDetailsCheck(error.message, None, None, None)
    bic_error = None
    if bic:
        try:
            _checked_bic(bic, parsed)
        except DomainError as error:
            bic_error = error.message
    bank_bic = str(parsed.bic) if parsed.bic else None
    return BankDetailsCheck(None, bic_error, parsed.bank_name, bank_bic)


async def submit_change(
    viewer: Viewer, partner_id: UUID, details: BankDetailsInput, password: str
) -> BankDetails:
    """The principal delegate's change of the partner's bank details, confirmed by typing
    their password again: a session left open on a shared till cannot redirect the money."""
    user = viewer.signed_in_user
    if not viewer.is_principal_of(partner_id):
        raise forbidden("Seul le délégué principal peut modifier les coordonnées bancaires.")
    checked(details)  # the form's errors first, before the password's
    if not password or user.password_hash is None:
        raise invalid("password", "Saisissez votre mot de passe pour confirmer le changement.")
    await throttle.confirm_password(
        user,
        password,
        viewer.client_address,
        DomainError(
            ErrorCode.INVALID_CREDENTIALS,
            "Mot de passe incorrect : saisissez le mot de passe de votre compte.",
            "password",
        ),
    )
    return await submit(viewer, partner_id, details)


async def submit(viewer: Viewer, partner_id: UUID, details: BankDetailsInput) -> BankDetails:
    assert viewer.user is not None
    iban, bic, holder = checked(details)
    partner = await Partner.get_or_none(id=partner_id)
    if partner is None:
        raise not_found("Partenaire")
    async with atomic():
        previous = await current_validated(partner_id)
        await BankDetails.filter(
            partner_id=partner_id, status=BankDetailsStatus.PENDING_VALIDATION
        ).update(status=BankDetailsStatus.SUPERSEDED, decided_at=clock.now())
        submitted = await BankDetails.create(
            partner_id=partner_id,
            iban=iban,
            bic=bic,
            holder_name=holder,
            status=BankDetailsStatus.PENDING_VALIDATION,
            submitted_by_id=viewer.user.id,
            submitted_at=clock.now(),
        )
        await record(
            viewer,
            "bank_details.submitted",
            submitted,
            partner_id=partner_id,
            before={"iban": mask_iban(previous.iban), "bic": previous.bic} if previous else None,
            after={"iban": mask_iban(iban), "bic": bic, "holder": holder},
        )
        await _tell_principal(partner, submitted, viewer)
        await _tell_department(partner, submitted, viewer)
    return submitted


async def _tell_department(partner: Partner, submitted: BankDetails, viewer: Viewer) -> None:
    """The finance staff, who validate the change: each active one gets the alert."""
    staff = await User.filter(kind=UserKind.STAFF, is_active=True)
    for person in staff:
        if StaffRole.FINANCE not in person.staff_roles:
            continue
        await email_after_commit(
            OutgoingEmail(
                to=person.email,
                template="bank_details_to_validate",
                context={
                    "first_name": person.first_name,
                    "partner_name": partner.trade_name,
                    "author_name": viewer.signed_in_user.full_name,
                    "masked_iban": mask_iban(submitted.iban),
                    "bic": submitted.bic,
                    "holder_name": submitted.holder_name,
                    "submitted_at": submitted.submitted_at.astimezone(clock.PARIS).strftime(
                        "%d/%m/%Y à %H:%M"
                    ),
                },
            )
        )


async def _tell_principal(partner: Partner, submitted: BankDetails, viewer: Viewer) -> None:
    principal = (
        await Delegate.filter(
            partner_id=partner.id, is_principal=True, status=DelegateStatus.ACTIVE
        )
        .select_related("user")
        .first()
    )
    if principal is None:
        return
    await email_after_commit(
        OutgoingEmail(
            to=principal.user.email,
            template="bank_details_changed",
            context={
                "first_name": principal.user.first_name,
                "partner_name": partner.trade_name,
                "author_name": viewer.signed_in_user.full_name,
                "masked_iban": mask_iban(submitted.iban),
                "holder_name": submitted.holder_name,
                "submitted_at": submitted.submitted_at.astimezone(clock.PARIS).strftime(
                    "%d/%m/%Y à %H:%M"
                ),
            },
        )
    )


async def decide(
    viewer: Viewer, bank_details_id: UUID, *, approve: bool, reason: str | None = None
) -> BankDetails:
    """Finance staff validate (the details become the payable ones) or refuse a submission."""
    async with atomic():
        details = await BankDetails.filter(id=bank_details_id).select_for_update().first()
        if details is None:
            raise not_found("Coordonnées bancaires")
        if details.status != BankDetailsStatus.PENDING_VALIDATION:
            raise DomainError(
                ErrorCode.INVALID_STATE, "Ces coordonnées bancaires ont déjà été traitées."
            )
        now = clock.now()
        if approve:
            await BankDetails.filter(
                partner_id=details.partner_id, status=BankDetailsStatus.VALIDATED
            ).update(status=BankDetailsStatus.SUPERSEDED)
            details.status = BankDetailsStatus.VALIDATED
        else:
            reason = clean_text("reason", reason, max_length=500)
            if len(reason) < 5:
                raise invalid(
                    "reason", "Le motif du refus est obligatoire (5 caractères au moins)."
                )
            details.status = BankDetailsStatus.REFUSED
            details.refusal_reason = reason
        details.decided_by_id = viewer.signed_in_user.id
        details.decided_at = now
        await details.save()
        await record(
            viewer,
            f"bank_details.{details.status.value}",
            details,
            partner_id=details.partner_id,
            after={"iban": mask_iban(details.iban), "reason": details.refusal_reason},
        )
    return details


async def current_validated(partner_id: UUID) -> BankDetails | None:
    return await BankDetails.get_or_none(partner_id=partner_id, status=BankDetailsStatus.VALIDATED)


async def pending(partner_id: UUID) -> BankDetails | None:
    return await BankDetails.get_or_none(
        partner_id=partner_id, status=BankDetailsStatus.PENDING_VALIDATION
    )


async def payable_details(partner_ids: list[UUID] | None = None) -> dict[UUID, BankDetails]:
    """The details transfers may go to: validated, with no newer submission waiting."""
    query = BankDetails.filter(status=BankDetailsStatus.VALIDATED)
    held = BankDetails.filter(status=BankDetailsStatus.PENDING_VALIDATION)
    if partner_ids is not None:
        query, held = (
            query.filter(partner_id__in=partner_ids),
            held.filter(partner_id__in=partner_ids),
        )
    waiting = set(await held.values_list("partner_id", flat=True))
    return {d.partner_id: d for d in await query if d.partner_id not in waiting}


async def waiting(limit: int) -> list[BankDetails]:
    """The changes waiting for the finance staff's decision (each holds its partner's
    payments), the oldest first, their partner loaded."""
    return (
        await BankDetails.filter(status=BankDetailsStatus.PENDING_VALIDATION)
        .select_related("partner")
        .order_by("submitted_at", "id")
        .limit(limit)
    )
