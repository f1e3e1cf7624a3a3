"""A person's rights over their data (GDPR): a copy of one's data, closing one's account."""

from __future__ import annotations

import strawberry

from models.accounts import StaffRole
from resolvers import privacy
from resolvers.context import Info
from resolvers.permissions import YOUNG_PERSON, allow, staff
from schema.accounts import Me, ProfileVisibility
from schema.errors import Done, DoneResult, user_errors


@strawberry.type
class PrivacyMutations:
    @strawberry.mutation(
        extensions=allow(YOUNG_PERSON),
        description="Close my account (GDPR art. 17), confirmed with my password: my personal "
        "data are erased or pseudonymised, my cards opposed; the financial records stay, "
        "naming nobody. Every session of mine ends.",
    )
    @user_errors
    async def close_my_account(self, info: Info, password: str) -> DoneResult:
        await privacy.close_my_account(info, password)
        return Done()

    @strawberry.mutation(
        extensions=allow(YOUNG_PERSON),
        description="A copy of my data (GDPR art. 15 and 20): a background job builds a ZIP "
        "archive (donnees.json) and emails me a link valid 7 days.",
    )
    @user_errors
    async def request_my_data(self, info: Info) -> DoneResult:
        await privacy.request_my_data(info)
        return Done()

    @strawberry.mutation(
        extensions=allow(staff(StaffRole.SUPPORT)),
        description="A parent asks for their under-15 child's data (GDPR art. 15): the same "
        "archive as `requestMyData`, its link emailed to the parent's address on record (a "
        "parental consent given), never to an address typed here. Audited with the reason.",
    )
    @user_errors
    async def request_data_export_for_parent(
        self, info: Info, young_person_id: strawberry.ID, reason: str
    ) -> DoneResult:
        await privacy.request_data_export_for_parent(info, young_person_id, reason)
        return Done()

    @strawberry.mutation(
        extensions=allow(YOUNG_PERSON),
        description="Who may see my profile: nobody but me (PRIVATE, the default) or the "
        "partners I follow.",
    )
    async def set_profile_visibility(self, info: Info, visibility: ProfileVisibility) -> Me:
        return Me.from_model(await privacy.set_profile_visibility(info, visibility))
