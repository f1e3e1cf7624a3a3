"""Resolvers for sign-up, sign-in, sessions and the account itself."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.accounts import sessions
from domain.accounts import users as accounts
from domain.core.errors import DomainError
from schema.accounts import AuthPayload, Me, RegisterInput, RegisterSuccess
from schema.errors import Done, UserError
from server.context import Info

AuthResult = Annotated[AuthPayload | UserError, strawberry.union("AuthResult")]
RegisterResult = Annotated[RegisterSuccess | UserError, strawberry.union("RegisterResult")]
DoneResult = Annotated[Done | UserError, strawberry.union("DoneResult")]


def auth_payload(issued: sessions.IssuedTokens) -> AuthPayload:
    return AuthPayload(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
        user=Me.from_model(issued.user),
    )


async def me(info: Info) -> Me | None:
    user = info.context.viewer.user
    assert user is not None  # guaranteed by the SIGNED_IN rule
    return Me.from_model(user)


async def register(info: Info, input: RegisterInput) -> RegisterResult:
    try:
        user = await accounts.register_young_person(
            accounts.Registration(
                email=input.email,
                password=input.password,
                first_name=input.first_name,
                last_name=input.last_name,
                birth_date=input.birth_date,
                postal_code=input.postal_code,
            )
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return RegisterSuccess(user=Me.from_model(user))


async def verify_email(info: Info, token: str) -> DoneResult:
    try:
        await accounts.verify_email(token)
    except DomainError as error:
        return UserError.from_domain(error)
    return Done()


async def request_password_reset(info: Info, email: str) -> Done:
    await accounts.request_password_reset(email)
    return Done()


async def reset_password(info: Info, token: str, new_password: str) -> DoneResult:
    try:
        await accounts.reset_password(token, new_password)
    except DomainError as error:
        return UserError.from_domain(error)
    return Done()


async def change_password(info: Info, current_password: str, new_password: str) -> DoneResult:
    try:
        await accounts.change_password(info.context.viewer, current_password, new_password)
    except DomainError as error:
        return UserError.from_domain(error)
    return Done()


async def login(info: Info, email: str, password: str) -> AuthResult:
    try:
        issued = await sessions.login(
            email, password, info.context.client_address, info.context.user_agent
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return auth_payload(issued)


async def refresh_token(info: Info, refresh_token: str) -> AuthResult:
    try:
        issued = await sessions.refresh(refresh_token)
    except DomainError as error:
        return UserError.from_domain(error)
    return auth_payload(issued)


async def logout(info: Info) -> Done:
    viewer = info.context.viewer
    if viewer.session_id is not None:
        await sessions.revoke_session(viewer.session_id, reason="logout")
    return Done()
