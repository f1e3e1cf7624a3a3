"""Builders for the people and partners tests need, through the domain layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.accounts.passwords import hash_password
from domain.accounts.users import Registration, create_staff, register_young_person
from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.transactions import atomic
from domain.partners.delegates import invite
from domain.partners.structures import PartnerDetails, Representative, create_partner
from models.accounts import StaffRole, User
from models.partners import (
    Delegate,
    DelegatePermission,
    DelegateStatus,
    Partner,
    PartnerCategory,
    WalletKind,
)
from tests.support import GraphQLClient, unique, valid_siret

PASSWORD = "Tapenade-et-Pastis-42"
_hash: str | None = None


async def _password_hash() -> str:
    global _hash
    if _hash is None:
        _hash = await hash_password(PASSWORD)
    return _hash


async def staff_member(*roles: StaffRole) -> User:
    return await create_staff(
        None,
        email=f"{unique('agent')}@departement13.test",
        first_name="Agent",
        last_name="Départemental",
        roles=list(roles),
        password=PASSWORD,
    )


async def young_person(birth_date: date = date(2012, 5, 4)) -> User:
    user = await register_young_person(
        Registration(
            email=f"{unique('jeune')}@jeune.test",
            password=PASSWORD,
            first_name="Jade",
            last_name="Vidal",
            birth_date=birth_date,
            postal_code="13001",
        )
    )
    await User.filter(id=user.id).update(email_verified_at=clock.now())
    return user


async def accept(delegate: Delegate) -> User:
    """Activate a delegate as if they had followed their invitation link."""
    await User.filter(id=delegate.user_id).update(password_hash=await _password_hash())
    delegate.status = DelegateStatus.ACTIVE
    delegate.accepted_at = clock.now()
    await delegate.save(update_fields=["status", "accepted_at"])
    return await User.get(id=delegate.user_id)


@dataclass
class PartnerTeam:
    partner: Partner
    principal: User


async def partner_team(actor: User | None = None, name: str = "Cinéma") -> PartnerTeam:
    actor = actor or await staff_member(StaffRole.SUPPORT)
    seed = int(unique(""))
    partner = await create_partner(
        Viewer(user=actor),
        PartnerDetails(
            legal_name=f"SARL {name}",
            trade_name=f"{name} {seed}",
            siret=valid_siret(seed),
            categories=[PartnerCategory.CULTURE],
            debitable_wallets=[WalletKind.SPORT_CULTURE_LOISIRS],
            convention_signed_on=date(2024, 9, 1),
            representative=Representative(
                f"{unique('principal')}@partenaire.test", "Paul", "Principal"
            ),
        ),
    )
    principal = await accept(await Delegate.get(partner_id=partner.id, is_principal=True))
    return PartnerTeam(partner, principal)


async def collaborator(team: PartnerTeam, *permissions: DelegatePermission) -> User:
    principal_delegate = await Delegate.get(partner_id=team.partner.id, is_principal=True)
    actor = Viewer(user=team.principal, delegations={team.partner.id: principal_delegate})
    async with atomic():
        delegate = await invite(
            actor,
            team.partner,
            email=f"{unique('collab')}@partenaire.test",
            first_name="Colette",
            last_name="Laborde",
            permissions=list(permissions),
        )
    return await accept(delegate)


LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    __typename
    ... on AuthPayload { accessToken refreshToken expiresIn user { id email } }
    ... on UserError { code message }
  }
}
"""


async def sign_in(gql: GraphQLClient, user: User, password: str = PASSWORD) -> dict[str, str]:
    result = await gql.post(LOGIN, {"email": user.email, "password": password})
    payload = result["data"]["login"]
    assert payload["__typename"] == "AuthPayload", payload
    return payload


async def token_for(gql: GraphQLClient, user: User) -> str:
    return (await sign_in(gql, user))["accessToken"]


# --- the money path ------------------------------------------------------------------


async def current_school_year():
    """The school year of today's date (created once, with the default wallet types)."""
    from domain.cards.school_years import create_school_year, school_year_on
    from domain.core import clock

    today = clock.paris_today()
    year = await school_year_on(today)
    if year is None:
        starts = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
        year = await create_school_year(Viewer(), starts)
    return year


@dataclass
class CardHolder:
    user: User | None
    beneficiary: object
    card: object


async def card_holder(
    year=None, *, activated: bool = True, birth_date: date = date(2013, 4, 2), credit: bool = True
) -> CardHolder:
    """A middle-schooler with a physical card of `year` and the year's wallets credited."""
    from domain.cards import ledger
    from domain.cards.lifecycle import issue_card
    from models.cards import Beneficiary, BeneficiaryKind, CardKind, SchoolYearWallet
    from models.ledger import LedgerTransactionKind

    year = year or await current_school_year()
    user = await young_person(birth_date) if activated else None
    beneficiary = await Beneficiary.create(
        kind=BeneficiaryKind.MIDDLE_SCHOOLER,
        school_identifier=unique("INE"),
        first_name="Jade",
        last_name="Vidal",
        birth_date=birth_date,
        school_name="Collège Longchamp",
        commune_code="13201",
        user=user,
    )
    async with atomic():
        card = await issue_card(beneficiary, year, CardKind.PHYSICAL)
        if credit:
            funding = await ledger.funding_account(year.id)
            lines = []
            for wallet_type in await SchoolYearWallet.filter(school_year_id=year.id):
                wallet = await ledger.wallet_account(beneficiary.id, year.id, wallet_type.kind)
                lines.append(ledger.Line(wallet, wallet_type.amount_cents))
            total = sum(line.amount_cents for line in lines)
            await ledger.post(
                LedgerTransactionKind.YEAR_CREDIT,
                "Crédit de rentrée",
                [*lines, ledger.Line(funding, -total)],
            )
    return CardHolder(user, beneficiary, card)


async def till(team: PartnerTeam | None = None, *permissions: DelegatePermission):
    """A partner (debiting the sport/culture wallet) and a cashier with the transactions
    permission; returns (team, cashier)."""
    team = team or await partner_team()
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS, *permissions)
    return team, cashier
