"""The nightly retention purge, with the clock moved: each kind of row stays until its
period (a setting) is over, and goes the day after; what has no period stays."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import timedelta

from domain.core import clock
from domain.privacy.retention import purge_expired
from infra.settings import get_settings
from models.accounts import AuthSession, EmailToken, EmailTokenPurpose, LoginFailure
from models.notifications import Device, DevicePlatform, Notification, ParentalConsent
from tests.factories import young_person
from tests.support import unique


async def rows_of_a_person():
    person = await young_person()
    now = clock.now()
    token = await EmailToken.create(
        user=person,
        purpose=EmailTokenPurpose.RESET_PASSWORD,
        secret_hash=unique("hash-").ljust(40, "0"),
        expires_at=now,
    )
    revoked = await AuthSession.create(
        user=person, client_address="203.0.113.9", user_agent="Firefox", revoked_at=now
    )
    open_session = await AuthSession.create(user=person, client_address="203.0.113.9")
    sent = await Notification.create(
        user=person, kind="balance", title="Solde", body="Votre solde", dispatched_at=now
    )
    device = await Device.create(
        user=person, token=unique("fcm-token-abcdefghijklmnop-"), platform=DevicePlatform.ANDROID
    )
    failure = await LoginFailure.create(
        email_key=unique("key"), client_address="203.0.113.9", failed_at=now
    )
    consent = await ParentalConsent.create(
        young_person=person, parent_name="Parent", parent_email="parent@parent.test"
    )
    return {
        "email_tokens": (EmailToken, token.id),
        "sessions": (AuthSession, revoked.id),
        "notifications": (Notification, sent.id),
        "devices": (Device, device.id),
        "login_failures": (LoginFailure, failure.id),
    }, [(AuthSession, open_session.id), (ParentalConsent, consent.id)]


async def test_each_rule_keeps_its_rows_for_its_period_then_deletes_them(settings):
    periods = {
        "email_tokens": get_settings().retention_email_token_days,
        "sessions": get_settings().retention_session_days,
        "notifications": get_settings().retention_notification_days,
        "devices": get_settings().retention_device_days,
        "login_failures": get_settings().retention_login_failure_days,
    }
    rows, never = await rows_of_a_person()
    start = clock.now()
    for rule, days in sorted(periods.items(), key=lambda item: item[1]):
        model, row_id = rows[rule]
        with clock.frozen(start + timedelta(days=days) - timedelta(hours=1)):
            await purge_expired()
        assert await model.exists(id=row_id), f"{rule}: deleted before its {days} days"
        with clock.frozen(start + timedelta(days=days, hours=1)):
            report = await purge_expired()
        assert not await model.exists(id=row_id), f"{rule}: kept after its {days} days"
        assert getattr(report, rule) >= 1
    for model, row_id in never:  # an open session, a parent's consent: no period
        assert await model.exists(id=row_id)


async def test_every_run_logs_and_returns_its_count_for_each_rule(settings, caplog):
    caplog.set_level(logging.INFO, logger="cjeune.retention")
    report = await purge_expired()
    [line] = [r.getMessage() for r in caplog.records if r.name == "cjeune.retention"]
    for rule, count in asdict(report).items():
        assert f"'{rule}': {count}" in line
    assert {"data_access_audit_entries", "audit_addresses", "inactive_accounts_closed"} <= set(
        asdict(report)
    )
