"""Types for school years, cards, wallets and card transactions."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry

from domain.cards import codes as card_codes
from domain.cards.states import CardState as CardStateModel
from domain.cards.transactions import CardLookup, WalletBalance
from domain.core.money import format_euros
from models.cards import CardKind as CardKindModel
from models.cards import SchoolYear as SchoolYearModel
from models.transactions import CardTransaction
from models.transactions import TransactionStatus as TransactionStatusModel
from resolvers import receipts
from resolvers.permissions import ANY_STAFF, allow, delegate_of_source
from schema.accounts import Person
from server.context import Info

CardState = strawberry.enum(CardStateModel, name="CardState")
CardKind = strawberry.enum(CardKindModel, name="CardKind")
TransactionStatus = strawberry.enum(TransactionStatusModel, name="TransactionStatus")


@strawberry.type
class WalletType:
    kind: str
    label: str
    amount_cents: int


@strawberry.type
class SchoolYear:
    id: strawberry.ID
    label: str
    starts_on: date
    ends_on: date
    wallet_types: list[WalletType]

    @classmethod
    def from_model(cls, year: SchoolYearModel, wallet_types: list) -> SchoolYear:
        return cls(
            id=strawberry.ID(str(year.id)),
            label=year.label,
            starts_on=year.starts_on,
            ends_on=year.ends_on,
            wallet_types=[
                WalletType(kind=w.kind, label=w.label, amount_cents=w.amount_cents)
                for w in wallet_types
            ],
        )


@strawberry.type(description="One wallet and what is left on it.")
class Wallet:
    kind: str
    label: str
    balance_cents: int

    @strawberry.field(description="The balance formatted in French, e.g. « 100,00 € ».")
    def balance(self) -> str:
        return format_euros(self.balance_cents)

    @classmethod
    def from_balance(cls, wallet: WalletBalance) -> Wallet:
        return cls(kind=wallet.kind, label=wallet.label, balance_cents=wallet.balance_cents)


@strawberry.type(description="What the partner needs to check the holder's identity.")
class CardHolder:
    first_name: str
    last_name: str
    age: int
    photo_url: str | None


@strawberry.type(description="The answer to a card lookup at the till.")
class CardCheck:
    card_code: str
    state: CardState
    unusable_reason: str | None = strawberry.field(
        description="Why the card cannot be used, in the guide's words; null when it can."
    )
    holder: CardHolder | None
    wallets: list[Wallet] = strawberry.field(
        description="The wallets this partner may debit, with their balances."
    )
    pin_required: bool

    @classmethod
    def from_lookup(cls, lookup: CardLookup) -> CardCheck:
        holder = None
        if lookup.holder is not None and lookup.age is not None:
            holder = CardHolder(
                first_name=lookup.holder.first_name,
                last_name=lookup.holder.last_name,
                age=lookup.age,
                photo_url=lookup.holder.photo_url,
            )
        return cls(
            card_code=card_codes.format_code(lookup.card.code),
            state=lookup.state,
            unusable_reason=lookup.message,
            holder=holder,
            wallets=[Wallet.from_balance(w) for w in lookup.wallets],
            pin_required=lookup.pin_required,
        )


@strawberry.type(description="A debit of a wallet by a partner, and what became of it.")
class Transaction:
    id: strawberry.ID
    reference: str
    amount_cents: int
    wallet_kind: str
    status: TransactionStatus
    created_at: datetime
    reversed_at: datetime | None
    reversal_reason: str | None
    masked_card_code: str
    partner_id: strawberry.ID
    delegate_user_id: strawberry.Private[UUID]
    wallet_id: strawberry.Private[UUID]

    @strawberry.field
    def amount(self) -> str:
        return format_euros(self.amount_cents)

    @strawberry.field
    async def partner_name(self, info: Info) -> str:
        partner = await info.context.loaders.partner.load(UUID(self.partner_id))
        return partner.trade_name if partner else ""

    @strawberry.field(
        description=(
            "The ticket a terminal's thermal printer prints, one string per line of `width` "
            "characters (32 on 58 mm paper, 48 on 80 mm; 24 to 64)."
        )
    )
    async def receipt(self, info: Info, width: int = 32) -> list[str]:
        return await receipts.transaction_receipt(info, self, width)

    @strawberry.field(
        extensions=allow(ANY_STAFF, delegate_of_source(partner_field="partner_id")),
        description="Who recorded it (the partner's own people and staff only).",
    )
    async def delegate(self, info: Info) -> Person | None:
        user = await info.context.loaders.user.load(self.delegate_user_id)
        return Person.from_model(user) if user else None

    @classmethod
    def from_model(cls, transaction: CardTransaction, card_code: str) -> Transaction:
        return cls(
            id=strawberry.ID(str(transaction.id)),
            reference=transaction.reference,
            amount_cents=transaction.amount_cents,
            wallet_kind=transaction.wallet_kind,
            status=transaction.status,
            created_at=transaction.created_at,
            reversed_at=transaction.reversed_at,
            reversal_reason=transaction.reversal_reason,
            masked_card_code=card_codes.mask_code(card_code),
            partner_id=strawberry.ID(str(transaction.partner_id)),
            delegate_user_id=transaction.delegate_user_id,
            wallet_id=transaction.wallet_id,
        )


@strawberry.type
class TransactionPage:
    transactions: list[Transaction]
    next_cursor: str | None


@strawberry.type(description="A card of the signed-in young person.")
class MyCard:
    id: strawberry.ID
    code: str
    qr_payload: str
    kind: CardKind
    state: CardState
    school_year: str
    pin_set: bool
    wallets: list[Wallet]


@strawberry.type
class TransactionSuccess:
    transaction: Transaction


@strawberry.type
class CardSuccess:
    card: MyCard


@strawberry.type
class SchoolYearSuccess:
    school_year: SchoolYear


@strawberry.input
class DebitInput:
    partner_id: strawberry.ID
    code: str = strawberry.field(description="The typed code or the scanned QR payload.")
    wallet_kind: str
    amount: str = strawberry.field(description="In euros, at most two decimals: « 10,55 ».")
    idempotency_key: str = strawberry.field(
        description="Chosen by the terminal for this payment; resending it never debits twice."
    )
    pin: str | None = None


@strawberry.input
class WalletTypeInput:
    kind: str
    label: str
    amount: str = strawberry.field(description="In euros: « 100 ».")


@strawberry.input
class CreateSchoolYearInput:
    starts_on: date
    wallet_types: list[WalletTypeInput] | None = strawberry.field(
        default=None, description="Default: sport/culture/loisirs 100 €, soutien scolaire 50 €."
    )


@strawberry.type
class RejectedRow:
    line: int
    reason: str


@strawberry.type(description="What an import of middle-schoolers did.")
class ImportReport:
    created: int
    already_present: int
    cards_issued: int
    rejected: list[RejectedRow]
