"""The team keeps an active administrator, even when two administrators remove each other
at the same moment; deactivation ends the person's sessions at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from domain.accounts import staff
from domain.accounts.sessions import load_viewer
from domain.core.errors import DomainError, ErrorCode
from models.accounts import AuthSession, StaffRole, User, UserKind
from models.audit import AuditEntry
from tests.factories import staff_member
from tests.web.backoffice_helpers import viewer_of


async def _active_administrators() -> list[User]:
    team = await User.filter(kind=UserKind.STAFF, is_active=True, password_hash__isnull=False)
    return [u for u in team if StaffRole.ADMINISTRATOR in u.staff_roles]


@pytest.fixture
async def only_two_administrators(settings) -> AsyncIterator[tuple[User, User]]:
    """Two administrators and no other active one (those of other tests are set aside and
    put back afterwards)."""
    others = [u.id for u in await _active_administrators()]
    await User.filter(id__in=others).update(is_active=False)
    try:
        yield (
            await staff_member(StaffRole.ADMINISTRATOR),
            await staff_member(StaffRole.ADMINISTRATOR, StaffRole.FINANCE),
        )
    finally:
        await User.filter(id__in=others).update(is_active=True)


async def test_two_administrators_demoting_each_other_at_once_leave_one(only_two_administrators):
    first, second = only_two_administrators
    as_first, as_second = await viewer_of(first), await viewer_of(second)

    outcomes = await asyncio.gather(
        staff.set_staff_roles(as_first, second.id, [StaffRole.FINANCE]),
        staff.set_staff_roles(as_second, first.id, [StaffRole.SUPPORT]),
        return_exceptions=True,
    )

    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == 1, outcomes
    assert refused[0].code in {ErrorCode.LAST_ADMINISTRATOR, ErrorCode.FORBIDDEN}
    assert len(await _active_administrators()) == 1


async def test_two_administrators_deactivating_each_other_at_once_leave_one(
    only_two_administrators,
):
    first, second = only_two_administrators
    as_first, as_second = await viewer_of(first), await viewer_of(second)

    outcomes = await asyncio.gather(
        staff.deactivate_staff_member(as_first, second.id),
        staff.deactivate_staff_member(as_second, first.id),
        return_exceptions=True,
    )

    assert sum(isinstance(o, DomainError) for o in outcomes) == 1, outcomes
    assert len(await _active_administrators()) == 1


async def test_the_last_administrator_can_neither_lose_the_role_nor_be_deactivated(
    only_two_administrators,
):
    first, second = only_two_administrators
    as_first = await viewer_of(first)
    await staff.deactivate_staff_member(as_first, second.id)

    with pytest.raises(DomainError) as demoted:
        await staff.set_staff_roles(as_first, first.id, [StaffRole.SUPPORT])
    with pytest.raises(DomainError) as deactivated:
        await staff.deactivate_staff_member(as_first, first.id)

    assert demoted.value.code == deactivated.value.code == ErrorCode.LAST_ADMINISTRATOR
    assert "aucun administrateur" in demoted.value.message
    assert (await User.get(id=first.id)).staff_roles == [StaffRole.ADMINISTRATOR.value]
    # An invited administrator who has not chosen a password does not count.
    await staff.invite_staff_member(
        as_first,
        email="futur-admin@departement13.test",
        first_name="Noé",
        last_name="Blanc",
        roles=[StaffRole.ADMINISTRATOR],
    )
    with pytest.raises(DomainError):
        await staff.deactivate_staff_member(as_first, first.id)
    await staff.reactivate_staff_member(as_first, second.id)
    await staff.set_staff_roles(as_first, first.id, [StaffRole.SUPPORT])  # now allowed


async def test_deactivation_ends_every_session_at_once_and_is_audited(settings):
    admin = await viewer_of(await staff_member(StaffRole.ADMINISTRATOR))
    member = await staff_member(StaffRole.SUPPORT)
    member_viewer = await viewer_of(member)

    await staff.deactivate_staff_member(admin, member.id)

    assert await load_viewer(member.id, member_viewer.session_id, "192.0.2.1") is None
    assert not await AuthSession.filter(user_id=member.id, revoked_at__isnull=True).exists()
    entry = await AuditEntry.get(object_id=str(member.id), action="staff.deactivated")
    assert entry.actor_id == admin.signed_in_user.id
    assert entry.before == {"roles": ["support"], "state": "active"}
    assert entry.after == {"roles": ["support"], "state": "deactivated"}
