"""Signing in and out: sessions, rotating refresh tokens, and turning a token into a Viewer."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

from tortoise.transactions import in_transaction

from domain.accounts import queries, throttle
from domain.accounts.activity import note_activity
from domain.accounts.passwords import verify_password
from domain.accounts.tokens import genuine_access_token, issue_access_token
from domain.accounts.viewer import Viewer
from domain.accounts.viewer_cache import viewers
from domain.core import clock
from domain.core.errors import DomainError, ErrorCode
from domain.core.secrets import new_secret, same_hash, secret_hash
from infra.settings import get_settings
from models import fixed_sql
from models.accounts import AuthSession, RefreshToken, User
from models.partners import Delegate, Partner

INVALID_CREDENTIALS = DomainError(
    ErrorCode.INVALID_CREDENTIALS, "Adresse e-mail ou mot de passe incorrect."
)


@dataclass(frozen=True)
class IssuedTokens:
    user: User
    access_token: str
    expires_in: int
    refresh_token: str


async def _issue_refresh_token(
    session: AuthSession, token_id: UUID | None = None, secret: str | None = None
) -> str:
    secret = secret or new_secret()
    token = await RefreshToken.create(
        id=token_id or uuid4(),
        session=session,
        secret_hash=secret_hash(secret),
        expires_at=clock.now() + timedelta(days=get_settings().refresh_token_days),
    )
    return f"{token.id}.{secret}"


def _successor_secret(secret: str, successor_id: UUID) -> str:
    """The secret of the token issued when the token of `secret` is rotated. Derived rather
    than drawn, so that the same token presented again within the grace window gets the
    same successor back while no usable secret is stored: the database keeps hashes, and
    the derivation needs the presented secret and SECRET_KEY."""
    key = hmac.new(
        get_settings().secret_key.encode(), b"cjeune refresh token successor", hashlib.sha256
    ).digest()
    mac = hmac.new(key, f"{secret}.{successor_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


SUCCESSORS_FOLLOWED = 5


async def _current_successor(token_id: UUID, secret: str) -> str | None:
    """For a token rotated less than REFRESH_REUSE_GRACE_SECONDS ago: the refresh token now
    in use in its line (its successor, or theirs if the app has already refreshed again).
    None outside the window, which is then a reuse."""
    now = clock.now()
    grace = timedelta(seconds=get_settings().refresh_reuse_grace_seconds)
    # Read again: the rotation that beat this one has committed (PostgreSQL's conditional
    # UPDATE waited for it; SQLite's transactions take turns).
    current = await RefreshToken.get(id=token_id)
    if current.rotated_at is None or current.rotated_at < now - grace:
        return None
    for _ in range(SUCCESSORS_FOLLOWED):
        if current.successor_id is None:  # rotated before successors were recorded
            return None
        secret = _successor_secret(secret, current.successor_id)
        successor = await RefreshToken.get_or_none(id=current.successor_id)
        if successor is None or not same_hash(secret, successor.secret_hash):
            return None  # SECRET_KEY changed meanwhile
        if successor.rotated_at is None:
            return f"{successor.id}.{secret}" if successor.expires_at > now else None
        current = successor
    return None


async def login(
    email: str, password: str, client_address: str, user_agent: str | None
) -> IssuedTokens:
    email = email.strip().lower()
    await throttle.ensure_login_allowed(email, client_address)
    user = await User.get_or_none(email=email)
    # verify_password runs the same Argon2 work when the account does not exist.
    valid = await verify_password(password, user.password_hash if user else None)
    if not valid or user is None or not user.is_active:
        await throttle.record_login_failure(email, client_address)
        raise INVALID_CREDENTIALS
    await throttle.forget_login_failures(email)
    async with in_transaction():
        session = await AuthSession.create(
            user=user, client_address=client_address, user_agent=(user_agent or "")[:255]
        )
        refresh = await _issue_refresh_token(session)
    await note_activity(user)
    access, expires_in = issue_access_token(user.id, session.id)
    return IssuedTokens(user, access, expires_in, refresh)


def _parse_refresh_token(raw: str) -> tuple[UUID, str] | None:
    token_id, _, secret = raw.partition(".")
    try:
        return UUID(token_id), secret
    except ValueError:
        return None


async def refresh(raw_token: str) -> IssuedTokens:
    """Rotate a refresh token. Replaying a rotated one revokes the whole session, unless it
    was rotated less than REFRESH_REUSE_GRACE_SECONDS ago: several requests of an app
    waking up refresh with the same token at once, and each gets the same new one."""
    invalid = DomainError(ErrorCode.INVALID_TOKEN, "Session expirée : veuillez vous reconnecter.")
    parsed = _parse_refresh_token(raw_token)
    if parsed is None:
        raise invalid
    token_id, secret = parsed
    token = await RefreshToken.get_or_none(id=token_id).select_related("session__user")
    if token is None or not same_hash(secret, token.secret_hash):
        raise invalid
    session = token.session
    if (
        session.revoked_at is not None
        or token.expires_at <= clock.now()
        or not session.user.is_active
    ):
        raise invalid
    successor_id = uuid4()
    async with in_transaction():
        # Only one caller can rotate a given token: the conditional update is the lock.
        rotated = await RefreshToken.filter(id=token.id, rotated_at__isnull=True).update(
            rotated_at=clock.now(), successor_id=successor_id
        )
        if rotated:
            new_refresh = await _issue_refresh_token(
                session, successor_id, _successor_secret(secret, successor_id)
            )
    if not rotated:
        current = await _current_successor(token.id, secret)
        if current is None:
            await revoke_session(session.id, reason="refresh_token_reuse")
            raise DomainError(
                ErrorCode.SESSION_REVOKED,
                "Ce jeton a déjà été utilisé : par sécurité, la session a été fermée. "
                "Veuillez vous reconnecter.",
            )
        new_refresh = current
    user = session.user
    await note_activity(user)
    access, expires_in = issue_access_token(user.id, session.id)
    return IssuedTokens(user, access, expires_in, new_refresh)


async def revoke_session(session_id: UUID, reason: str) -> None:
    await AuthSession.filter(id=session_id, revoked_at__isnull=True).update(
        revoked_at=clock.now(), revoked_reason=reason
    )


async def revoke_all_sessions(
    user_id: UUID, reason: str, except_session: UUID | None = None
) -> None:
    query = AuthSession.filter(user_id=user_id, revoked_at__isnull=True)
    if except_session is not None:
        query = query.exclude(id=except_session)
    await query.update(revoked_at=clock.now(), revoked_reason=reason)


async def viewer_from_access_token(token: str, client_address: str | None) -> Viewer | None:
    """The Viewer behind a bearer token, or None when the token, session or account is no
    longer valid. Checked on every request, so revocation takes effect at once. A token we
    signed that has expired gives an anonymous Viewer marked `token_expired`, so that the
    client is told to refresh it (TOKEN_EXPIRED) rather than to sign in (UNAUTHENTICATED)."""
    genuine = genuine_access_token(token)
    if genuine is None:
        return None
    claims, expires_at = genuine
    if expires_at <= clock.now().timestamp():
        return Viewer(client_address=client_address, token_expired=True)
    viewer = await load_viewer(claims.user_id, claims.session_id, client_address)
    if viewer is not None:
        viewer.token_expires_at = expires_at
    return viewer


async def load_viewer(user_id: UUID, session_id: UUID, client_address: str | None) -> Viewer | None:
    """Every authenticated request: the session still open, its user, and for a delegate the
    delegations to active partners (each with its partner), in one read (queries.viewer_rows).
    The rows come from the viewer cache while it holds them (domain/accounts/viewer_cache.py)."""
    rows = viewers.get(session_id, user_id)
    if rows is None:
        generation = viewers.generation
        rows = await queries.viewer_rows(session_id, user_id)
        viewers.put(session_id, user_id, rows, generation)
    user = fixed_sql.hydrate(User, rows[0], "u") if rows else None
    if user is None or not user.is_active:
        return None
    delegations: dict[UUID, Delegate] = {}
    for row in rows:
        if row["p.id"] is None:  # not a delegate, or a delegation to an inactive partner
            continue
        delegate = fixed_sql.hydrate(Delegate, row, "d")
        fixed_sql.attach(delegate, "partner", fixed_sql.hydrate(Partner, row, "p"))
        delegations[delegate.partner_id] = delegate
    return Viewer(
        user=user,
        session_id=session_id,
        client_address=client_address,
        delegations=delegations,
    )
