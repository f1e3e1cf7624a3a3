"""The team through the API: an administrator invites, lists with the last sign-in, changes
roles; the invited person accepts with the link and is signed in; a refusal is a UserError
with a stable code and a French message."""

from __future__ import annotations

from models.accounts import StaffRole
from tests.factories import staff_member, token_for
from tests.support import jobs_done, link_token, unique

INVITE = """mutation($i: InviteStaffMemberInput!) { inviteStaffMember(input: $i) {
  __typename ... on UserError { code field message }
  ... on StaffMemberSuccess { staffMember { id state roles lastSignInAt } } } }"""
ACCEPT = """mutation($t: String!, $p: String!) { acceptStaffInvitation(token: $t, password: $p) {
  __typename ... on UserError { code message }
  ... on AuthPayload { accessToken user { kind staffRoles } } } }"""
MEMBERS = "{ staffMembers { id email state roles lastSignInAt } }"
SET_ROLES = """mutation($s: ID!, $r: [StaffRole!]!) { setStaffRoles(staffId: $s, roles: $r) {
  __typename ... on UserError { code field message }
  ... on StaffMemberSuccess { staffMember { roles } } } }"""
FIGURES = "{ programmeFigures { __typename ... on ProgrammeFigures { cardsIssued } } }"


async def test_an_invited_member_accepts_through_the_api_and_is_signed_in(gql, mailbox):
    admin = await token_for(gql, await staff_member(StaffRole.ADMINISTRATOR))
    email = f"{unique('api')}@departement13.test"
    invite = {"email": email, "firstName": "Lina", "lastName": "Morel", "roles": ["FINANCE"]}

    invited = (await gql.post(INVITE, {"i": invite}, token=admin))["data"]["inviteStaffMember"]
    assert invited["staffMember"]["state"] == "INVITED"
    assert invited["staffMember"]["lastSignInAt"] is None
    again = await gql.post(INVITE, {"i": {**invite, "email": "Pas une adresse"}}, token=admin)
    assert again["data"]["inviteStaffMember"]["code"] == "INVALID_INPUT"

    await jobs_done()
    token = link_token(await mailbox.wait_for(email, "Invitation"))
    weak = await gql.post(ACCEPT, {"t": token, "p": "court"})
    assert weak["data"]["acceptStaffInvitation"]["code"] == "WEAK_PASSWORD"
    accepted = (await gql.post(ACCEPT, {"t": token, "p": "Sainte-Victoire-1904"}))["data"]
    payload = accepted["acceptStaffInvitation"]
    assert payload["user"] == {"kind": "STAFF", "staffRoles": ["FINANCE"]}
    theirs = payload["accessToken"]
    figures = await gql.post(FIGURES, token=theirs)
    assert figures["data"]["programmeFigures"]["__typename"] in {"ProgrammeFigures", "UserError"}

    members = (await gql.post(MEMBERS, token=admin))["data"]["staffMembers"]
    [row] = [m for m in members if m["email"] == email]
    assert row["state"] == "ACTIVE" and row["lastSignInAt"] is not None
    changed = await gql.post(SET_ROLES, {"s": row["id"], "r": ["SUPPORT"]}, token=admin)
    assert changed["data"]["setStaffRoles"]["staffMember"]["roles"] == ["SUPPORT"]
    empty = await gql.post(SET_ROLES, {"s": row["id"], "r": []}, token=admin)
    assert empty["data"]["setStaffRoles"] == {
        "__typename": "UserError",
        "code": "INVALID_INPUT",
        "field": "roles",
        "message": "Choisissez au moins un rôle.",
    }
    refused = await gql.post(MEMBERS, token=theirs)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
