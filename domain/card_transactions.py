"""The partner's "effectuer une transaction": look a card up, debit a wallet, cancel the
same day; support staff regularise afterwards. The hot path of the whole platform."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import cache
from uuid import UUID

from tortoise.exceptions import IntegrityError

from domain import card_codes, clock, ledger, lookup_limits
from domain.audit import record
from domain.card_states import CardState, partner_message, state_of
from domain.cards import check_pin
from domain.errors import DomainError, ErrorCode, invalid, not_found
from domain.money import format_euros, parse_euros
from domain.notifications import notify
from domain.transactions import atomic
from domain.viewer import Viewer
from models import fixed_sql
from models.cards import Beneficiary, Card, SchoolYear, SchoolYearWallet
from models.ledger import AccountKind, LedgerAccount
from models.ledger import LedgerTransactionKind as Kind
from models.partners import DelegatePermission, Partner
from models.transactions import CardTransaction, TransactionStatus

_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
UNKNOWN_CARD = DomainError(
    ErrorCode.CARD_UNKNOWN, "Carte inconnue : vérifiez le code saisi.", "code"
)


@dataclass(frozen=True)
class WalletBalance:
    kind: str
    label: str
    balance_cents: int


@dataclass(frozen=True)
class CardLookup:
    card: Card
    state: CardState
    message: str | None
    holder: Beneficiary | None  # only for a usable card: what the identity check needs
    age: int | None
    wallets: list[WalletBalance]
    pin_required: bool


async def _find_card(viewer: Viewer, partner_id: UUID, typed_code: str) -> Card:
    assert viewer.user is not None
    await lookup_limits.count_lookup(viewer.user.id, partner_id)
    code = card_codes.normalize_code(typed_code or "")
    card = await _card_with_holder_and_year(code) if code is not None else None
    if card is None:
        await lookup_limits.count_unknown_code(viewer.user.id, partner_id)
        raise UNKNOWN_CARD
    return card


@cache
def _card_sql() -> str:
    return fixed_sql.select(
        [(Card, "c"), (Beneficiary, "b"), (SchoolYear, "y")],
        "FROM cards c JOIN beneficiaries b ON b.id = c.beneficiary_id "
        "JOIN school_years y ON y.id = c.school_year_id WHERE c.code = $1",
    )


async def _card_with_holder_and_year(code: str) -> Card | None:
    """`Card.get_or_none(code=…).select_related("beneficiary", "school_year")`, in fixed SQL."""
    rows = await fixed_sql.fetch_rows(_card_sql(), [code])
    if not rows:
        return None
    card = fixed_sql.hydrate(Card, rows[0], "c")
    fixed_sql.attach(card, "beneficiary", fixed_sql.hydrate(Beneficiary, rows[0], "b"))
    fixed_sql.attach(card, "school_year", fixed_sql.hydrate(SchoolYear, rows[0], "y"))
    return card


async def _partner(viewer: Viewer, partner_id: UUID) -> Partner:
    """The partner, as loaded with the viewer's delegation when there is one."""
    delegation = viewer.delegation(partner_id)
    loaded = getattr(delegation, "_partner", None) if delegation is not None else None
    return loaded if isinstance(loaded, Partner) else await Partner.get(id=partner_id)


async def _state(card: Card) -> CardState:
    state = state_of(card, card.school_year)
    if state == CardState.EXPIRED:
        newer = await Card.filter(
            beneficiary_id=card.beneficiary_id,
            school_year__starts_on__gt=card.school_year.starts_on,
        ).exists()
        return CardState.OBSOLETE if newer else state
    return state


async def wallet_balances(card: Card, kinds: list[str] | None = None) -> list[WalletBalance]:
    """The card's wallets of its school year (only `kinds`, if given), sorted by kind."""
    query = LedgerAccount.filter(
        kind=AccountKind.WALLET,
        beneficiary_id=card.beneficiary_id,
        school_year_id=card.school_year_id,
    )
    if kinds is not None:
        query = query.filter(wallet_kind__in=kinds)
    labels = await _wallet_labels(card.school_year_id)
    return sorted(
        (
            WalletBalance(
                a.wallet_kind, labels.get(a.wallet_kind, a.wallet_kind), a.balance_cents or 0
            )
            for a in await query
        ),
        key=lambda w: w.kind,
    )


_labels: dict[UUID, dict[str, str]] = {}


async def _wallet_labels(school_year_id: UUID) -> dict[str, str]:
    """Wallet types are set when a year is created and never change: remembered per year."""
    if school_year_id not in _labels:
        rows = await SchoolYearWallet.filter(school_year_id=school_year_id).values_list(
            "kind", "label"
        )
        _labels[school_year_id] = dict(rows)
    return _labels[school_year_id]


async def wallet_label(school_year_id: UUID, kind: str) -> str:
    return (await _wallet_labels(school_year_id)).get(kind, kind)


async def lookup_card(viewer: Viewer, partner_id: UUID, typed_code: str) -> CardLookup:
    partner = await _partner(viewer, partner_id)
    card = await _find_card(viewer, partner_id, typed_code)
    state = await _state(card)
    message = partner_message(state, card.school_year)
    if state != CardState.ACTIVE:
        # Nothing about the holder of a card that cannot be used (lost, stolen, not theirs).
        return CardLookup(card, state, message, None, None, [], partner.requires_pin)
    holder = card.beneficiary
    return CardLookup(
        card,
        state,
        message,
        holder,
        clock.age_on(holder.birth_date, clock.paris_today()),
        await wallet_balances(card, partner.debitable_wallets),
        partner.requires_pin,
    )


@dataclass(frozen=True)
class DebitRequest:
    partner_id: UUID
    card_code: str
    wallet_kind: str
    amount: str
    idempotency_key: str
    pin: str | None = None


def _fingerprint(code: str, wallet_kind: str, amount_cents: int) -> str:
    return hashlib.sha256(f"{code}|{wallet_kind}|{amount_cents}".encode()).hexdigest()


async def _replayed(partner_id: UUID, key: str, fingerprint: str) -> CardTransaction | None:
    existing = await CardTransaction.get_or_none(partner_id=partner_id, idempotency_key=key)
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "Cette clé d'idempotence a déjà servi pour une autre transaction.",
            "idempotencyKey",
        )
    return existing


async def debit_card(viewer: Viewer, request: DebitRequest) -> CardTransaction:
    """Debit a wallet once per idempotency key: a replay returns the first result."""
    assert viewer.user is not None
    if not _IDEMPOTENCY_KEY.fullmatch(request.idempotency_key or ""):
        raise invalid(
            "idempotencyKey",
            "Clé d'idempotence invalide (8 à 64 caractères parmi lettres, chiffres, - et _).",
        )
    amount_cents = parse_euros(request.amount)
    code = card_codes.normalize_code(request.card_code or "") or ""
    fingerprint = _fingerprint(code, request.wallet_kind, amount_cents)
    if existing := await _replayed(request.partner_id, request.idempotency_key, fingerprint):
        return existing
    partner = await _partner(viewer, request.partner_id)
    if request.wallet_kind not in partner.debitable_wallets:
        raise DomainError(
            ErrorCode.WALLET_NOT_ALLOWED,
            "Votre convention ne vous permet pas de débiter ce porte-monnaie.",
            "walletKind",
        )
    card = await _find_card(viewer, partner.id, request.card_code)
    state = await _state(card)
    if state != CardState.ACTIVE:
        raise DomainError(
            ErrorCode.PIN_LOCKED if state == CardState.PIN_LOCKED else ErrorCode.CARD_NOT_USABLE,
            partner_message(state, card.school_year) or "Carte inutilisable.",
            "code",
        )
    if partner.requires_pin:
        await check_pin(card, request.pin)  # counted outside the debit: a failure sticks
    wallet = await LedgerAccount.get_or_none(
        kind=AccountKind.WALLET,
        beneficiary_id=card.beneficiary_id,
        school_year_id=card.school_year_id,
        wallet_kind=request.wallet_kind,
    )
    if wallet is None:
        raise DomainError(
            ErrorCode.WALLET_NOT_ALLOWED,
            "Ce jeune n'a pas ce porte-monnaie : il bénéficie uniquement des bons plans.",
            "walletKind",
        )
    payable = await ledger.payable_account(partner.id)
    try:
        return await _record_debit(
            viewer, partner, card, wallet, payable, request, amount_cents, fingerprint
        )
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its result.
        existing = await _replayed(request.partner_id, request.idempotency_key, fingerprint)
        if existing is None:
            raise
        return existing


async def _record_debit(
    viewer: Viewer,
    partner: Partner,
    card: Card,
    wallet: LedgerAccount,
    payable: LedgerAccount,
    request: DebitRequest,
    amount_cents: int,
    fingerprint: str,
) -> CardTransaction:
    reference = "T" + "".join(secrets.choice(card_codes.ALPHABET) for _ in range(11))
    async with atomic():
        posted = await ledger.post(
            Kind.CARD_DEBIT,
            f"Débit {reference} chez {partner.trade_name}",
            [ledger.Line(wallet, -amount_cents), ledger.Line(payable, amount_cents)],
        )
        transaction = await CardTransaction.create(
            reference=reference,
            partner_id=partner.id,
            delegate_user_id=viewer.user.id,
            card_id=card.id,
            wallet_id=wallet.id,
            wallet_kind=request.wallet_kind,
            amount_cents=amount_cents,
            idempotency_key=request.idempotency_key,
            request_fingerprint=fingerprint,
            ledger_transaction_id=posted.id,
            created_at=clock.now(),
        )
        balance = wallet.balance_cents or 0  # moved by ledger.post
        await record(
            viewer,
            "transaction.debited",
            transaction,
            partner_id=partner.id,
            after={
                "reference": reference,
                "amountCents": amount_cents,
                "wallet": request.wallet_kind,
            },
        )
        if card.beneficiary.user_id:
            await notify(
                card.beneficiary.user_id,
                "card_debit",
                "Paiement avec ta carte CJeune",
                f"{partner.trade_name} a débité {format_euros(amount_cents)}. "
                f"Il te reste {format_euros(balance)} sur ce porte-monnaie.",
                {
                    "transactionId": str(transaction.id),
                    "amountCents": amount_cents,
                    "balanceCents": balance,
                    "wallet": request.wallet_kind,
                },
            )
    return transaction


async def _reverse(
    viewer: Viewer,
    transaction: CardTransaction,
    status: TransactionStatus,
    reason: str | None,
    kind: Kind,
) -> CardTransaction:
    """Put the money back in the wallet; the transaction will never be reimbursed."""
    async with atomic():
        changed = await CardTransaction.filter(
            id=transaction.id, status=TransactionStatus.COMPLETED
        ).update(
            status=status,
            reversed_at=clock.now(),
            reversed_by_id=viewer.user.id,
            reversal_reason=reason,
        )
        if not changed:
            raise DomainError(ErrorCode.INVALID_STATE, "Cette transaction a déjà été annulée.")
        wallet = await LedgerAccount.get(id=transaction.wallet_id)
        payable = await ledger.payable_account(transaction.partner_id)
        posted = await ledger.post(
            kind,
            f"Annulation {transaction.reference}",
            [
                ledger.Line(wallet, transaction.amount_cents),
                ledger.Line(payable, -transaction.amount_cents),
            ],
        )
        await CardTransaction.filter(id=transaction.id).update(reversal_id=posted.id)
        await transaction.refresh_from_db()
        await record(
            viewer,
            f"transaction.{status.value}",
            transaction,
            partner_id=transaction.partner_id,
            before={"status": TransactionStatus.COMPLETED.value},
            after={"status": status.value, "reason": reason},
        )
        card = await Card.get(id=transaction.card_id).select_related("beneficiary")
        if card.beneficiary.user_id:
            await notify(
                card.beneficiary.user_id,
                f"card_{status.value}",
                "Transaction annulée",
                f"Le paiement de {format_euros(transaction.amount_cents)} a été annulé : "
                "la somme est de nouveau sur ta carte.",
                {"transactionId": str(transaction.id)},
            )
    return transaction


async def cancel_transaction(viewer: Viewer, transaction_id: UUID) -> CardTransaction:
    transaction = await CardTransaction.get_or_none(id=transaction_id)
    if transaction is None or not viewer.may_act_for(
        transaction.partner_id, DelegatePermission.TRANSACTIONS
    ):
        raise not_found("Transaction")
    debit_day = transaction.created_at.astimezone(clock.PARIS).date()
    if clock.paris_today() != debit_day:
        raise DomainError(
            ErrorCode.CANCELLATION_TOO_LATE,
            "L'annulation n'est possible que le jour de la transaction. Passé ce délai, "
            "contactez la hotline pour régulariser.",
        )
    return await _reverse(
        viewer, transaction, TransactionStatus.CANCELLED, None, Kind.CARD_CANCELLATION
    )


async def regularize_transaction(
    viewer: Viewer, transaction_id: UUID, reason: str
) -> CardTransaction:
    reason = " ".join((reason or "").split())
    if len(reason) < 10:
        raise invalid(
            "reason", "Le motif de la régularisation est obligatoire (10 caractères au moins)."
        )
    transaction = await CardTransaction.get_or_none(id=transaction_id)
    if transaction is None:
        raise not_found("Transaction")
    return await _reverse(
        viewer, transaction, TransactionStatus.REGULARIZED, reason[:500], Kind.REGULARIZATION
    )
