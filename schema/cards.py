"""School years, cards, wallets and card transactions: the types, and the root fields
`CardQueries` and `CardMutations` (composed in schema/root.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from domain.cards import codes as card_codes
from domain.cards.beneficiary_import import ImportReport as ImportReportModel
from domain.cards.states import CardState as CardStateModel
from domain.cards.states import holder_message, state_of
from domain.cards.transactions import CardLookup, WalletBalance
from domain.core import clock
from domain.core.money import format_euros
from models.accounts import StaffRole
from models.cards import CardKind as CardKindModel
from models.cards import SchoolYear as SchoolYearModel
from models.partners import DelegatePermission
from models.partners import WalletKind as WalletKindModel
from models.transactions import CardTransaction
from models.transactions import TransactionStatus as TransactionStatusModel
from resolvers import bon_plan_uses as bon_plan_resolvers
from resolvers import card_photos as card_photo_resolvers
from resolvers import cards as card_resolvers
from resolvers import receipts
from resolvers import transactions as till
from resolvers.cards import HeldCard, YearWithWallets
from resolvers.context import Info
from resolvers.permissions import (
    ANY_STAFF,
    YOUNG_PERSON,
    allow,
    delegate_of_argument,
    delegate_of_source,
    delegate_of_transaction_argument,
    staff,
    terminal_of_argument,
    terminal_of_transaction_argument,
)
from resolvers.transactions import CodedTransaction
from schema.accounts import Person
from schema.bon_plan_uses import UsableBonPlan
from schema.errors import UserError, user_errors
from schema.partners import PaymentChannel, WalletKind

CardState = strawberry.enum(CardStateModel, name="CardState")
_VALID_FROM = "The first day (Paris) the card and its wallets may be used: its year's first day."
_VALID_UNTIL = "The last day (Paris, included) the card may be used: 31 August of its year."
CardKind = strawberry.enum(CardKindModel, name="CardKind")
TransactionStatus = strawberry.enum(TransactionStatusModel, name="TransactionStatus")


@strawberry.type(description="A wallet of a school year and what it credits to each pupil.")
class WalletType:
    kind: WalletKind
    label: str
    amount_cents: int


@strawberry.type
class SchoolYear:
    id: strawberry.ID
    label: str
    starts_on: date
    ends_on: date
    wallet_types: list[WalletType]
    closed_at: datetime | None = strawberry.field(
        default=None, description="When the year-end closing ran (null: not yet)."
    )

    @classmethod
    def from_model(cls, year: SchoolYearModel, wallet_types: list) -> SchoolYear:
        return cls(
            id=strawberry.ID(str(year.id)),
            label=year.label,
            starts_on=year.starts_on,
            ends_on=year.ends_on,
            closed_at=year.closed_at,
            wallet_types=[
                WalletType(kind=WalletKindModel(w.kind), label=w.label, amount_cents=w.amount_cents)
                for w in wallet_types
            ],
        )

    @classmethod
    def with_wallets(cls, found: YearWithWallets) -> SchoolYear:
        return cls.from_model(found.year, found.wallet_types)


@strawberry.type(description="One wallet and what is left on it.")
class Wallet:
    kind: WalletKind
    label: str
    balance_cents: int

    @strawberry.field(description="The balance formatted in French, e.g. « 100,00 € ».")
    def balance(self) -> str:
        return format_euros(self.balance_cents)

    @classmethod
    def from_balance(cls, wallet: WalletBalance) -> Wallet:
        return cls(
            kind=WalletKindModel(wallet.kind),
            label=wallet.label,
            balance_cents=wallet.balance_cents,
        )


@strawberry.type(description="What the partner needs to check the holder's identity.")
class CardHolder:
    first_name: str
    last_name: str
    age: int
    beneficiary_id: strawberry.Private[UUID]

    @strawberry.field(
        description="The holder's photo validated by the département, as a signed link valid "
        "a few minutes (null when there is none): shown only with the holder, to those who "
        "may see them (the holder, the partner that looked the card up, support staff)."
    )
    async def photo_url(self) -> str | None:
        return await card_photo_resolvers.holder_photo_url(self.beneficiary_id)


@strawberry.type(description="The answer to a card lookup at the till.")
class CardCheck:
    card_code: str
    state: CardState
    unusable_reason: str | None = strawberry.field(
        description="Why the card cannot be used, in the guide's words; null when it can."
    )
    valid_from: date = strawberry.field(description=_VALID_FROM)
    valid_until: date = strawberry.field(description=_VALID_UNTIL)
    holder: CardHolder | None
    wallets: list[Wallet] = strawberry.field(
        description="The wallets this partner may debit, with their balances."
    )
    pin_required: bool = strawberry.field(
        description="Whether a debit of this card through the lookup's channel needs the "
        "holder's PIN (the partner's PIN policy)."
    )
    lookup: strawberry.Private[CardLookup]

    @strawberry.field(
        description="The partner's deals the holder may use today, « sur présentation de la "
        "carte » (the 18–25 themes only from 18 to 25); empty when the card cannot be used."
    )
    async def usable_bons_plans(self) -> list[UsableBonPlan]:
        return await UsableBonPlan.list_of(await bon_plan_resolvers.usable_bons_plans(self.lookup))

    @classmethod
    def from_lookup(cls, lookup: CardLookup) -> CardCheck:
        holder = None
        if lookup.holder is not None and lookup.age is not None:
            holder = CardHolder(
                first_name=lookup.holder.first_name,
                last_name=lookup.holder.last_name,
                age=lookup.age,
                beneficiary_id=lookup.holder.id,
            )
        return cls(
            card_code=card_codes.format_code(lookup.card.code),
            state=lookup.state,
            unusable_reason=lookup.message,
            valid_from=lookup.card.school_year.starts_on,
            valid_until=lookup.card.school_year.ends_on,
            holder=holder,
            wallets=[Wallet.from_balance(w) for w in lookup.wallets],
            pin_required=lookup.pin_required,
            lookup=lookup,
        )


@strawberry.type(description="A debit of a wallet by a partner, and what became of it.")
class Transaction:
    id: strawberry.ID
    reference: str
    amount_cents: int
    wallet_kind: WalletKind
    status: TransactionStatus
    created_at: datetime
    reversed_at: datetime | None
    reversal_reason: str | None
    masked_card_code: str
    partner_id: strawberry.ID
    delegate_user_id: strawberry.Private[UUID]
    terminal_id: strawberry.Private[UUID | None]
    wallet_id: strawberry.Private[UUID]

    @strawberry.field
    def amount(self) -> str:
        return format_euros(self.amount_cents)

    @strawberry.field(
        description="Whether the viewer may cancel it now: completed, made today (Paris), and "
        "the viewer holds the till's permission for its partner. After that day, the "
        "hotline regularises (`programme { hotlinePhone }`)."
    )
    def cancellable(self, info: Info) -> bool:
        return till.is_cancellable(
            info, self.partner_id, self.status, self.created_at, self.terminal_id
        )

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
        description=(
            "The same ticket as the bytes an ESC/POS thermal printer prints (code page "
            "CP858, which has the French accents and €; bold amount; feed and cut), in "
            "base64. `width` as for `receipt`."
        )
    )
    async def receipt_escpos(self, info: Info, width: int = 32) -> str:
        return await receipts.transaction_receipt_escpos(info, self, width)

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
            wallet_kind=WalletKindModel(transaction.wallet_kind),
            status=transaction.status,
            created_at=transaction.created_at,
            reversed_at=transaction.reversed_at,
            reversal_reason=transaction.reversal_reason,
            masked_card_code=card_codes.mask_code(card_code),
            partner_id=strawberry.ID(str(transaction.partner_id)),
            delegate_user_id=transaction.delegate_user_id,
            terminal_id=transaction.terminal_id,
            wallet_id=transaction.wallet_id,
        )

    @classmethod
    def with_code(cls, coded: CodedTransaction) -> Transaction:
        transaction, card_code = coded
        return cls.from_model(transaction, card_code)


@strawberry.type
class TransactionPage:
    transactions: list[Transaction]
    next_cursor: str | None

    @classmethod
    def of(cls, page: tuple[list[CodedTransaction], str | None]) -> TransactionPage:
        rows, cursor = page
        return cls(transactions=[Transaction.with_code(t) for t in rows], next_cursor=cursor)


@strawberry.type(description="A card of the signed-in young person.")
class MyCard:
    id: strawberry.ID
    code: str
    qr_payload: str
    kind: CardKind
    state: CardState
    unusable_reason: str | None = strawberry.field(
        description="Why the young person cannot pay with it now; null when they can."
    )
    school_year: str
    valid_from: date = strawberry.field(description=_VALID_FROM)
    valid_until: date = strawberry.field(description=_VALID_UNTIL)
    pin_set: bool
    wallets: list[Wallet]
    holder: CardHolder = strawberry.field(
        description="The card's holder as partners see them at the till (name, age, photo)."
    )

    @classmethod
    def from_held(cls, held: HeldCard) -> MyCard:
        card = held.card
        state = state_of(card, card.school_year)
        beneficiary = card.beneficiary
        return cls(
            id=strawberry.ID(str(card.id)),
            code=card_codes.format_code(card.code),
            qr_payload=card_codes.qr_payload(card.code),
            kind=card.kind,
            state=state,
            unusable_reason=holder_message(state, card.school_year),
            school_year=card.school_year.label,
            valid_from=card.school_year.starts_on,
            valid_until=card.school_year.ends_on,
            pin_set=card.pin_hash is not None,
            wallets=[Wallet.from_balance(w) for w in held.wallets],
            holder=CardHolder(
                first_name=beneficiary.first_name,
                last_name=beneficiary.last_name,
                age=clock.age_on(beneficiary.birth_date, clock.paris_today()),
                beneficiary_id=beneficiary.id,
            ),
        )


@strawberry.type
class TransactionSuccess:
    transaction: Transaction

    @strawberry.field(
        description="The wallet this operation moved, with its balance now (the till shows "
        "it after a debit or a cancellation)."
    )
    async def wallet(self) -> Wallet | None:
        found = await till.wallet_now(self.transaction.wallet_id)
        return Wallet.from_balance(found) if found is not None else None


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
    wallet_kind: WalletKind
    amount: str = strawberry.field(description="In euros, at most two decimals: « 10,55 ».")
    idempotency_key: str = strawberry.field(
        description="Chosen by the terminal for this payment; resending it never debits twice."
    )
    pin: str | None = strawberry.field(
        default=None,
        description="The 4-digit PIN the holder typed, where the partner's PIN policy asks "
        "for one. Absent or blank: PIN_REQUIRED, and nothing is counted against the card.",
    )
    channel: PaymentChannel = strawberry.field(
        default=PaymentChannel.TILL,
        description="Where the debit is made: the partner's till or a payment terminal.",
    )


@strawberry.input(description="A pupil typed by hand: the columns of the schools' file.")
class EligiblePupilInput:
    identifier: str = strawberry.field(description="The school identifier (INE).")
    last_name: str
    first_name: str
    birth_date: date
    school_name: str = ""
    commune_code: str = strawberry.field(description="The INSEE code of the commune (13xxx).")


@strawberry.input(description="A wallet of the year being created and its amount per pupil.")
class WalletTypeInput:
    kind: WalletKind
    label: str | None = strawberry.field(
        default=None, description="Default: the wallet's usual name, e.g. « Soutien scolaire »."
    )
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
    import_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The file's run, kept with this report (`beneficiaryImport`); null for a "
        "pupil added by hand.",
    )

    @classmethod
    def from_report(cls, report: ImportReportModel) -> ImportReport:
        return cls(
            created=report.created,
            already_present=report.already_present,
            cards_issued=report.cards_issued,
            rejected=[RejectedRow(line=r.line, reason=r.reason) for r in report.rejected],
            import_id=strawberry.ID(str(report.saved.id)) if report.saved else None,
        )


ImportResult = Annotated[ImportReport | UserError, strawberry.union("ImportResult")]
CardResult = Annotated[CardSuccess | UserError, strawberry.union("CardResult")]
SchoolYearResult = Annotated[SchoolYearSuccess | UserError, strawberry.union("SchoolYearResult")]
LookupResult = Annotated[CardCheck | UserError, strawberry.union("LookupResult")]
TransactionResult = Annotated[TransactionSuccess | UserError, strawberry.union("TransactionResult")]

SUPPORT = staff(StaffRole.SUPPORT)
_TILL = allow(
    delegate_of_argument("partner_id", DelegatePermission.TRANSACTIONS),
    terminal_of_argument("partner_id"),
)


def _card_answer(held: HeldCard) -> CardSuccess:
    return CardSuccess(card=MyCard.from_held(held))


def _transaction_answer(coded: CodedTransaction) -> TransactionSuccess:
    return TransactionSuccess(transaction=Transaction.with_code(coded))


@strawberry.type
class CardQueries:
    @strawberry.field(extensions=allow(ANY_STAFF))
    async def school_years(self, info: Info) -> list[SchoolYear]:
        return [SchoolYear.with_wallets(y) for y in await card_resolvers.school_years_list(info)]

    @strawberry.field(extensions=allow(YOUNG_PERSON))
    async def my_cards(self, info: Info) -> list[MyCard]:
        return [MyCard.from_held(c) for c in await card_resolvers.my_cards(info)]

    @strawberry.field(extensions=allow(YOUNG_PERSON))
    async def my_transactions(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> TransactionPage | None:
        return TransactionPage.of(await till.my_transactions(info, first, after))

    @strawberry.field(
        extensions=_TILL,
        description="Find a card by typed code or QR payload, for the identity check.",
    )
    @user_errors
    async def lookup_card(
        self,
        info: Info,
        partner_id: strawberry.ID,
        code: str,
        channel: PaymentChannel = PaymentChannel.TILL,
    ) -> LookupResult:
        return CardCheck.from_lookup(await till.lookup_card(info, partner_id, code, channel))

    @strawberry.field(
        extensions=allow(
            staff(StaffRole.SUPPORT, StaffRole.FINANCE),
            delegate_of_argument("partner_id", DelegatePermission.TRANSACTIONS),
            delegate_of_argument("partner_id", DelegatePermission.FINANCE),
        ),
        description="A partner's transactions, newest first, in cursor pages (the till's "
        "« Transactions » tab, the finance view): by Paris day or between instants, by "
        "wallet, status and the person who made them.",
    )
    async def transactions(
        self,
        info: Info,
        partner_id: strawberry.ID,
        since: datetime | None = None,
        until: datetime | None = None,
        wallet_kind: WalletKind | None = None,
        status: TransactionStatus | None = None,
        delegate_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The person (`Person.id`) who made them."),
        ] = None,
        first: int = 50,
        after: str | None = None,
        day: Annotated[
            date | None,
            strawberry.argument(description="One Paris calendar day (with since/until or not)."),
        ] = None,
    ) -> TransactionPage | None:
        return TransactionPage.of(
            await till.transactions(
                info, partner_id, since, until, wallet_kind, status, delegate_id, first, after, day
            )
        )

    @strawberry.field(
        extensions=allow(
            staff(StaffRole.SUPPORT, StaffRole.FINANCE),
            delegate_of_argument("partner_id", DelegatePermission.TRANSACTIONS),
            delegate_of_argument("partner_id", DelegatePermission.FINANCE),
            terminal_of_argument("partner_id"),
        ),
        description="One of the partner's transactions (its ticket, its cancellation); null "
        "when the partner has none of that id. A payment terminal sees only its own.",
    )
    async def transaction(
        self, info: Info, partner_id: strawberry.ID, id: strawberry.ID
    ) -> Transaction | None:
        found = await till.transaction(info, partner_id, id)
        return Transaction.with_code(found) if found is not None else None


@strawberry.type
class CardMutations:
    @strawberry.mutation(extensions=allow(staff(StaffRole.FINANCE)))
    @user_errors
    async def create_school_year(
        self, info: Info, input: CreateSchoolYearInput
    ) -> SchoolYearResult:
        found = await card_resolvers.create_school_year(info, input)
        return SchoolYearSuccess(school_year=SchoolYear.with_wallets(found))

    @strawberry.mutation(
        extensions=allow(SUPPORT),
        description="One eligible pupil not in the schools' file (MFR, IME, lycée pro, CNED…), "
        "with the import's checks: a refused pupil is in `rejected`.",
    )
    @user_errors
    async def add_eligible_pupil(
        self, info: Info, school_year_id: strawberry.ID, input: EligiblePupilInput
    ) -> ImportResult:
        report = await card_resolvers.add_eligible_pupil(info, school_year_id, input)
        return ImportReport.from_report(report)

    @strawberry.mutation(extensions=allow(SUPPORT))
    @user_errors
    async def import_beneficiaries(
        self,
        info: Info,
        school_year_id: strawberry.ID,
        csv: str,
        file_name: Annotated[
            str | None,
            strawberry.argument(description="The file's name, shown with its report."),
        ] = None,
    ) -> ImportResult:
        report = await card_resolvers.import_beneficiaries(info, school_year_id, csv, file_name)
        return ImportReport.from_report(report)

    @strawberry.mutation(extensions=allow(YOUNG_PERSON))
    @user_errors
    async def activate_card(self, info: Info, code: str) -> CardResult:
        return _card_answer(await card_resolvers.activate_card(info, code))

    @strawberry.mutation(
        extensions=allow(YOUNG_PERSON),
        description="16-25: a digital card for the deals (no wallet).",
    )
    @user_errors
    async def request_digital_card(self, info: Info, commune_code: str) -> CardResult:
        return _card_answer(await card_resolvers.request_digital_card(info, commune_code))

    @strawberry.mutation(extensions=allow(YOUNG_PERSON))
    @user_errors
    async def declare_card_lost(
        self, info: Info, card_id: strawberry.ID, stolen: bool = False
    ) -> CardResult:
        return _card_answer(await card_resolvers.declare_card_lost(info, card_id, stolen))

    @strawberry.mutation(extensions=allow(YOUNG_PERSON))
    @user_errors
    async def set_card_pin(self, info: Info, card_id: strawberry.ID, pin: str) -> CardResult:
        return _card_answer(await card_resolvers.set_card_pin(info, card_id, pin))

    @strawberry.mutation(extensions=allow(SUPPORT))
    @user_errors
    async def unlock_card_pin(self, info: Info, card_id: strawberry.ID) -> CardResult:
        return _card_answer(await card_resolvers.unlock_card_pin(info, card_id))

    @strawberry.mutation(extensions=allow(SUPPORT))
    @user_errors
    async def replace_card(self, info: Info, card_id: strawberry.ID) -> CardResult:
        return _card_answer(await card_resolvers.replace_card(info, card_id))

    @strawberry.mutation(extensions=_TILL)
    @user_errors
    async def debit_card(self, info: Info, input: DebitInput) -> TransactionResult:
        return _transaction_answer(await till.debit_card(info, input))

    @strawberry.mutation(
        extensions=allow(
            delegate_of_transaction_argument("transaction_id", DelegatePermission.TRANSACTIONS),
            terminal_of_transaction_argument("transaction_id"),
        ),
        description="The same calendar day (Paris) only; afterwards, the hotline regularises.",
    )
    @user_errors
    async def cancel_transaction(
        self, info: Info, transaction_id: strawberry.ID
    ) -> TransactionResult:
        return _transaction_answer(await till.cancel_transaction(info, transaction_id))

    @strawberry.mutation(extensions=allow(SUPPORT))
    @user_errors
    async def regularize_transaction(
        self, info: Info, transaction_id: strawberry.ID, reason: str
    ) -> TransactionResult:
        return _transaction_answer(await till.regularize_transaction(info, transaction_id, reason))
