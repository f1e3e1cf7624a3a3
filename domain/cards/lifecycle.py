"""Cards: issuing, activation by the holder, opposition, replacement and the PIN."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import cast
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from domain.accounts.viewer import Viewer
from domain.cards import codes as card_codes
from domain.cards.school_years import school_year_on
from domain.cards.states import CardState, state_of
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.transactions import atomic
from infra.settings import get_settings
from models.cards import Beneficiary, BeneficiaryKind, Card, CardKind, CardStatus, SchoolYear

MAX_PIN_FAILURES = 3
_ALREADY_ACTIVATED = (CardState.ACTIVE, CardState.NOT_YET_VALID)
_ACTIVABLE = (CardState.NOT_ACTIVATED, CardState.NOT_YET_VALID)
_PIN = re.compile(r"[0-9]{4}")


async def issue_card(
    beneficiary: Beneficiary, year: SchoolYear, kind: CardKind, replaces: Card | None = None
) -> Card:
    """A new card with a fresh random code; call inside atomic()."""
    for _ in range(5):
        try:
            async with atomic():
                return await Card.create(
                    code=card_codes.new_code(),
                    kind=kind,
                    beneficiary=beneficiary,
                    school_year=year,
                    replaces=replaces,
                    status=CardStatus.ACTIVE if beneficiary.user_id else CardStatus.NOT_ACTIVATED,
                    activated_at=clock.now() if beneficiary.user_id else None,
                )
        except IntegrityError:
            # 2**64 codes make a collision unheard of; a second usable card for the same
            # beneficiary and year is refused by the database and must not loop.
            if await Card.exists(
                beneficiary_id=beneficiary.id,
                school_year_id=year.id,
                status__in=[CardStatus.ACTIVE, CardStatus.NOT_ACTIVATED],
            ):
                raise
    raise RuntimeError("could not draw a unique card code")


async def holder_card(viewer: Viewer, card_id: UUID) -> Card:
    card = await Card.get_or_none(id=card_id).select_related("beneficiary", "school_year")
    if card is None or viewer.user is None or card.beneficiary.user_id != viewer.user.id:
        raise not_found("Carte")
    return card


async def activate_card(viewer: Viewer, typed_code: str) -> Card:
    """Link a card to the young person's account (QR scan or typed code)."""
    code = card_codes.normalize_code(typed_code)
    if code is None:
        raise DomainError(ErrorCode.CARD_UNKNOWN, "Code de carte invalide : vérifiez-le.", "code")
    user = viewer.user
    assert user is not None
    async with atomic():
        card = await Card.select_for_update().get_or_none(code=code)
        if card is None:
            raise DomainError(ErrorCode.CARD_UNKNOWN, "Carte inconnue : vérifiez le code.", "code")
        await card.fetch_related("beneficiary", "school_year")
        beneficiary = card.beneficiary
        if beneficiary.user_id not in (None, user.id) or beneficiary.birth_date != user.birth_date:
            # The same answer for someone else's card: nothing about its holder leaks.
            raise DomainError(
                ErrorCode.CARD_NOT_USABLE,
                "Cette carte ne correspond pas à votre compte (nom ou date de naissance). "
                "Contactez la hotline si c'est bien la vôtre.",
                "code",
            )
        # A card of next year may be activated ahead (it comes with the school's import):
        # it is linked to the account now and spendable from its year's first day.
        state = state_of(card, card.school_year)
        if card.status == CardStatus.ACTIVE and state in _ALREADY_ACTIVATED:
            return card
        if card.status != CardStatus.NOT_ACTIVATED or state not in _ACTIVABLE:
            raise DomainError(ErrorCode.CARD_NOT_USABLE, "Cette carte ne peut plus être activée.")
        if beneficiary.user_id is None:
            beneficiary.user_id = user.id
            await beneficiary.save(update_fields=["user_id", "updated_at"])
        card.status = CardStatus.ACTIVE
        card.activated_at = clock.now()
        await card.save(update_fields=["status", "activated_at", "updated_at"])
    return card


async def declare_lost(viewer: Viewer, card_id: UUID, stolen: bool) -> Card:
    """Opposition, at once: the card can no longer be used anywhere."""
    async with atomic():
        card = await holder_card(viewer, card_id)
        if card.status == CardStatus.OPPOSED:
            return card
        if card.status == CardStatus.EXPIRED:
            raise DomainError(ErrorCode.INVALID_STATE, "Cette carte a déjà expiré.")
        await Card.filter(id=card.id).update(
            status=CardStatus.OPPOSED,
            opposed_at=clock.now(),
            opposition_reason="stolen" if stolen else "lost",
        )
        await card.refresh_from_db()
    return card


async def replace_card(actor: Viewer, card_id: UUID) -> Card:
    """Support staff issue a replacement. Wallets belong to the beneficiary and the school
    year, not to the plastic: the new card carries the remaining balances as they are."""
    async with atomic():
        old = await Card.select_for_update().get_or_none(id=card_id)
        if old is None:
            raise not_found("Carte")
        await old.fetch_related("beneficiary", "school_year")
        if old.status == CardStatus.EXPIRED:
            raise DomainError(
                ErrorCode.INVALID_STATE, "Cette carte a expiré : pas de remplacement."
            )
        if old.status != CardStatus.OPPOSED:
            await Card.filter(id=old.id).update(
                status=CardStatus.OPPOSED, opposed_at=clock.now(), opposition_reason="replaced"
            )
        new = await issue_card(old.beneficiary, old.school_year, CardKind.PHYSICAL, replaces=old)
        await record(
            actor,
            "card.replaced",
            old,
            before={"code": card_codes.mask_code(old.code)},
            after={"newCardId": str(new.id)},
        )
    return new


def _pin_hash(card_id: UUID, pin: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"{card_id}:{pin}".encode(), hashlib.sha256).hexdigest()


async def set_pin(viewer: Viewer, card_id: UUID, pin: str) -> Card:
    if not _PIN.fullmatch(pin or ""):
        raise invalid("pin", "Le code PIN comporte 4 chiffres.")
    async with atomic():
        card = await holder_card(viewer, card_id)
        if card.pin_locked_at is not None:
            raise DomainError(ErrorCode.PIN_LOCKED, "Carte bloquée : contactez la hotline.")
        await Card.filter(id=card.id).update(pin_hash=_pin_hash(card.id, pin), pin_failures=0)
        await card.refresh_from_db()
    return card


async def check_pin(card: Card, pin: str | None) -> None:
    """Verify the PIN the holder typed at a till that asks for one. Only a PIN actually typed
    and wrong counts: a request without one (absent, empty, blank) or with something that
    cannot be a PIN counts nothing, or anyone knowing a card's code could lock it. Each wrong
    PIN is counted by its own UPDATE, so attempts sent together (aliases, batches) count one
    by one; the third locks the card."""
    if card.pin_locked_at is not None:
        raise DomainError(ErrorCode.PIN_LOCKED, "Carte bloquée après trois codes PIN erronés.")
    if card.pin_hash is None:
        raise DomainError(
            ErrorCode.PIN_NOT_SET,
            "Cette carte n'a pas encore de code PIN : le titulaire doit en choisir un "
            "dans son espace CJeune.",
            "pin",
        )
    typed = (pin or "").strip()
    if not typed:
        raise DomainError(
            ErrorCode.PIN_REQUIRED,
            "Le titulaire de la carte doit taper son code PIN pour valider le paiement.",
            "pin",
        )
    if not _PIN.fullmatch(typed):
        raise invalid("pin", "Le code PIN comporte 4 chiffres.")
    if hmac.compare_digest(_pin_hash(card.id, typed), card.pin_hash):
        if card.pin_failures:
            await Card.filter(id=card.id, pin_locked_at__isnull=True).update(pin_failures=0)
        return
    async with atomic():
        counted = await Card.filter(
            id=card.id, pin_locked_at__isnull=True, pin_failures__lt=MAX_PIN_FAILURES
        ).update(pin_failures=F("pin_failures") + 1)
        # flat=True gives the values, which Tortoise types as tuples.
        failures = cast(
            "list[int]", await Card.filter(id=card.id).values_list("pin_failures", flat=True)
        )
        if counted and failures[0] >= MAX_PIN_FAILURES:
            await Card.filter(id=card.id).update(pin_locked_at=clock.now())
    if not counted or failures[0] >= MAX_PIN_FAILURES:
        raise DomainError(
            ErrorCode.PIN_LOCKED,
            "Code PIN erroné : la carte est maintenant "
            "bloquée. Le jeune doit contacter la hotline.",
            "pin",
        )
    left = MAX_PIN_FAILURES - failures[0]
    raise DomainError(
        ErrorCode.PIN_INCORRECT,
        f"Code PIN erroné. Encore {left} essai{'s' if left > 1 else ''}.",
        "pin",
    )


async def unlock_pin(actor: Viewer, card_id: UUID) -> Card:
    async with atomic():
        card = await Card.select_for_update().get_or_none(id=card_id)
        if card is None:
            raise not_found("Carte")
        before = {"pinFailures": card.pin_failures, "locked": card.pin_locked_at is not None}
        await Card.filter(id=card.id).update(pin_failures=0, pin_locked_at=None)
        await record(
            actor,
            "card.pin_unlocked",
            card,
            before=before,
            after={"pinFailures": 0, "locked": False},
        )
        await card.refresh_from_db()
    return card


YOUNG_ADULT_AGES = (16, 25)
_COMMUNE_13 = re.compile(r"13[0-9]{3}")


async def request_digital_card(viewer: Viewer, commune_code: str) -> Card:
    """A 16-25-year-old living in the Bouches-du-Rhône gets a digital card for the deals
    (no wallet). Middle-schoolers receive theirs through their school's import."""
    user = viewer.user
    assert user is not None and user.birth_date is not None
    commune_code = (commune_code or "").strip()
    if not _COMMUNE_13.fullmatch(commune_code):
        raise invalid(
            "communeCode",
            "La carte CJeune est réservée aux jeunes domiciliés dans "
            "les Bouches-du-Rhône (code commune INSEE en 13).",
        )
    age = clock.age_on(user.birth_date, clock.paris_today())
    if not YOUNG_ADULT_AGES[0] <= age <= YOUNG_ADULT_AGES[1]:
        raise DomainError(
            ErrorCode.AGE_NOT_ELIGIBLE,
            "La carte dématérialisée est réservée aux "
            "16-25 ans : les collégiens reçoivent leur carte par leur collège.",
        )
    year = await school_year_on(clock.paris_today())
    if year is None:
        raise DomainError(ErrorCode.INVALID_STATE, "Aucune année scolaire n'est ouverte.")
    async with atomic():
        beneficiary = await Beneficiary.select_for_update().get_or_none(user_id=user.id)
        if beneficiary is None:
            beneficiary = await Beneficiary.create(
                kind=BeneficiaryKind.YOUNG_ADULT,
                first_name=user.first_name,
                last_name=user.last_name,
                birth_date=user.birth_date,
                commune_code=commune_code,
                user_id=user.id,
            )
        existing = await Card.get_or_none(
            beneficiary_id=beneficiary.id,
            school_year_id=year.id,
            status__in=[CardStatus.ACTIVE, CardStatus.NOT_ACTIVATED],
        )
        if existing is not None:
            return existing
        return await issue_card(beneficiary, year, CardKind.DIGITAL)
