"""Short-lived signed download links for statements and payment files (JWT, HS256).

A link is bound to what it downloads (partner, reimbursement or dates, format) and to the
person it was made for; it expires after STATEMENT_LINK_MINUTES. Changing one character
makes it worthless; an expired one is told apart so the page can say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt

from domain.core import clock
from infra.settings import get_settings

ISSUER = "cjeune"
ALGORITHM = "HS256"
STATEMENT = "statement"
BATCH_FILE = "batch-file"
STATEMENT_FORMATS = ("pdf", "csv")
BATCH_FORMATS = ("sepa", "csv")


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


@dataclass(frozen=True)
class Links:
    urls: dict[str, str]
    expires_at: datetime


@dataclass(frozen=True)
class StatementRequest:
    partner_id: UUID
    reimbursement_id: UUID | None
    first: date | None
    last: date | None
    format: str
    user_id: UUID | None


@dataclass(frozen=True)
class BatchFileRequest:
    batch_id: UUID
    format: str
    user_id: UUID | None


def _sign(kind: str, claims: dict[str, Any], formats: tuple[str, ...], path: str) -> Links:
    settings = get_settings()
    expires = clock.now() + timedelta(minutes=settings.statement_link_minutes)
    urls = {}
    for fmt in formats:
        payload = {"iss": ISSUER, "typ": kind, "fmt": fmt, "exp": int(expires.timestamp())}
        token = jwt.encode({**payload, **claims}, settings.secret_key, algorithm=ALGORITHM)
        urls[fmt] = f"{settings.public_url}{path}/{token}"
    return Links(urls, expires.replace(microsecond=0))


def statement_links(
    user_id: UUID | None,
    partner_id: UUID,
    reimbursement_id: UUID | None = None,
    first: date | None = None,
    last: date | None = None,
) -> Links:
    claims: dict[str, Any] = {"sub": str(user_id) if user_id else None, "pid": str(partner_id)}
    if reimbursement_id is not None:
        claims["rid"] = str(reimbursement_id)
    else:
        assert first is not None and last is not None
        claims["from"], claims["to"] = first.isoformat(), last.isoformat()
    return _sign(STATEMENT, claims, STATEMENT_FORMATS, "/releves")


def batch_file_links(user_id: UUID | None, batch_id: UUID) -> Links:
    claims = {"sub": str(user_id) if user_id else None, "bid": str(batch_id)}
    return _sign(BATCH_FILE, claims, BATCH_FORMATS, "/virements")


def _read(token: str, kind: str, formats: tuple[str, ...]) -> dict[str, Any]:
    try:
        payload = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "typ", "fmt"], "verify_exp": False},
        )
    except jwt.PyJWTError as error:
        raise LinkInvalid from error
    if payload.get("typ") != kind or payload.get("fmt") not in formats:
        raise LinkInvalid
    # PyJWT checks expiry against the wall clock; compare with domain.core.clock instead.
    if payload["exp"] <= clock.now().timestamp():
        raise LinkExpired
    return payload


def _uuid(value: Any) -> UUID | None:
    return UUID(value) if value else None


def read_statement_link(token: str) -> StatementRequest:
    payload = _read(token, STATEMENT, STATEMENT_FORMATS)
    try:
        return StatementRequest(
            partner_id=UUID(payload["pid"]),
            reimbursement_id=_uuid(payload.get("rid")),
            first=date.fromisoformat(payload["from"]) if payload.get("from") else None,
            last=date.fromisoformat(payload["to"]) if payload.get("to") else None,
            format=payload["fmt"],
            user_id=_uuid(payload.get("sub")),
        )
    except (KeyError, ValueError) as error:
        raise LinkInvalid from error


def read_batch_file_link(token: str) -> BatchFileRequest:
    payload = _read(token, BATCH_FILE, BATCH_FORMATS)
    try:
        return BatchFileRequest(UUID(payload["bid"]), payload["fmt"], _uuid(payload.get("sub")))
    except (KeyError, ValueError) as error:
        raise LinkInvalid from error
