"""The back office's school years: each run of the schools' file with its report, a year's
figures and its closing once 31 August is over (`SchoolYearQueries`,
`SchoolYearMutations`, composed in schema/root.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.cards.year_end import YearEndClosing, YearFigures
from domain.core.money import format_euros
from models.accounts import StaffRole
from models.cards import BeneficiaryImport as BeneficiaryImportModel
from models.partners import WalletKind as WalletKindModel
from resolvers import school_years as resolvers
from resolvers.context import Info
from resolvers.permissions import allow, staff
from schema.cards import RejectedRow, SchoolYear
from schema.errors import UserError, user_errors
from schema.partners import WalletKind

SUPPORT = staff(StaffRole.SUPPORT)
FINANCE = staff(StaffRole.FINANCE)


@strawberry.type(description="One run of the schools' file for a school year, and its report.")
class BeneficiaryImport:
    id: strawberry.ID
    school_year_id: strawberry.ID
    school_year_label: str
    file_name: str | None
    rows: int = strawberry.field(description="The file's data rows (blank ones not counted).")
    created: int
    already_present: int
    cards_issued: int
    rejected: list[RejectedRow] = strawberry.field(description="In the file's order.")
    imported_at: datetime

    @classmethod
    def from_model(cls, found: BeneficiaryImportModel) -> BeneficiaryImport:
        return cls(
            id=strawberry.ID(str(found.id)),
            school_year_id=strawberry.ID(str(found.school_year_id)),
            school_year_label=found.school_year.label,
            file_name=found.file_name,
            rows=found.rows,
            created=found.created,
            already_present=found.already_present,
            cards_issued=found.cards_issued,
            rejected=[RejectedRow(line=r["line"], reason=r["reason"]) for r in found.rejected],
            imported_at=found.created_at,
        )


@strawberry.type(description="A wallet kind of a year: its wallets and what they hold.")
class WalletFigures:
    kind: WalletKind
    wallets: int
    wallets_with_money: int
    balance_cents: int

    @strawberry.field(description="The balance formatted in French, e.g. « 1 250,00 € ».")
    def balance(self) -> str:
        return format_euros(self.balance_cents)


@strawberry.type
class CardStatusCount:
    status: str = strawberry.field(
        description="not_activated, active, opposed or expired (CardState's underlying status)."
    )
    cards: int


@strawberry.type(description="What a school year holds at one instant.")
class SchoolYearFigures:
    school_year: SchoolYear
    wallets: list[WalletFigures]
    cards: list[CardStatusCount]
    forfeited_cents: int = strawberry.field(
        description="Unspent money its closing has returned to the funding account so far."
    )
    closed_at: datetime | None
    can_close: bool = strawberry.field(description="31 August of the year is over (Paris).")

    @strawberry.field(description="`forfeitedCents` formatted in French.")
    def forfeited(self) -> str:
        return format_euros(self.forfeited_cents)

    @strawberry.field(description="What the year's wallets hold, formatted in French.")
    def balance(self) -> str:
        return format_euros(sum(w.balance_cents for w in self.wallets))

    @classmethod
    def from_figures(cls, figures: YearFigures, can_close: bool) -> SchoolYearFigures:
        return cls(
            school_year=SchoolYear.from_model(figures.school_year, []),
            wallets=[
                WalletFigures(
                    kind=WalletKindModel(w.wallet_kind),
                    wallets=w.wallets,
                    wallets_with_money=w.wallets_with_money,
                    balance_cents=w.balance_cents,
                )
                for w in figures.wallets
            ],
            cards=[
                CardStatusCount(status=status, cards=count)
                for status, count in sorted(figures.cards_by_status.items())
            ],
            forfeited_cents=figures.forfeited_cents,
            closed_at=figures.closed_at,
            can_close=can_close,
        )


@strawberry.type(description="A year-end closing: the figures just before and just after.")
class SchoolYearClosing:
    before: SchoolYearFigures
    after: SchoolYearFigures
    wallets_forfeited: int = strawberry.field(description="Wallets emptied by this run.")
    forfeited_cents: int = strawberry.field(description="Unspent money forfeited by this run.")
    cards_expired: int = strawberry.field(description="Cards expired by this run.")

    @strawberry.field(description="`forfeitedCents` formatted in French.")
    def forfeited(self) -> str:
        return format_euros(self.forfeited_cents)

    @classmethod
    def from_closing(cls, closing: YearEndClosing) -> SchoolYearClosing:
        return cls(
            before=SchoolYearFigures.from_figures(closing.before, True),
            after=SchoolYearFigures.from_figures(closing.after, True),
            wallets_forfeited=closing.report.wallets_forfeited,
            forfeited_cents=closing.report.forfeited_cents,
            cards_expired=closing.report.cards_expired,
        )


CloseSchoolYearResult = Annotated[
    SchoolYearClosing | UserError, strawberry.union("CloseSchoolYearResult")
]


@strawberry.type
class SchoolYearQueries:
    @strawberry.field(
        extensions=allow(SUPPORT),
        description="One run of the schools' file and its report; null if unknown.",
    )
    async def beneficiary_import(self, info: Info, id: strawberry.ID) -> BeneficiaryImport | None:
        found = await resolvers.beneficiary_import_of(info, id)
        return BeneficiaryImport.from_model(found) if found is not None else None

    @strawberry.field(
        extensions=allow(SUPPORT),
        description="A school year's latest runs of the schools' file, newest first.",
    )
    async def beneficiary_imports(
        self, info: Info, school_year_id: strawberry.ID, first: int = 20
    ) -> list[BeneficiaryImport]:
        found = await resolvers.beneficiary_imports(info, school_year_id, first)
        return [BeneficiaryImport.from_model(f) for f in found]

    @strawberry.field(
        extensions=allow(FINANCE),
        description="A school year's wallets, cards and forfeited money now; null if unknown.",
    )
    async def school_year_figures(
        self, info: Info, school_year_id: strawberry.ID
    ) -> SchoolYearFigures | None:
        found = await resolvers.school_year_figures(info, school_year_id)
        if found is None:
            return None
        return SchoolYearFigures.from_figures(found.figures, found.can_close)


@strawberry.type
class SchoolYearMutations:
    @strawberry.mutation(
        extensions=allow(FINANCE),
        description="Close a school year once 31 August is over (Paris): its cards expire and "
        "what is left on its wallets returns to the funding account. Running it again changes "
        "nothing; audited with the figures before and after.",
    )
    @user_errors
    async def close_school_year(
        self, info: Info, school_year_id: strawberry.ID
    ) -> CloseSchoolYearResult:
        return SchoolYearClosing.from_closing(
            await resolvers.close_school_year(info, school_year_id)
        )
