"""The support desk (support staff): find a young person or a card, open their record.

Opening a record is a mutation: it writes who opened it and why to the audit trail (the
beneficiary's id only). The record gives the ids the support mutations need
(`unlockCardPin`, `replaceCard` take a card's id; `recordParentalConsent` the account's).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from models.accounts import StaffRole
from models.cards import Beneficiary
from resolvers import support_desk
from resolvers.context import Info
from resolvers.permissions import allow, staff
from schema.campaigns import BeneficiaryKind
from schema.cards import MyCard, Transaction
from schema.errors import Done, DoneResult, UserError, user_errors

SUPPORT = staff(StaffRole.SUPPORT)


@strawberry.type(description="A young person found by the support desk: enough to pick one.")
class YoungPersonSummary:
    id: strawberry.ID
    kind: BeneficiaryKind
    first_name: str
    last_name: str
    birth_date: date
    school_name: str | None

    @classmethod
    def from_model(cls, beneficiary: Beneficiary) -> YoungPersonSummary:
        return cls(
            id=strawberry.ID(str(beneficiary.id)),
            kind=BeneficiaryKind(beneficiary.kind),
            first_name=beneficiary.first_name,
            last_name=beneficiary.last_name,
            birth_date=beneficiary.birth_date,
            school_name=beneficiary.school_name,
        )


@strawberry.type(description="A young person's record, as the support desk opened it.")
class YoungPersonRecord(YoungPersonSummary):
    commune_code: str
    account_id: strawberry.ID | None = strawberry.field(
        description="Their account (`recordParentalConsent`'s youngPersonId); null until "
        "they have one."
    )
    email: str | None
    email_verified: bool
    cards: list[MyCard] = strawberry.field(description="Newest first, with their wallets.")
    transactions: list[Transaction] = strawberry.field(
        description="The latest 30 of all their cards, newest first."
    )


@strawberry.type
class YoungPersonRecordSuccess:
    record: YoungPersonRecord


YoungPersonRecordResult = Annotated[
    YoungPersonRecordSuccess | UserError, strawberry.union("YoungPersonRecordResult")
]


@strawberry.type
class HotlineTransactions:
    transactions: list[Transaction]


HotlineTransactionsResult = Annotated[
    HotlineTransactions | UserError, strawberry.union("HotlineTransactionsResult")
]


@strawberry.type
class SupportDeskQueries:
    @strawberry.field(
        extensions=allow(SUPPORT),
        description="By card code (typed or scanned), email, birth date (JJ/MM/AAAA) or words "
        "of the name or school; at most 50, by name.",
    )
    async def young_people(
        self, info: Info, search: str, first: int = 20
    ) -> list[YoungPersonSummary]:
        return [
            YoungPersonSummary.from_model(b)
            for b in await support_desk.young_people(info, search, first)
        ]

    @strawberry.field(
        extensions=allow(SUPPORT),
        description="The hotline finds a transaction a partner calls about: by words of the "
        "partner's name or its SIRET, the card's code, the Paris day, the amount (« 10,55 »); "
        "newest first, at most 50; nothing when nothing is asked.",
    )
    @user_errors
    async def hotline_transactions(
        self,
        info: Info,
        partner: str = "",
        card_code: str = "",
        day: date | None = None,
        amount: str = "",
        first: int = 50,
    ) -> HotlineTransactionsResult:
        found = await support_desk.hotline_transactions(
            info, partner, card_code, day, amount, first
        )
        return HotlineTransactions(transactions=[Transaction.with_code(c) for c in found])


@strawberry.type
class SupportDeskMutations:
    @strawberry.mutation(
        extensions=allow(SUPPORT),
        description="Open a young person's record: who, when and why (`reason`) are audited.",
    )
    @user_errors
    async def open_young_person_record(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> YoungPersonRecordResult:
        beneficiary, cards, transactions = await support_desk.open_record(info, id, reason)
        user = beneficiary.user
        summary = YoungPersonSummary.from_model(beneficiary)
        return YoungPersonRecordSuccess(
            record=YoungPersonRecord(
                **vars(summary),
                commune_code=beneficiary.commune_code,
                account_id=strawberry.ID(str(user.id)) if user else None,
                email=user.email if user else None,
                email_verified=bool(user and user.email_verified_at),
                cards=[MyCard.from_held(held) for held in cards],
                transactions=[Transaction.with_code(coded) for coded in transactions],
            )
        )

    @strawberry.mutation(
        extensions=allow(SUPPORT),
        description="A new email verification link to a young person's account (the record's "
        "`accountId`); the older links stop working.",
    )
    @user_errors
    async def resend_verification_email(
        self, info: Info, young_person_id: strawberry.ID
    ) -> DoneResult:
        await support_desk.resend_verification_email(info, young_person_id)
        return Done()
