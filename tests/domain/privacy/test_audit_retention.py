"""The audit trail stays append-only, but for retention's two exceptions: the entries of a
staff member's look at a young person's record go after RETENTION_DATA_ACCESS_AUDIT_DAYS,
and IP addresses are erased after RETENTION_IP_ADDRESS_DAYS; each through the one deletion
or update the trigger lets through, and only for the rows older than the period."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.accounts.viewer import Viewer
from domain.cards.support_desk import open_record
from domain.core import clock
from domain.core.audit import record
from domain.core.transactions import atomic
from domain.privacy.retention import purge_expired
from infra.settings import get_settings
from models import sql
from models.accounts import AuthSession, StaffRole
from models.audit import AuditEntry
from tests.factories import card_holder, staff_member

AGENT_ADDRESS = "203.0.113.7"


async def opened_record() -> tuple[AuditEntry, AuditEntry]:
    """An agent opens a young person's record, then changes something: two entries."""
    agent = Viewer(user=await staff_member(StaffRole.SUPPORT), client_address=AGENT_ADDRESS)
    holder = await card_holder()
    await open_record(agent, holder.beneficiary.id, "Appel du jeune : carte perdue")
    opened = await AuditEntry.filter(
        action="young_person.record_opened", object_id=str(holder.beneficiary.id)
    ).get()
    async with atomic():
        changed = await record(agent, "young_person.card_checked", holder.beneficiary)
    return opened, changed


def after(days: int, hours: int = 1):
    return clock.frozen(clock.now() + timedelta(days=days, hours=hours))


async def test_an_ordinary_delete_or_update_is_still_refused_even_of_an_old_entry(settings):
    opened, changed = await opened_record()
    with after(get_settings().retention_data_access_audit_days + 30):
        for entry in (opened, changed):
            with pytest.raises(Exception, match="append-only"):
                await AuditEntry.filter(id=entry.id).delete()
            with pytest.raises(Exception, match="append-only"):
                await AuditEntry.filter(id=entry.id).update(action="young_person.hidden")
            with pytest.raises(Exception, match="append-only"):
                await AuditEntry.filter(id=entry.id).update(client_address=None)
        await purge_expired()
        # The purge ran, and left nothing open behind it.
        with pytest.raises(Exception, match="append-only"):
            await AuditEntry.filter(id=changed.id).delete()
        with pytest.raises(Exception, match="append-only"):
            await AuditEntry.filter(id=changed.id).update(after={"reason": "autre"})
    assert await AuditEntry.exists(id=changed.id)


async def test_data_access_entries_go_after_their_period_and_only_they(settings):
    opened, changed = await opened_record()
    days = get_settings().retention_data_access_audit_days
    with after(days, hours=-1):
        report = await purge_expired()
    assert await AuditEntry.exists(id=opened.id), "deleted before its period"
    with after(days):
        report = await purge_expired()
    assert not await AuditEntry.exists(id=opened.id), "kept after its period"
    assert report.data_access_audit_entries >= 1
    assert await AuditEntry.exists(id=changed.id), "a change is not a data access"


async def test_ip_addresses_are_erased_after_their_period_and_nothing_else(settings):
    _, changed = await opened_record()
    session = await AuthSession.create(user_id=changed.actor_id, client_address=AGENT_ADDRESS)
    days = get_settings().retention_ip_address_days
    with after(days, hours=-1):
        await purge_expired()
    assert (await AuditEntry.get(id=changed.id)).client_address == AGENT_ADDRESS
    assert (await AuthSession.get(id=session.id)).client_address == AGENT_ADDRESS
    with after(days):
        report = await purge_expired()
    kept = await AuditEntry.get(id=changed.id)
    assert kept.client_address is None
    assert (kept.action, kept.object_id, kept.occurred_at, kept.actor_id) == (
        changed.action,
        changed.object_id,
        changed.occurred_at,
        changed.actor_id,
    )
    assert (await AuthSession.get(id=session.id)).client_address is None
    assert report.audit_addresses >= 1 and report.session_addresses >= 1


async def test_the_address_purge_lets_through_nothing_but_the_address(settings):
    """Even with the purge's gate open (as inside the purge), the trigger checks each row:
    a change of anything but the address, or of a row newer than the cutoff, is refused."""
    _, changed = await opened_record()
    cutoff = clock.now() + timedelta(days=1)
    with pytest.raises(Exception, match="append-only"):
        async with atomic():
            await _open_gate("address", cutoff)
            await AuditEntry.filter(id=changed.id).update(action="young_person.hidden")
    with pytest.raises(Exception, match="append-only"):
        async with atomic():
            await _open_gate("delete", cutoff)
            await AuditEntry.filter(id=changed.id).delete()  # not a data access
    with pytest.raises(Exception, match="append-only"):
        async with atomic():
            await _open_gate("address", clock.now() - timedelta(days=1))
            await AuditEntry.filter(id=changed.id).update(client_address=None)
    assert (await AuditEntry.get(id=changed.id)).client_address == AGENT_ADDRESS


async def _open_gate(purpose: str, cutoff) -> None:
    if sql.is_postgres():
        setting = {
            "address": "cjeune.audit_addresses_before",
            "delete": "cjeune.audit_purge_before",
        }
        await sql.rows("SELECT set_config($1, $2, true)", setting[purpose], cutoff.isoformat())
    else:
        await sql.execute(
            "INSERT INTO audit_purge_gate (purpose, before) VALUES ($1, $2)", purpose, cutoff
        )
