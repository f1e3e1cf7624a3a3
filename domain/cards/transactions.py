"""The partner's "effectuer une transaction": look a card up, debit a wallet, cancel the
same day; support staff regularise afterwards. The hot path of the whole platform."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID, uuid4

from tortoise.exceptions import IntegrityError

from domain.accounts.viewer import Viewer
from domain.cards import codes as card_codes
from domain.cards import ledger, lookup_limits, queries
from domain.cards.lifecycle import check_pin
from domain.cards.queries import DebitRows, write_debit
from domain.cards.school_years import is_current
from domain.cards.states import CardState, partner_message, state_of
from domain.cards.wallets import wallet_kind
from domain.core import clock
from domain.core.audit import announce as announce_audit_entry
from domain.core.audit import record, terminal_fields
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.money import format_euros, parse_euros
from domain.core.text import clean_text
from domain.core.transactions import atomic, committed
from domain.notifications.notify import announce as announce_notification
from domain.notifications.notify import notify
from domain.partners.pin_policy import PaymentChannel, pin_required
from infra.settings import get_settings
from models import sql
from models.cards import Beneficiary, Card, SchoolYearWallet
from models.ledger import AccountKind, LedgerAccount
from models.ledger import LedgerTransactionKind as Kind
from models.notifications import Notification
from models.partners import Delegate, DelegatePermission, DelegateStatus, Partner
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
    partner_id: UUID  # the partner whose till looked the card up
    card: Card
    state: CardState
    message: str | None
    holder: Beneficiary | None  # only for a usable card: what the identity check needs
    age: int | None
    wallets: list[WalletBalance]
    pin_required: bool


@dataclass(frozen=True)
class FoundCard:
    """A card with its holder and school year, and the wallets of that year."""

    card: Card
    wallets: list[LedgerAccount]

    def wallet(self, kind: str) -> LedgerAccount | None:
        return next((w for w in self.wallets if w.wallet_kind == kind), None)


async def find_card(viewer: Viewer, partner_id: UUID, typed_code: str) -> FoundCard:
    """The card a till typed or scanned (with its holder and year), counted against the
    lookup limits; CARD_UNKNOWN when there is none."""
    await lookup_limits.count_lookup(viewer.till_key, partner_id)
    code = card_codes.normalize_code(typed_code or "")
    found = await _card_with_wallets(code) if code is not None else None
    if found is None:
        await lookup_limits.count_unknown_code(viewer.till_key, partner_id)
        raise UNKNOWN_CARD
    return found


async def _card_with_wallets(code: str) -> FoundCard | None:
    found = await queries.card_with_wallets(code)
    return FoundCard(*found) if found is not None else None


async def _partner(viewer: Viewer, partner_id: UUID) -> Partner:
    """The partner, as loaded with the viewer's delegation (or terminal) when there is one."""
    terminal = viewer.terminal
    if terminal is not None and terminal.partner is not None and terminal.partner_id == partner_id:
        return terminal.partner
    delegation = viewer.delegation(partner_id)
    loaded = getattr(delegation, "_partner", None) if delegation is not None else None
    return loaded if isinstance(loaded, Partner) else await Partner.get(id=partner_id)


async def card_state(card: Card) -> CardState:
    """The card's state at the till: an expired card replaced by a newer year's is OBSOLETE."""
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
    return await _balances(card.school_year_id, await query)


async def _balances(school_year_id: UUID, wallets: list[LedgerAccount]) -> list[WalletBalance]:
    labels = await _wallet_labels(school_year_id)
    return sorted(
        (
            WalletBalance(  # a wallet always has its kind (null on the other accounts)
                a.wallet_kind,  # type: ignore[arg-type]
                labels.get(a.wallet_kind, a.wallet_kind),  # type: ignore[arg-type]
                a.balance_cents or 0,
            )
            for a in wallets
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


async def lookup_card(
    viewer: Viewer,
    partner_id: UUID,
    typed_code: str,
    channel: PaymentChannel = PaymentChannel.TILL,
) -> CardLookup:
    if viewer.is_terminal:
        channel = PaymentChannel.TERMINAL  # a terminal is one, whatever it says
    partner = await _partner(viewer, partner_id)
    found = await find_card(viewer, partner_id, typed_code)
    card = found.card
    state = await card_state(card)
    message = partner_message(state, card.school_year)
    needs_pin = pin_required(partner, channel)
    if state != CardState.ACTIVE:
        # Nothing about the holder of a card that cannot be used (lost, stolen, not theirs).
        return CardLookup(partner_id, card, state, message, None, None, [], needs_pin)
    holder = card.beneficiary
    debitable = [w for w in found.wallets if w.wallet_kind in partner.debitable_wallets]
    return CardLookup(
        partner_id,
        card,
        state,
        message,
        holder,
        clock.age_on(holder.birth_date, clock.paris_today()),
        await _balances(card.school_year_id, debitable),
        needs_pin,
    )


@dataclass(frozen=True)
class DebitRequest:
    partner_id: UUID
    card_code: str
    wallet_kind: str
    amount: str
    idempotency_key: str
    pin: str | None = None
    channel: PaymentChannel = PaymentChannel.TILL


def _fingerprint(code: str, wallet_kind: str, amount_cents: int) -> str:
    return hashlib.sha256(f"{code}|{wallet_kind}|{amount_cents}".encode()).hexdigest()


async def _replayed(partner_id: UUID, key: str, fingerprint: str) -> CardTransaction | None:
    """The transaction this partner already made with this key, if the request is the same."""
    existing = await queries.transaction_by_key(partner_id, key)
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "Cette clé d'idempotence a déjà servi pour une autre transaction.",
            "idempotencyKey",
        )
    return existing


async def debit_card(viewer: Viewer, request: DebitRequest) -> CardTransaction:
    """Debit a wallet once per idempotency key: a replay returns the first result."""
    if viewer.is_terminal:
        request = replace(request, channel=PaymentChannel.TERMINAL)
    if not _IDEMPOTENCY_KEY.fullmatch(request.idempotency_key or ""):
        raise invalid(
            "idempotencyKey",
            "Clé d'idempotence invalide (8 à 64 caractères parmi lettres, chiffres, - et _).",
        )
    amount_cents = parse_euros(request.amount)
    code = card_codes.normalize_code(request.card_code or "") or ""
    fingerprint = _fingerprint(code, request.wallet_kind, amount_cents)
    partner = await _partner(viewer, request.partner_id)
    if pin_required(partner, request.channel) and (
        existing := await _replayed(partner.id, request.idempotency_key, fingerprint)
    ):
        return existing  # before the PIN is checked again: a failure there would stick
    try:
        return await _checked_debit(viewer, partner, request, amount_cents, fingerprint)
    except (DomainError, IntegrityError):
        # A replay is found when it fails: the key's unique index refuses the second write
        # (from a replay, or a concurrent request that won the race), and anything that now
        # stops the debit (a balance since spent, a card since lost) must not hide the
        # first result. The common path, a new key, costs no query for it.
        existing = await _replayed(partner.id, request.idempotency_key, fingerprint)
        if existing is None:
            raise
        return existing


async def _checked_debit(
    viewer: Viewer, partner: Partner, request: DebitRequest, amount_cents: int, fingerprint: str
) -> CardTransaction:
    if wallet_kind(request.wallet_kind) not in partner.debitable_wallets:
        raise DomainError(
            ErrorCode.WALLET_NOT_ALLOWED,
            "Votre convention ne vous permet pas de débiter ce porte-monnaie.",
            "walletKind",
        )
    found = await find_card(viewer, partner.id, request.card_code)
    card = found.card
    state = await card_state(card)
    if state != CardState.ACTIVE:
        raise DomainError(
            ErrorCode.PIN_LOCKED if state == CardState.PIN_LOCKED else ErrorCode.CARD_NOT_USABLE,
            partner_message(state, card.school_year) or "Carte inutilisable.",
            "code",
        )
    if pin_required(partner, request.channel):
        await check_pin(card, request.pin)  # counted outside the debit: a failure sticks
    wallet = found.wallet(request.wallet_kind)
    if wallet is None:
        raise DomainError(
            ErrorCode.WALLET_NOT_ALLOWED,
            "Ce jeune n'a pas ce porte-monnaie : il bénéficie uniquement des bons plans.",
            "walletKind",
        )
    payable = await ledger.payable_account(partner.id)
    return await _record_debit(
        viewer, partner, card, wallet, payable, request, amount_cents, fingerprint
    )


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
    """Write the debit's rows: in one statement on PostgreSQL, one by one on SQLite."""
    reference = "T" + "".join(secrets.choice(card_codes.ALPHABET) for _ in range(11))
    rows = DebitRows(
        transaction_id=uuid4(),
        reference=reference,
        partner_id=partner.id,
        delegate_user_id=viewer.acting_user_id,
        terminal_id=viewer.terminal.id if viewer.terminal is not None else None,
        card_id=card.id,
        wallet_id=wallet.id,
        payable_id=payable.id,
        wallet_kind=request.wallet_kind,
        amount_cents=amount_cents,
        idempotency_key=request.idempotency_key,
        fingerprint=fingerprint,
        ledger_description=f"Débit {reference} chez {partner.trade_name}",
        at=clock.now(),
        actor_kind=viewer.actor_kind,
        client_address=viewer.client_address,
        audit_after={
            "reference": reference,
            "amountCents": amount_cents,
            "wallet": request.wallet_kind,
            **terminal_fields(viewer),
        },
        holder_user_id=card.beneficiary.user_id,
        audit_action="transaction.debited",
        notification_id=uuid4(),
        notification_kind="card_debit",
        notification_title="Paiement avec ta carte CJeune",
        body_before_balance=f"{partner.trade_name} a débité {format_euros(amount_cents)}. "
        "Il te reste ",
        body_after_balance=" sur ce porte-monnaie.",
    )
    try:
        if sql.is_postgres():
            return await _write_in_one_statement(wallet, rows)
        return await _write_row_by_row(viewer, wallet, payable, rows)
    except ledger.InsufficientBalance:
        # The write refuses a day outside the card's school year as it refuses a short
        # balance (a debit in flight at midnight on 31 August): say which.
        if is_current(card.school_year, rows.at):
            raise
        state = state_of(card, card.school_year, at=rows.at)  # not yet valid, or expired
        raise DomainError(
            ErrorCode.CARD_NOT_USABLE, partner_message(state, card.school_year) or "", "code"
        ) from None


def _notice_body(rows: DebitRows, balance_cents: int) -> str:
    return rows.body_before_balance + format_euros(balance_cents) + rows.body_after_balance


def _notice_data(rows: DebitRows, balance_cents: int) -> dict[str, object]:
    return {
        "transactionId": str(rows.transaction_id),
        "amountCents": rows.amount_cents,
        "balanceCents": balance_cents,
        "wallet": rows.wallet_kind,
    }


async def _write_row_by_row(
    viewer: Viewer, wallet: LedgerAccount, payable: LedgerAccount, rows: DebitRows
) -> CardTransaction:
    """SQLite (no data-modifying CTEs): the statement's rows, one by one in atomic()."""
    async with atomic():
        posted = await ledger.post(
            Kind.CARD_DEBIT,
            rows.ledger_description,
            [ledger.Line(wallet, -rows.amount_cents), ledger.Line(payable, rows.amount_cents)],
            spent_on=rows.at.astimezone(clock.PARIS).date(),
        )
        transaction = await CardTransaction.create(
            id=rows.transaction_id,
            reference=rows.reference,
            partner_id=rows.partner_id,
            delegate_user_id=rows.delegate_user_id,
            terminal_id=rows.terminal_id,
            card_id=rows.card_id,
            wallet_id=rows.wallet_id,
            wallet_kind=rows.wallet_kind,
            amount_cents=rows.amount_cents,
            idempotency_key=rows.idempotency_key,
            request_fingerprint=rows.fingerprint,
            ledger_transaction_id=posted.id,
            created_at=rows.at,
        )
        await record(
            viewer,
            rows.audit_action,
            transaction,
            partner_id=rows.partner_id,
            after=rows.audit_after,
        )
        balance = wallet.balance_cents or 0  # moved by ledger.post
        if rows.holder_user_id:
            await notify(
                rows.holder_user_id,
                rows.notification_kind,
                rows.notification_title,
                _notice_body(rows, balance),
                _notice_data(rows, balance),
            )
    return transaction


async def _write_in_one_statement(wallet: LedgerAccount, rows: DebitRows) -> CardTransaction:
    """PostgreSQL: the debit statement (domain/cards/queries.py); its side effects are
    announced here."""
    written = await write_debit(rows)
    if written is None:
        raise ledger.InsufficientBalance()
    wallet.balance_cents = written.balance_cents
    async with committed():
        await announce_audit_entry(rows.partner_id, written.audit_entry_id)
        if rows.holder_user_id:
            await announce_notification(
                Notification(
                    id=rows.notification_id,
                    user_id=rows.holder_user_id,
                    kind=rows.notification_kind,
                    title=rows.notification_title,
                    body=_notice_body(rows, written.balance_cents),
                    data=_notice_data(rows, written.balance_cents),
                    created_at=rows.at,
                )
            )
    return written.transaction


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
            reversed_by_id=viewer.acting_user_id,
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
        if status == TransactionStatus.REGULARIZED:
            await _tell_partner_of_regularization(transaction, reason or "")
    return transaction


async def _tell_partner_of_regularization(transaction: CardTransaction, reason: str) -> None:
    """The hotline changed a transaction after its day: the partner's principal and those
    who see its transactions or its finances hear of it (it leaves their reimbursement)."""
    delegates = await Delegate.filter(
        partner_id=transaction.partner_id, status=DelegateStatus.ACTIVE
    )
    watching = {DelegatePermission.TRANSACTIONS.value, DelegatePermission.FINANCE.value}
    day = transaction.created_at.astimezone(clock.PARIS)
    for delegate in delegates:
        if delegate.is_principal or watching & set(delegate.permissions):
            await notify(
                delegate.user_id,
                "transaction_regularized",
                "Transaction régularisée par le Département",
                f"La transaction {transaction.reference} du {day:%d/%m/%Y} "
                f"({format_euros(transaction.amount_cents)}) a été annulée par l'assistance : "
                f"elle ne vous sera pas remboursée. Motif : {reason}",
                {"transactionId": str(transaction.id), "partnerId": str(transaction.partner_id)},
            )


def on_the_day_of(instant: datetime) -> bool:
    """Whether today (Paris) is the day of `instant`: a partner cancels what it recorded at
    the till that same day only (the guide: « L'annulation doit avoir lieu le jour où la
    transaction a été effectuée »)."""
    return instant.astimezone(clock.PARIS).date() == clock.paris_today()


def is_cancellable(status: TransactionStatus | str, created_at: datetime) -> bool:
    """A transaction the partner may still cancel: completed, and recorded today (Paris)."""
    return status == TransactionStatus.COMPLETED and on_the_day_of(created_at)


def too_late_to_cancel(of_what: str, then: str) -> DomainError:
    return DomainError(
        ErrorCode.CANCELLATION_TOO_LATE,
        f"L'annulation n'est possible que le jour {of_what}. Passé ce délai, contactez la "
        f"hotline au {get_settings().hotline_phone} {then}.",
    )


def may_cancel(viewer: Viewer, partner_id: UUID, terminal_id: UUID | None) -> bool:
    """A delegate with the till's permission cancels the partner's transactions; a terminal
    only its own."""
    if viewer.terminal is not None:
        return terminal_id is not None and viewer.terminal.id == terminal_id
    return viewer.may_act_for(partner_id, DelegatePermission.TRANSACTIONS)


async def cancel_transaction(viewer: Viewer, transaction_id: UUID) -> CardTransaction:
    transaction = await CardTransaction.get_or_none(id=transaction_id)
    if transaction is None or not may_cancel(
        viewer, transaction.partner_id, transaction.terminal_id
    ):
        raise not_found("Transaction")
    if not on_the_day_of(transaction.created_at):
        raise too_late_to_cancel("de la transaction", "pour régulariser")
    return await _reverse(
        viewer, transaction, TransactionStatus.CANCELLED, None, Kind.CARD_CANCELLATION
    )


async def regularize_transaction(
    viewer: Viewer, transaction_id: UUID, reason: str
) -> CardTransaction:
    reason = clean_text("reason", reason, max_length=500)
    if len(reason) < 10:
        raise invalid(
            "reason", "Le motif de la régularisation est obligatoire (10 caractères au moins)."
        )
    transaction = await CardTransaction.get_or_none(id=transaction_id)
    if transaction is None:
        raise not_found("Transaction")
    return await _reverse(
        viewer, transaction, TransactionStatus.REGULARIZED, reason, Kind.REGULARIZATION
    )
