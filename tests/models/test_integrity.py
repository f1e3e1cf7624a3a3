"""What must never happen is refused by the database itself, not only by Python."""

from __future__ import annotations

from datetime import date

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.exceptions import IntegrityError, OperationalError

from domain.accounts.viewer import Viewer
from domain.cards.school_years import create_school_year, school_year_by_label
from models.accounts import User, UserKind
from models.audit import AuditEntry
from models.cards import SchoolYear, SchoolYearWallet
from models.ledger import AccountKind, LedgerAccount
from models.partners import Delegate, Partner
from tests.factories import collaborator, partner_team
from tests.support import unique

# Raw SQL surfaces the driver's own error on PostgreSQL; the ORM wraps it.
DATABASE_REFUSALS = (IntegrityError, OperationalError, asyncpg.PostgresError)


def sql(statement: str):
    return Tortoise.get_connection("default").execute_query(statement)


async def test_the_audit_trail_cannot_be_edited_or_deleted(settings):
    team = await partner_team()
    entry = await AuditEntry.filter(partner_id=team.partner.id).first()
    with pytest.raises(DATABASE_REFUSALS):
        await sql(f"UPDATE audit_entries SET action = 'falsifié' WHERE id = {entry.id}")
    with pytest.raises(DATABASE_REFUSALS):
        await sql(f"DELETE FROM audit_entries WHERE id = {entry.id}")
    with pytest.raises(DATABASE_REFUSALS):
        await AuditEntry.filter(id=entry.id).update(action="falsifié")
    assert (await AuditEntry.get(id=entry.id)).action == entry.action


async def test_a_partner_has_at_most_one_principal_delegate(settings):
    team = await partner_team()
    other = await collaborator(team)
    with pytest.raises(IntegrityError):
        await Delegate.filter(partner_id=team.partner.id, user_id=other.id).update(
            is_principal=True
        )


async def test_emails_are_stored_lowercase_and_young_people_have_a_birth_date(settings):
    with pytest.raises(DATABASE_REFUSALS):
        await User.create(
            email=f"{unique('Majuscule')}@Jeune.TEST",
            kind=UserKind.DELEGATE,
            first_name="A",
            last_name="B",
        )
    with pytest.raises(DATABASE_REFUSALS):
        await User.create(
            email=f"{unique('sansdate')}@jeune.test",
            kind=UserKind.YOUNG_PERSON,
            first_name="A",
            last_name="B",
        )


async def test_only_staff_hold_staff_roles(settings):
    with pytest.raises(DATABASE_REFUSALS):
        await User.create(
            email=f"{unique('faux')}@jeune.test",
            kind=UserKind.DELEGATE,
            staff_roles=["administrator"],
            first_name="A",
            last_name="B",
        )


async def test_a_staff_account_holds_only_roles_that_exist(settings):
    from models.accounts import StaffRole

    for roles in (["administrator", "superviseur"], ["Finance"], [["finance"]]):
        with pytest.raises(DATABASE_REFUSALS):
            await User.create(
                email=f"{unique('role')}@cd13.test",
                kind=UserKind.STAFF,
                staff_roles=roles,
                first_name="A",
                last_name="B",
            )
    every_role = await User.create(
        email=f"{unique('roles')}@cd13.test",
        kind=UserKind.STAFF,
        staff_roles=[role.value for role in StaffRole],
        first_name="A",
        last_name="B",
    )
    for stored in ('["pirate"]', '"finance"', '{"finance": true}'):
        with pytest.raises(DATABASE_REFUSALS):
            await sql(f"UPDATE users SET staff_roles = '{stored}' WHERE id = '{every_role.id}'")
    assert (await User.get(id=every_role.id)).staff_roles == [r.value for r in StaffRole]


async def test_school_years_never_overlap_even_written_past_the_domain(settings):
    await SchoolYear.get_or_none(label="2311-2312") or await SchoolYear.create(
        label="2311-2312", starts_on=date(2311, 9, 1), ends_on=date(2312, 8, 31)
    )
    with pytest.raises(DATABASE_REFUSALS):  # a rentrée on 25 August, before the 31st
        await SchoolYear.create(
            label="2312-bis", starts_on=date(2312, 8, 25), ends_on=date(2313, 8, 31)
        )
    with pytest.raises(DATABASE_REFUSALS):
        await SchoolYear.create(
            label="2320-2319", starts_on=date(2320, 9, 1), ends_on=date(2319, 8, 31)
        )
    assert not await SchoolYear.filter(label__in=["2312-bis", "2320-2319"]).exists()


async def test_wallets_are_only_the_known_kinds_even_written_past_the_domain(settings):
    year = await school_year_by_label("2315-2316") or await create_school_year(
        Viewer(), date(2315, 9, 1)
    )
    with pytest.raises(DATABASE_REFUSALS):
        await SchoolYearWallet.create(
            school_year_id=year.id, kind="MOBILITE", label="Mobilité", amount_cents=10_00
        )
    with pytest.raises(DATABASE_REFUSALS):
        await LedgerAccount.create(
            kind=AccountKind.WALLET, school_year_id=year.id, wallet_kind="sport", balance_cents=0
        )
    team = await partner_team()
    with pytest.raises(DATABASE_REFUSALS):
        await Partner.filter(id=team.partner.id).update(debitable_wallets=["SPORT"])
    assert (await Partner.get(id=team.partner.id)).debitable_wallets == ["SPORT_CULTURE_LOISIRS"]
