"""Marketing opt-ins (with their proof) and who may receive marketing messages."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.consent.marketing import (
    may_receive_marketing,
    set_marketing_opt_in,
    with_parental_consent,
)
from domain.core import clock
from domain.core.errors import DomainError, ErrorCode
from models.accounts import StaffRole, User
from models.notifications import ConsentSource, MarketingConsentEvent, ParentalConsent
from tests.factories import staff_member, young_person


def born(years_ago: int, days: int = 0) -> date:
    today = clock.paris_today()
    day = today.day if (today.month, today.day) != (2, 29) else 28
    return today.replace(year=today.year - years_ago, day=day) + timedelta(days=days)


async def person(age: int, *, opted_in: bool, consent: str | None = None, days: int = 0) -> User:
    user = await young_person(born(age, days))
    if opted_in:
        await set_marketing_opt_in(user.id, "email", True, ConsentSource.APP)
    if consent is not None:
        now = clock.now()
        await ParentalConsent.create(
            young_person_id=user.id,
            parent_name="Nadia Vidal",
            parent_email="nadia@famille.test",
            requested_at=now,
            given_at=now if consent in ("given", "withdrawn") else None,
            withdrawn_at=now if consent == "withdrawn" else None,
        )
    return await User.get(id=user.id)


async def test_an_opt_in_is_recorded_once_with_its_proof(settings):
    user = await young_person(born(17))
    assert await set_marketing_opt_in(user.id, "email", True, ConsentSource.APP) is True
    assert await set_marketing_opt_in(user.id, "email", True, ConsentSource.APP) is False
    campaign = uuid.uuid4()
    assert await set_marketing_opt_in(
        user.id, "email", False, ConsentSource.UNSUBSCRIBE_LINK, campaign
    )
    events = await MarketingConsentEvent.filter(user_id=user.id).order_by("created_at")
    assert [(e.channel, e.opted_in, e.source, e.campaign_id) for e in events] == [
        ("email", True, ConsentSource.APP, None),
        ("email", False, ConsentSource.UNSUBSCRIBE_LINK, campaign),
    ]
    stored = await User.get(id=user.id)
    assert (stored.marketing_email_opt_in, stored.marketing_push_opt_in) == (False, False)


async def test_the_push_channel_has_its_own_choice(settings):
    user = await young_person(born(18))
    await set_marketing_opt_in(user.id, "push", True, ConsentSource.APP)
    stored = await User.get(id=user.id)
    assert (stored.marketing_email_opt_in, stored.marketing_push_opt_in) == (False, True)


async def test_an_unknown_channel_or_person_is_refused(settings):
    user = await young_person(born(18))
    with pytest.raises(DomainError) as raised:
        await set_marketing_opt_in(user.id, "sms", True, ConsentSource.APP)
    assert raised.value.code == ErrorCode.INVALID_INPUT
    with pytest.raises(DomainError) as raised:
        await set_marketing_opt_in(uuid.uuid4(), "email", True, ConsentSource.APP)
    assert raised.value.code == ErrorCode.NOT_FOUND
    assert not await MarketingConsentEvent.filter(user_id=user.id).exists()


@pytest.mark.parametrize(
    ("age", "opted_in", "consent", "expected"),
    [
        (13, True, None, False),  # under 15: the opt-in alone is not enough
        (13, True, "requested", False),  # asked, not yet given
        (13, True, "given", True),
        (13, True, "withdrawn", False),
        (13, False, "given", False),  # the parent agrees, the young person did not opt in
        (16, True, None, True),
        (16, False, None, False),
    ],
)
async def test_who_may_receive_marketing(settings, age, opted_in, consent, expected):
    user = await person(age, opted_in=opted_in, consent=consent)
    assert await may_receive_marketing(user, "email", clock.paris_today()) is expected
    assert await may_receive_marketing(user, "push", clock.paris_today()) is False


async def test_from_the_fifteenth_birthday_the_opt_in_is_enough(settings):
    user = await person(15, opted_in=True)  # 15 today
    day_before = await person(15, opted_in=True, days=1)  # 15 tomorrow
    today = clock.paris_today()
    assert await may_receive_marketing(user, "email", today) is True
    assert await may_receive_marketing(day_before, "email", today) is False
    assert await may_receive_marketing(day_before, "email", today + timedelta(days=1)) is True


async def test_the_birthday_is_the_day_in_paris(settings):
    user = await person(15, opted_in=True)
    birthday = user.birth_date.replace(year=user.birth_date.year + 15)
    evening_before = datetime.combine(birthday, time(22, 30), clock.PARIS) - timedelta(days=1)
    with clock.frozen(evening_before.astimezone(UTC)):
        assert await may_receive_marketing(user, "email") is False
    # 00:30 in Paris is still the day before in UTC: Paris decides.
    with clock.frozen(datetime.combine(birthday, time(0, 30), clock.PARIS).astimezone(UTC)):
        assert await may_receive_marketing(user, "email") is True


async def test_staff_and_delegates_have_no_age_rule(settings):
    staff = await staff_member(StaffRole.MARKETING)
    await set_marketing_opt_in(staff.id, "email", True, ConsentSource.APP)
    assert await may_receive_marketing(await User.get(id=staff.id), "email") is True


async def test_consents_are_looked_up_in_bulk_for_campaigns(settings):
    given = await person(12, opted_in=True, consent="given")
    withdrawn = await person(12, opted_in=True, consent="withdrawn")
    none = await person(12, opted_in=True)
    assert await with_parental_consent([given.id, withdrawn.id, none.id]) == {given.id}
