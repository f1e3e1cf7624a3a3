"""What must never happen is refused by the database itself, not only by Python."""

from __future__ import annotations

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.exceptions import IntegrityError, OperationalError

from models.accounts import User, UserKind
from models.audit import AuditEntry
from models.partners import Delegate
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
