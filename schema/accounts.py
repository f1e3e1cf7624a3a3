"""People and their sign-in sessions: the types, and the root fields `AccountQueries` and
`AccountMutations` (composed in schema/root.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from domain.accounts.sessions import IssuedTokens
from models.accounts import EmailTokenPurpose
from models.accounts import ProfileVisibility as ProfileVisibilityModel
from models.accounts import StaffRole as StaffRoleModel
from models.accounts import User as UserModel
from models.accounts import UserKind as UserKindModel
from resolvers import accounts
from resolvers.accounts import OpenedLink
from resolvers.context import Info
from resolvers.permissions import ANYONE, SIGNED_IN, allow
from schema.errors import Done, DoneResult, UserError, user_errors

if TYPE_CHECKING:
    from schema.partners import Delegation

UserKind = strawberry.enum(UserKindModel, name="UserKind")
StaffRole = strawberry.enum(StaffRoleModel, name="StaffRole")
ProfileVisibility = strawberry.enum(ProfileVisibilityModel, name="ProfileVisibility")
EmailLinkPurpose = strawberry.enum(
    EmailTokenPurpose,
    name="EmailLinkPurpose",
    description="What an emailed single-use link is for.",
)


@strawberry.type(description="The signed-in person's own account.")
class Me:
    id: strawberry.ID
    email: str
    kind: UserKind
    first_name: str
    last_name: str
    birth_date: date | None
    postal_code: str | None
    email_verified: bool
    staff_roles: list[StaffRole]
    profile_visibility: ProfileVisibility
    marketing_email_opt_in: bool
    marketing_push_opt_in: bool

    @strawberry.field(description="The partners this person acts for, and with which rights.")
    async def delegations(
        self, info: Info
    ) -> list[Annotated[Delegation, strawberry.lazy("schema.partners")]]:
        from schema.partners import Delegation

        delegates = await info.context.loaders.delegations_by_user.load(UUID(self.id))
        return [Delegation.from_model(d) for d in delegates]

    @classmethod
    def from_model(cls, user: UserModel) -> Me:
        return cls(
            id=strawberry.ID(str(user.id)),
            email=user.email,
            kind=user.kind,
            first_name=user.first_name,
            last_name=user.last_name,
            birth_date=user.birth_date,
            postal_code=user.postal_code,
            email_verified=user.email_verified_at is not None,
            staff_roles=[StaffRoleModel(r) for r in user.staff_roles],
            profile_visibility=user.profile_visibility,
            marketing_email_opt_in=user.marketing_email_opt_in,
            marketing_push_opt_in=user.marketing_push_opt_in,
        )


@strawberry.type(description="A person as shown to those who work with them (no private data).")
class Person:
    id: strawberry.ID
    first_name: str
    last_name: str
    email: str

    @classmethod
    def from_model(cls, user: UserModel) -> Person:
        return cls(
            id=strawberry.ID(str(user.id)),
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
        )


@strawberry.type(description="Tokens of a signed-in session.")
class AuthPayload:
    access_token: str = strawberry.field(description="Bearer token, valid `expiresIn` seconds.")
    expires_in: int
    refresh_token: str = strawberry.field(description="Single use: each refresh returns a new one.")
    user: Me

    @classmethod
    def from_issued(cls, issued: IssuedTokens) -> AuthPayload:
        return cls(
            access_token=issued.access_token,
            expires_in=issued.expires_in,
            refresh_token=issued.refresh_token,
            user=Me.from_model(issued.user),
        )


@strawberry.type
class RegisterSuccess:
    user: Me


@strawberry.input
class RegisterInput:
    email: str
    password: str
    first_name: str
    last_name: str
    birth_date: date
    postal_code: str = strawberry.field(description="Code postal de résidence (13xxx).")


AuthResult = Annotated[AuthPayload | UserError, strawberry.union("AuthResult")]
RegisterResult = Annotated[RegisterSuccess | UserError, strawberry.union("RegisterResult")]


@strawberry.type(
    description="An emailed link that still works (its page shows the form before the "
    "person acts), whom it is for and, for an invitation, to which partner."
)
class EmailLink:
    purpose: EmailLinkPurpose
    expires_at: datetime
    first_name: str
    email: str
    account_has_password: bool = strawberry.field(
        description="An invitation to someone who already has a password (a delegate of "
        "another partner): `acceptInvitation` asks for it instead of a new one."
    )
    partner_name: str | None = strawberry.field(
        description="An invitation: the partner the person is invited to act for."
    )

    @classmethod
    def of(cls, opened: OpenedLink) -> EmailLink:
        token, user = opened.token, opened.token.user
        return cls(
            purpose=token.purpose,
            expires_at=token.expires_at,
            first_name=user.first_name,
            email=user.email,
            account_has_password=user.password_hash is not None,
            partner_name=opened.partner_name,
        )


EmailLinkResult = Annotated[EmailLink | UserError, strawberry.union("EmailLinkResult")]


@strawberry.type
class AccountQueries:
    @strawberry.field(extensions=allow(SIGNED_IN))
    async def me(self, info: Info) -> Me | None:
        return Me.from_model(await accounts.me(info))

    @strawberry.field(
        extensions=allow(ANYONE),
        description="Whether an emailed link (email verification, new password, invitation) "
        "still works, without using it: INVALID_TOKEN for an unknown link, LINK_EXPIRED for "
        "one past its lifetime or replaced by a newer one, LINK_USED for one already used.",
    )
    @user_errors
    async def email_link(
        self, info: Info, token: str, purpose: EmailLinkPurpose
    ) -> EmailLinkResult:
        return EmailLink.of(await accounts.email_link(info, token, purpose))


@strawberry.type
class AccountMutations:
    @strawberry.mutation(extensions=allow(ANYONE))
    @user_errors
    async def register(self, info: Info, input: RegisterInput) -> RegisterResult:
        return RegisterSuccess(user=Me.from_model(await accounts.register(info, input)))

    @strawberry.mutation(extensions=allow(ANYONE))
    @user_errors
    async def verify_email(self, info: Info, token: str) -> DoneResult:
        await accounts.verify_email(info, token)
        return Done()

    @strawberry.mutation(
        extensions=allow(ANYONE),
        description="Always answers ok, whether the address has an account or not.",
    )
    async def request_password_reset(self, info: Info, email: str) -> Done:
        await accounts.request_password_reset(info, email)
        return Done()

    @strawberry.mutation(extensions=allow(ANYONE))
    @user_errors
    async def reset_password(self, info: Info, token: str, new_password: str) -> DoneResult:
        await accounts.reset_password(info, token, new_password)
        return Done()

    @strawberry.mutation(extensions=allow(SIGNED_IN))
    @user_errors
    async def change_password(
        self, info: Info, current_password: str, new_password: str
    ) -> DoneResult:
        await accounts.change_password(info, current_password, new_password)
        return Done()

    @strawberry.mutation(extensions=allow(ANYONE))
    @user_errors
    async def login(self, info: Info, email: str, password: str) -> AuthResult:
        return AuthPayload.from_issued(await accounts.login(info, email, password))

    @strawberry.mutation(extensions=allow(ANYONE))
    @user_errors
    async def refresh_token(self, info: Info, refresh_token: str) -> AuthResult:
        return AuthPayload.from_issued(await accounts.refresh_token(info, refresh_token))

    @strawberry.mutation(extensions=allow(SIGNED_IN))
    async def logout(self, info: Info) -> Done:
        await accounts.logout(info)
        return Done()
