"""The programme's public facts a client shows (the hotline): `ProgrammeQueries`, composed in
schema/root.py. They come from the settings, never hard-coded in a page or an app."""

from __future__ import annotations

import strawberry

from resolvers import programme as resolvers
from resolvers.context import Info
from resolvers.permissions import ANYONE, allow


@strawberry.type(description="The programme's public facts, from the service's settings.")
class Programme:
    hotline_phone: str = strawberry.field(
        description="The partners' assistance number (the guide's « Assistance dédiée »), "
        "to call e.g. once a transaction can no longer be cancelled: « 04 86 68 80 07 »."
    )
    assistance_email: str = strawberry.field(
        description="The partners' assistance address (the guide's « Assistance dédiée »), "
        "e.g. to report a change of bank details: « contact.partenaire@cjeunedeprovence.fr »."
    )


@strawberry.type
class ProgrammeQueries:
    @strawberry.field(extensions=allow(ANYONE))
    async def programme(self, info: Info) -> Programme:
        settings = await resolvers.programme(info)
        return Programme(
            hotline_phone=settings.hotline_phone, assistance_email=settings.assistance_email
        )
