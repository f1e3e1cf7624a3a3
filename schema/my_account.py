"""What a signed-in person manages of their own account beside their profile: the sessions
open in their name (sign out the others) and the devices their push notifications reach.

`MyAccountQueries` and `MyAccountMutations` are composed into the root types (schema/root.py).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.accounts import AuthSession
from resolvers import my_account as resolvers
from resolvers.context import Info
from resolvers.permissions import SIGNED_IN, allow
from schema.errors import Done, DoneResult, user_errors
from schema.notifications import Device


@strawberry.type(description="A browser or an app signed in to my account.")
class MySession:
    id: strawberry.ID
    signed_in_at: datetime
    user_agent: str | None = strawberry.field(description="As the browser or app named itself.")
    current: bool = strawberry.field(description="The session asking.")

    @classmethod
    def from_model(cls, session: AuthSession, current_id: object) -> MySession:
        return cls(
            id=strawberry.ID(str(session.id)),
            signed_in_at=session.created_at,
            user_agent=session.user_agent or None,
            current=session.id == current_id,
        )


@strawberry.type
class OtherSessionsSignedOut:
    count: int = strawberry.field(description="How many sessions ended.")


@strawberry.type
class MyAccountQueries:
    @strawberry.field(
        extensions=allow(SIGNED_IN), description="My sessions still open, newest first."
    )
    async def my_sessions(self, info: Info) -> list[MySession]:
        current = info.context.viewer.session_id
        return [MySession.from_model(s, current) for s in await resolvers.my_sessions_list(info)]

    @strawberry.field(
        extensions=allow(SIGNED_IN),
        description="The devices that receive my push notifications, newest first.",
    )
    async def my_devices(self, info: Info) -> list[Device]:
        return [Device.from_model(d) for d in await resolvers.my_devices(info)]


@strawberry.type
class MyAccountMutations:
    @strawberry.mutation(
        extensions=allow(SIGNED_IN),
        description="End every session of mine but this one (a shared computer, a lost phone).",
    )
    async def sign_out_other_sessions(self, info: Info) -> OtherSessionsSignedOut:
        return OtherSessionsSignedOut(count=await resolvers.sign_out_other_sessions(info))

    @strawberry.mutation(
        extensions=allow(SIGNED_IN),
        description="A device of mine stops receiving my notifications (by its id in myDevices).",
    )
    @user_errors
    async def remove_my_device(self, info: Info, device_id: strawberry.ID) -> DoneResult:
        await resolvers.remove_my_device(info, device_id)
        return Done()
