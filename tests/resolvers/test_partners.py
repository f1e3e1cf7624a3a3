"""Partners and delegates: creation by staff, invitations, permissions, revocation, isolation."""

from __future__ import annotations

from models.accounts import StaffRole, User
from models.partners import Delegate, DelegatePermission, DelegateStatus
from tests.factories import (
    PASSWORD,
    collaborator,
    partner_team,
    sign_in,
    staff_member,
    token_for,
)
from tests.support import error_codes, jobs_done, link_token, unique, valid_siret

CREATE_PARTNER = """
mutation Create($input: CreatePartnerInput!) {
  createPartner(input: $input) {
    __typename
    ... on PartnerSuccess { partner { id tradeName siret status debitableWallets } }
    ... on UserError { code message field }
  }
}
"""
INVITE = """
mutation Invite($input: InviteDelegateInput!) {
  inviteDelegate(input: $input) {
    __typename
    ... on DelegationSuccess { delegation { id status permissions person { email } } }
    ... on UserError { code message field }
  }
}
"""
ACCEPT = """
mutation Accept($token: String!, $password: String!) {
  acceptInvitation(token: $token, password: $password) {
    __typename
    ... on AuthPayload { accessToken user { email delegations { isPrincipal status
      permissions partner { id tradeName } } } }
    ... on UserError { code message field }
  }
}
"""
PARTNER_PRIVATE = """
query Partner($id: ID!) {
  partner(id: $id) { id tradeName siret legalName delegates { person { email } } }
}
"""
SUSPEND_DELEGATE = """mutation($id: ID!) { suspendDelegate(delegateId: $id) {
  __typename ... on DelegationSuccess { delegation { status } } ... on UserError { code } } }"""
REACTIVATE_DELEGATE = """mutation($id: ID!) { reactivateDelegate(delegateId: $id) {
  __typename ... on DelegationSuccess { delegation { status } } ... on UserError { code } } }"""
REVOKE_DELEGATE = """mutation($id: ID!) { revokeDelegate(delegateId: $id) {
  __typename ... on DelegationSuccess { delegation { status } } ... on UserError { code } } }"""
SET_PERMISSIONS = """mutation($id: ID!, $permissions: [DelegatePermission!]!) {
  updateDelegatePermissions(delegateId: $id, permissions: $permissions) {
    __typename ... on DelegationSuccess { delegation { permissions } }
    ... on UserError { code message } } }"""
AUDIT = """
query Audit($partnerId: ID, $actorId: ID, $action: String, $first: Int!, $after: String) {
  auditLog(partnerId: $partnerId, actorId: $actorId, action: $action, first: $first,
           after: $after) {
    entries { action objectType partnerId before after clientAddress actor { email } }
    nextCursor
  }
}
"""


def partner_input(representative_email: str, **overrides):
    seed = int(unique(""))
    data = {
        "legalName": "Association Les Voiles du Frioul",
        "tradeName": f"Les Voiles du Frioul {seed}",
        "siret": valid_siret(seed),
        "categories": ["SPORT"],
        "debitableWallets": ["SPORT_CULTURE_LOISIRS"],
        "conventionSignedOn": "2025-09-01",
        "representative": {
            "email": representative_email,
            "firstName": "Aurélie",
            "lastName": "Fabre",
        },
    }
    return {**data, **overrides}


def invitation(partner_id, email, permissions):
    return {
        "input": {
            "partnerId": str(partner_id),
            "email": email,
            "firstName": "Noé",
            "lastName": "Giraud",
            "permissions": permissions,
        }
    }


async def test_the_full_delegation_story(gql, mailbox):
    """Staff create a partner; its legal representative accepts and invites a collaborator,
    who signs in with their own password; the collaborator cannot invite anyone."""
    support = await token_for(gql, await staff_member(StaffRole.SUPPORT))
    rep_email = f"{unique('representant')}@voiles.test"
    created = await gql.post(CREATE_PARTNER, {"input": partner_input(rep_email)}, token=support)
    partner = created["data"]["createPartner"]["partner"]
    assert partner["status"] == "ACTIVE"

    invite_mail = await mailbox.wait_for(rep_email, "Invitation")
    assert "délégué principal" in invite_mail.get_body(("plain",)).get_content()
    accepted = await gql.post(
        ACCEPT, {"token": link_token(invite_mail), "password": "Mistral-Gagnant-13"}
    )
    principal = accepted["data"]["acceptInvitation"]
    assert principal["user"]["delegations"][0]["isPrincipal"] is True
    assert principal["user"]["delegations"][0]["status"] == "ACTIVE"

    collab_email = f"{unique('moniteur')}@voiles.test"
    invited = await gql.post(
        INVITE,
        invitation(partner["id"], collab_email, ["TRANSACTIONS"]),
        token=principal["accessToken"],
    )
    assert invited["data"]["inviteDelegate"]["delegation"]["status"] == "INVITED"
    collab_mail = await mailbox.wait_for(collab_email, "Invitation")
    joined = await gql.post(
        ACCEPT, {"token": link_token(collab_mail), "password": "Planche-a-Voile-22"}
    )
    assert joined["data"]["acceptInvitation"]["__typename"] == "AuthPayload"
    collab_login = await sign_in(gql, await User.get(email=collab_email), "Planche-a-Voile-22")

    refused = await gql.post(
        INVITE,
        invitation(partner["id"], "autre@voiles.test", []),
        token=collab_login["accessToken"],
    )
    assert refused["data"] is None and error_codes(refused) == ["FORBIDDEN"]
    assert not await User.exists(email="autre@voiles.test")

    trail = await gql.post(
        AUDIT, {"partnerId": partner["id"], "first": 50}, token=principal["accessToken"]
    )
    actions = [e["action"] for e in trail["data"]["auditLog"]["entries"]]
    assert actions == [
        "delegate.invitation_accepted",
        "delegate.invited",
        "delegate.invitation_accepted",
        "delegate.invited",
        "partner.created",
    ]
    assert trail["data"]["auditLog"]["entries"][1]["clientAddress"] == "203.0.113.7"


async def test_bad_partner_input_is_refused_and_creates_nothing(gql):
    support = await token_for(gql, await staff_member(StaffRole.SUPPORT))
    for override, code in [
        ({"siret": "12345678901234"}, "INVALID_SIRET"),
        ({"categories": []}, "INVALID_INPUT"),
        ({"tradeName": "   "}, "INVALID_INPUT"),
    ]:
        email = f"{unique('rep')}@voiles.test"
        result = await gql.post(
            CREATE_PARTNER, {"input": partner_input(email, **override)}, token=support
        )
        assert result["data"]["createPartner"]["code"] == code
        assert not await User.exists(email=email)
    data = partner_input(f"{unique('rep')}@voiles.test")
    await gql.post(CREATE_PARTNER, {"input": data}, token=support)
    again = partner_input(f"{unique('rep')}@voiles.test", siret=data["siret"])
    result = await gql.post(CREATE_PARTNER, {"input": again}, token=support)
    assert result["data"]["createPartner"]["code"] == "SIRET_ALREADY_USED"
    assert not await User.exists(email=again["representative"]["email"])


async def test_a_delegates_manager_cannot_hand_out_the_delegates_permission(gql):
    team = await partner_team()
    manager = await collaborator(team, DelegatePermission.DELEGATES)
    token = await token_for(gql, manager)
    plain = await gql.post(
        INVITE, invitation(team.partner.id, f"{unique('c')}@p.test", ["TRANSACTIONS"]), token=token
    )
    assert plain["data"]["inviteDelegate"]["__typename"] == "DelegationSuccess"
    escalating = await gql.post(
        INVITE, invitation(team.partner.id, f"{unique('c')}@p.test", ["DELEGATES"]), token=token
    )
    assert escalating["data"]["inviteDelegate"]["code"] == "FORBIDDEN"
    principal_row = await Delegate.get(partner_id=team.partner.id, is_principal=True)
    on_principal = await gql.post(SUSPEND_DELEGATE, {"id": str(principal_row.id)}, token=token)
    assert on_principal["data"]["suspendDelegate"]["code"] == "FORBIDDEN"


async def test_suspension_and_revocation_take_effect_on_existing_tokens(gql):
    team = await partner_team()
    cashier = await collaborator(team, DelegatePermission.PROFILE)
    principal = await token_for(gql, team.principal)
    cashier_token = await token_for(gql, cashier)
    delegate = await Delegate.get(partner_id=team.partner.id, user_id=cashier.id)
    query = {"id": str(team.partner.id)}

    assert (await gql.post(PARTNER_PRIVATE, query, token=cashier_token))["data"]["partner"][
        "siret"
    ] == team.partner.siret
    suspended = await gql.post(SUSPEND_DELEGATE, {"id": str(delegate.id)}, token=principal)
    assert suspended["data"]["suspendDelegate"]["delegation"]["status"] == "SUSPENDED"
    after = await gql.post(PARTNER_PRIVATE, query, token=cashier_token)
    assert after["data"]["partner"]["siret"] is None and "FORBIDDEN" in error_codes(after)

    await gql.post(REACTIVATE_DELEGATE, {"id": str(delegate.id)}, token=principal)
    assert (await gql.post(PARTNER_PRIVATE, query, token=cashier_token))["data"]["partner"]["siret"]
    revoked = await gql.post(REVOKE_DELEGATE, {"id": str(delegate.id)}, token=principal)
    assert revoked["data"]["revokeDelegate"]["delegation"]["status"] == "REVOKED"
    gone = await gql.post("{ me { email } }", token=cashier_token)
    assert gone["data"]["me"] is None  # no partner left: every session of theirs ended
    cannot = await gql.post(REACTIVATE_DELEGATE, {"id": str(delegate.id)}, token=principal)
    assert cannot["data"]["reactivateDelegate"]["code"] == "INVALID_STATE"


async def test_permissions_can_be_changed_by_the_principal_and_are_audited(gql):
    team = await partner_team()
    member = await collaborator(team, DelegatePermission.TRANSACTIONS)
    delegate = await Delegate.get(partner_id=team.partner.id, user_id=member.id)
    principal = await token_for(gql, team.principal)
    changed = await gql.post(
        SET_PERMISSIONS,
        {"id": str(delegate.id), "permissions": ["FINANCE", "PROFILE"]},
        token=principal,
    )
    assert changed["data"]["updateDelegatePermissions"]["delegation"]["permissions"] == [
        "FINANCE",
        "PROFILE",
    ]
    own = await gql.post(
        SET_PERMISSIONS,
        {"id": str(delegate.id), "permissions": ["DELEGATES"]},
        token=await token_for(gql, member),
    )
    assert error_codes(own) == ["FORBIDDEN"]
    trail = await gql.post(
        AUDIT,
        {"partnerId": str(team.partner.id), "action": "delegate.permissions_changed", "first": 10},
        token=principal,
    )
    entry = trail["data"]["auditLog"]["entries"][0]
    assert entry["before"]["permissions"] == ["transactions"]
    assert entry["after"]["permissions"] == ["finance", "profile"]
    assert entry["actor"]["email"] == team.principal.email


async def test_a_person_can_be_a_delegate_of_two_partners(gql, mailbox):
    first, second = await partner_team(name="Cinéma"), await partner_team(name="Théâtre")
    person = await collaborator(first, DelegatePermission.TRANSACTIONS)
    invited = await gql.post(
        INVITE,
        invitation(second.partner.id, person.email, ["PROFILE"]),
        token=await token_for(gql, second.principal),
    )
    assert invited["data"]["inviteDelegate"]["__typename"] == "DelegationSuccess"
    message = await mailbox.wait_for(person.email, "Théâtre")
    wrong = await gql.post(ACCEPT, {"token": link_token(message), "password": "Autre-mdp-123"})
    assert wrong["data"]["acceptInvitation"]["code"] == "INVALID_CREDENTIALS"
    joined = await gql.post(ACCEPT, {"token": link_token(message), "password": PASSWORD})
    delegations = joined["data"]["acceptInvitation"]["user"]["delegations"]
    assert sorted(d["partner"]["id"] for d in delegations) == sorted(
        [str(first.partner.id), str(second.partner.id)]
    )


async def test_partner_b_sees_nothing_private_of_partner_a(gql):
    a, b = await partner_team(name="Alpha"), await partner_team(name="Bravo")
    b_token = await token_for(gql, b.principal)
    profile = await gql.post(PARTNER_PRIVATE, {"id": str(a.partner.id)}, token=b_token)
    assert profile["data"]["partner"]["tradeName"] == a.partner.trade_name  # public page
    assert profile["data"]["partner"]["siret"] is None
    assert profile["data"]["partner"]["delegates"] is None
    assert set(error_codes(profile)) == {"FORBIDDEN"}

    trail = await gql.post(AUDIT, {"partnerId": str(a.partner.id), "first": 5}, token=b_token)
    assert trail["data"]["auditLog"] is None and error_codes(trail) == ["FORBIDDEN"]
    everything = await gql.post(AUDIT, {"first": 5}, token=b_token)
    assert everything["data"]["auditLog"] is None

    a_delegate = await Delegate.get(partner_id=a.partner.id, is_principal=True)
    for mutation, name in [
        (SUSPEND_DELEGATE, "suspendDelegate"),
        (REVOKE_DELEGATE, "revokeDelegate"),
    ]:
        result = await gql.post(mutation, {"id": str(a_delegate.id)}, token=b_token)
        assert result["data"] is None and error_codes(result) == ["FORBIDDEN"], name
    invited = await gql.post(
        INVITE, invitation(a.partner.id, f"{unique('x')}@b.test", []), token=b_token
    )
    assert error_codes(invited) == ["FORBIDDEN"]
    assert (await Delegate.get(id=a_delegate.id)).status == DelegateStatus.ACTIVE


async def test_staff_read_the_whole_trail_filtered_by_delegate(gql):
    team = await partner_team()
    member = await collaborator(team, DelegatePermission.TRANSACTIONS)
    staff_token = await token_for(gql, await staff_member(StaffRole.FINANCE))
    by_member = await gql.post(AUDIT, {"actorId": str(member.id), "first": 10}, token=staff_token)
    assert by_member["data"]["auditLog"]["entries"] == []  # accepted by the test factory
    by_principal = await gql.post(
        AUDIT, {"actorId": str(team.principal.id), "first": 1}, token=staff_token
    )
    page = by_principal["data"]["auditLog"]
    assert page["entries"][0]["action"] == "delegate.invited"
    assert page["nextCursor"] is None


async def test_audit_pages_follow_the_cursor_without_gaps(gql):
    team = await partner_team()
    for _ in range(4):
        await collaborator(team, DelegatePermission.TRANSACTIONS)
    principal = await token_for(gql, team.principal)
    seen, cursor = [], None
    while True:
        page = (
            await gql.post(
                AUDIT,
                {"partnerId": str(team.partner.id), "first": 2, "after": cursor},
                token=principal,
            )
        )["data"]["auditLog"]
        seen += [e["action"] for e in page["entries"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == ["delegate.invited"] * 5 + ["partner.created"]  # 4 + the principal


async def test_inviting_a_pending_delegate_again_sends_a_new_link_and_voids_the_old(gql, mailbox):
    team = await partner_team()
    principal = await token_for(gql, team.principal)
    email = f"{unique('oublieux')}@p.test"
    await gql.post(INVITE, invitation(team.partner.id, email, ["TRANSACTIONS"]), token=principal)
    old_link = link_token(await mailbox.wait_for(email, "Invitation"))
    again = await gql.post(INVITE, invitation(team.partner.id, email, ["PROFILE"]), token=principal)
    assert again["data"]["inviteDelegate"]["delegation"]["permissions"] == ["PROFILE"]
    await jobs_done()
    assert len(mailbox.to(email)) == 2
    new_link = link_token(mailbox.to(email)[-1])
    stale = await gql.post(ACCEPT, {"token": old_link, "password": "Fougasse-aux-Olives-3"})
    assert stale["data"]["acceptInvitation"]["code"] == "LINK_EXPIRED"  # replaced, not used
    shown = await gql.post(INVITATION_LINK, {"token": new_link})
    assert shown["data"]["emailLink"] == {
        "purpose": "DELEGATE_INVITATION",
        "email": email,
        "partnerName": team.partner.trade_name,
        "accountHasPassword": False,
    }
    fresh = await gql.post(ACCEPT, {"token": new_link, "password": "Fougasse-aux-Olives-3"})
    assert fresh["data"]["acceptInvitation"]["__typename"] == "AuthPayload"
    again = await gql.post(ACCEPT, {"token": new_link, "password": "Fougasse-aux-Olives-3"})
    assert again["data"]["acceptInvitation"]["code"] == "LINK_USED"
    used = await gql.post(INVITATION_LINK, {"token": new_link})
    assert used["data"]["emailLink"]["code"] == "LINK_USED"
    assert "connectez-vous" in used["data"]["emailLink"]["message"]


INVITATION_LINK = """query($token: String!) {
  emailLink(token: $token, purpose: DELEGATE_INVITATION) {
    ... on EmailLink { purpose email partnerName accountHasPassword }
    ... on UserError { code message }
  }
}"""


ACCEPTED_ANSWER = """
mutation($token: String!, $password: String!) {
  acceptInvitation(token: $token, password: $password) {
    __typename
    ... on AuthPayload { user { delegations { partner { siret } } } }
  }
}
"""


async def test_the_accepted_invitation_answers_as_the_delegate_who_just_signed_in(gql, mailbox):
    """No token was sent: the partner's SIRET under the answer is read as its new delegate."""
    team = await partner_team()
    email = f"{unique('nouveau')}@partenaire.test"
    invited = await gql.post(
        INVITE,
        invitation(team.partner.id, email, ["TRANSACTIONS"]),
        token=await token_for(gql, team.principal),
    )
    assert invited["data"]["inviteDelegate"]["delegation"]["status"] == "INVITED"

    accepted = await gql.post(
        ACCEPTED_ANSWER,
        {
            "token": link_token(await mailbox.wait_for(email, "Invitation")),
            "password": "Mistral-Gagnant-13",
        },
    )

    assert "errors" not in accepted, accepted["errors"]
    assert accepted["data"]["acceptInvitation"]["user"]["delegations"] == [
        {"partner": {"siret": team.partner.siret}}
    ]
