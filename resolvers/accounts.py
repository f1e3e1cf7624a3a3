"""Resolvers for sign-up, sign-in, sessions and the account itself: read the input, call
domain.accounts, answer with the models (schema/accounts.py shapes them); a refused rule
raises DomainError."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.accounts import email_tokens, sessions, staff
from domain.accounts import users as accounts
from domain.partners import delegates
from models.accounts import EmailToken, EmailTokenPurpose, User
from resolvers.context import Info


@dataclass(frozen=True)
class OpenedLink:
    """An emailed link that still works, whom it is for, and (an invitation) to what."""

    token: EmailToken  # its user loaded
    partner_name: str | None = None


async def email_link(info: Info, token: str, purpose: EmailTokenPurpose) -> OpenedLink:
    if purpose == EmailTokenPurpose.DELEGATE_INVITATION:
        found, delegate = await delegates.open_invitation(token)
        return OpenedLink(found, delegate.partner.trade_name)
    if purpose == EmailTokenPurpose.STAFF_INVITATION:
        return OpenedLink(await staff.open_staff_invitation(token))
    return OpenedLink(await email_tokens.open_link(token, purpose))


async def me(info: Info) -> User:
    user = info.context.viewer.user
    assert user is not None  # guaranteed by the SIGNED_IN rule
    return user


async def register(info: Info, input: Any) -> User:
    """`input` is a RegisterInput."""
    return await accounts.register_young_person(
        accounts.Registration(
            email=input.email,
            password=input.password,
            first_name=input.first_name,
            last_name=input.last_name,
            birth_date=input.birth_date,
            postal_code=input.postal_code,
        )
    )


async def verify_email(info: Info, token: str) -> None:
    await accounts.verify_email(token)


async def request_password_reset(info: Info, email: str) -> None:
    await accounts.request_password_reset(email)


async def reset_password(info: Info, token: str, new_password: str) -> None:
    await accounts.reset_password(token, new_password)


async def change_password(info: Info, current_password: str, new_password: str) -> None:
    await accounts.change_password(info.context.viewer, current_password, new_password)


async def login(info: Info, email: str, password: str) -> sessions.IssuedTokens:
    issued = await sessions.login(
        email, password, info.context.client_address, info.context.user_agent
    )
    return await info.context.signed_in(issued)


async def refresh_token(info: Info, refresh_token: str) -> sessions.IssuedTokens:
    return await info.context.signed_in(await sessions.refresh(refresh_token))


async def logout(info: Info) -> None:
    viewer = info.context.viewer
    if viewer.session_id is not None:
        await sessions.revoke_session(viewer.session_id, reason="logout")
