"""The programme's figures for the département's staff (the back office's « Tableau de
bord »): `ReportingQueries`, composed in schema/root.py. Aggregates only, nobody's data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from domain.core.money import format_euros
from domain.reporting import figures as model
from resolvers import reporting as resolvers
from resolvers.context import Info
from resolvers.permissions import ANY_STAFF, allow
from schema.errors import UserError, user_errors


@strawberry.type(description="A figure for one period (a week from its Monday, or a month).")
class PeriodCount:
    starts_on: date
    value: int = strawberry.field(description="A count, or an amount in cents (spending).")

    @strawberry.field(description="The value as an amount in French, e.g. « 30,49 € ».")
    def amount(self) -> str:
        return format_euros(self.value)


@strawberry.type(description="What the cards' holders spent from one kind of wallet.")
class WalletSpending:
    wallet_kind: str
    label: str
    amount_cents: int
    transactions: int
    partners: int = strawberry.field(description="Partners who took at least one payment.")

    @strawberry.field(description="The amount formatted in French, e.g. « 30,49 € ».")
    def amount(self) -> str:
        return format_euros(self.amount_cents)


@strawberry.type(description="One campaign's reach: messages planned and sent, people reached.")
class CampaignReach:
    name: str
    started_at: datetime
    targeted: int
    sent: int
    people_reached: int


@strawberry.type(
    description="The programme's figures for one school year, computed by the database. "
    "Money is what holders spent and kept spent (cancelled and regularised debits are out)."
)
class ProgrammeFigures:
    school_year_id: strawberry.ID
    school_year_label: str
    starts_on: date
    ends_on: date
    until: date = strawberry.field(description="The last day counted (today during the year).")
    cards_issued: int
    cards_activated: int = strawberry.field(
        description="Cards of the year activated by their holder (replacement cards not "
        "counted again)."
    )
    activations_by_month: list[PeriodCount]
    amount_spent_cents: int
    spending_by_wallet: list[WalletSpending]
    spending_by_week: list[PeriodCount] = strawberry.field(
        description="Cents spent per Paris week (Monday to Sunday), every week of the year "
        "up to `until`."
    )
    active_partners: int = strawberry.field(description="Partners not suspended, today.")
    partners_with_transactions: int
    deals_published: int = strawberry.field(description="First published during the year.")
    events_published: int
    campaigns: list[CampaignReach]
    people_reached: int = strawberry.field(
        description="Distinct people who received at least one campaign message."
    )

    @strawberry.field(description="The amount spent formatted in French, e.g. « 30,49 € ».")
    def amount_spent(self) -> str:
        return format_euros(self.amount_spent_cents)

    @classmethod
    def of(cls, f: model.ProgrammeFigures) -> ProgrammeFigures:
        year = f.school_year
        return cls(
            school_year_id=strawberry.ID(str(year.id)),
            school_year_label=year.label,
            starts_on=year.starts_on,
            ends_on=year.ends_on,
            until=f.until,
            cards_issued=f.cards_issued,
            cards_activated=f.cards_activated,
            activations_by_month=[
                PeriodCount(starts_on=c.starts_on, value=c.value) for c in f.activations_by_month
            ],
            amount_spent_cents=f.amount_spent_cents,
            spending_by_wallet=[
                WalletSpending(
                    wallet_kind=w.kind,
                    label=w.label,
                    amount_cents=w.amount_cents,
                    transactions=w.transactions,
                    partners=w.partners,
                )
                for w in f.spending_by_wallet
            ],
            spending_by_week=[
                PeriodCount(starts_on=c.starts_on, value=c.value) for c in f.spending_by_week
            ],
            active_partners=f.active_partners,
            partners_with_transactions=f.partners_with_transactions,
            deals_published=f.deals_published,
            events_published=f.events_published,
            campaigns=[
                CampaignReach(
                    name=c.name,
                    started_at=c.started_at,
                    targeted=c.targeted,
                    sent=c.sent,
                    people_reached=c.people,
                )
                for c in f.campaigns
            ],
            people_reached=f.people_reached,
        )


ProgrammeFiguresResult = Annotated[
    ProgrammeFigures | UserError, strawberry.union("ProgrammeFiguresResult")
]


@strawberry.type
class ReportingQueries:
    @strawberry.field(
        extensions=allow(ANY_STAFF),
        description="The programme's figures for a school year (by default the current one); "
        "NOT_FOUND when there is no such year.",
    )
    @user_errors
    async def programme_figures(
        self, info: Info, school_year: strawberry.ID | None = None
    ) -> ProgrammeFiguresResult:
        return ProgrammeFigures.of(await resolvers.programme_figures(info, school_year))
