"""Retention: the rows whose period is over are deleted, every night (the
`privacy.retention` job). Each rule is a setting (RETENTION_*_DAYS, docs/operations.md)
and docs/privacy.md says why each period; every run logs its counts.

- emailed links (verification, reset, invitation): RETENTION_EMAIL_TOKEN_DAYS after they
  expired;
- sessions (with their IP address, user agent and refresh tokens):
  RETENTION_SESSION_DAYS after they were revoked;
- notifications already dispatched (and their deliveries, which hold the address or push
  token they went to): RETENTION_NOTIFICATION_DAYS after they were created;
- push tokens: RETENTION_DEVICE_DAYS after the device was last seen;
- failed sign-ins (a keyed email hash and an IP address): RETENTION_LOGIN_FAILURE_DAYS;
- audit entries of a staff member's access to a young person's record:
  RETENTION_DATA_ACCESS_AUDIT_DAYS, deleted by the one deletion the audit trail's trigger
  lets through (domain/core/audit.py);
- IP addresses, in audit entries (the one update their trigger lets through) and in
  sessions still kept: erased RETENTION_IP_ADDRESS_DAYS after they were written;
- young people's accounts unused for RETENTION_INACTIVE_ACCOUNT_YEARS: warned, then closed
  RETENTION_INACTIVE_WARNING_DAYS later (domain/privacy/inactivity.py).

Parental consent records stay as long as the account (their proof); closing the account
deletes them (domain/privacy/closure.py).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from domain.core import audit, clock
from domain.privacy.inactivity import retire_inactive_accounts
from infra.settings import get_settings
from models.accounts import AuthSession, EmailToken, LoginFailure
from models.notifications import Device, Notification

logger = logging.getLogger("cjeune.retention")


@dataclass(frozen=True)
class RetentionReport:
    email_tokens: int
    sessions: int
    notifications: int
    devices: int
    login_failures: int
    data_access_audit_entries: int
    audit_addresses: int
    session_addresses: int
    inactive_accounts_warned: int
    inactive_accounts_closed: int


def _before(days: int) -> datetime:
    return clock.now() - timedelta(days=days)


async def purge_expired() -> RetentionReport:
    """Every rule, once; returns and logs how many rows each touched."""
    settings = get_settings()
    addresses_before = _before(settings.retention_ip_address_days)
    inactive = await retire_inactive_accounts()
    report = RetentionReport(
        email_tokens=await EmailToken.filter(
            expires_at__lt=_before(settings.retention_email_token_days)
        ).delete(),
        sessions=await AuthSession.filter(
            revoked_at__lt=_before(settings.retention_session_days)
        ).delete(),
        notifications=await Notification.filter(
            dispatched_at__isnull=False,
            created_at__lt=_before(settings.retention_notification_days),
        ).delete(),
        devices=await Device.filter(
            last_seen_at__lt=_before(settings.retention_device_days)
        ).delete(),
        login_failures=await LoginFailure.filter(
            failed_at__lt=_before(settings.retention_login_failure_days)
        ).delete(),
        data_access_audit_entries=await audit.purge_data_access_before(
            _before(settings.retention_data_access_audit_days)
        ),
        audit_addresses=await audit.forget_addresses_before(addresses_before),
        session_addresses=await AuthSession.filter(
            created_at__lt=addresses_before, client_address__isnull=False
        ).update(client_address=None),
        inactive_accounts_warned=inactive.warned,
        inactive_accounts_closed=inactive.closed,
    )
    logger.info("retention purge: %s", asdict(report))
    return report
