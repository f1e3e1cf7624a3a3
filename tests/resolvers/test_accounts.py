"""Sign-up, email verification, sign-in, sessions and passwords, through the GraphQL API."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import httpx
import jwt

from domain.accounts.throttle import record_login_failure
from domain.core import clock
from infra.settings import use_settings
from models.accounts import AuthSession, RefreshToken, User
from tests.factories import LOGIN, PASSWORD, partner_team, sign_in, young_person
from tests.support import GraphQLClient, error_codes, jobs_done, link_token, unique

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    __typename
    ... on RegisterSuccess { user { id email kind emailVerified profileVisibility } }
    ... on UserError { code message field }
  }
}
"""
VERIFY = """mutation($token: String!) { verifyEmail(token: $token) {
  __typename ... on UserError { code message } } }"""
ME = "{ me { email kind emailVerified } }"
REFRESH = """
mutation Refresh($token: String!) {
  refreshToken(refreshToken: $token) {
    __typename
    ... on AuthPayload { accessToken refreshToken }
    ... on UserError { code message }
  }
}
"""
LOGOUT = "mutation { logout { ok } }"
REQUEST_RESET = "mutation($email: String!) { requestPasswordReset(email: $email) { ok } }"
RESET = """mutation($token: String!, $password: String!) {
  resetPassword(token: $token, newPassword: $password) {
    __typename ... on UserError { code message field } } }"""
CHANGE = """mutation($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new) {
    __typename ... on UserError { code message field } } }"""


def registration(**overrides):
    data = {
        "email": f"{unique('inscrit')}@jeune.test",
        "password": "Sardines-Grillees-7",
        "firstName": "Lina",
        "lastName": "Rossi",
        "birthDate": "2012-02-03",
        "postalCode": "13005",
    }
    return {**data, **overrides}


async def test_young_person_registers_verifies_email_and_signs_in(gql, mailbox):
    data = registration()
    result = await gql.post(REGISTER, {"input": data})
    user = result["data"]["register"]["user"]
    assert user["kind"] == "YOUNG_PERSON"
    assert user["emailVerified"] is False
    assert user["profileVisibility"] == "PRIVATE"  # private by default

    message = await mailbox.wait_for(data["email"], "Confirmez")
    assert "Bonjour Lina" in message.get_body(("plain",)).get_content()
    assert message.get_body(("html",)) is not None
    token = link_token(message)
    assert (await gql.post(VERIFY, {"token": token}))["data"]["verifyEmail"]["__typename"] == "Done"
    # Single use.
    again = await gql.post(VERIFY, {"token": token})
    assert again["data"]["verifyEmail"]["code"] == "LINK_USED"

    login = await gql.post(LOGIN, {"email": data["email"].upper(), "password": data["password"]})
    access = login["data"]["login"]["accessToken"]
    me = await gql.post(ME, token=access)
    assert me["data"]["me"] == {
        "email": data["email"],
        "kind": "YOUNG_PERSON",
        "emailVerified": True,
    }


async def test_registration_refuses_bad_input_and_changes_nothing(gql):
    cases = [
        ({"email": "pas-une-adresse"}, "INVALID_INPUT", "email"),
        ({"birthDate": "2020-01-01"}, "AGE_NOT_ELIGIBLE", "birthDate"),
        ({"birthDate": "1990-01-01"}, "AGE_NOT_ELIGIBLE", "birthDate"),
        ({"postalCode": "75001"}, "INVALID_INPUT", "postalCode"),
        ({"password": "court"}, "WEAK_PASSWORD", "password"),
        ({"password": "Lina-Rossi-2024!"}, "WEAK_PASSWORD", "password"),
    ]
    for override, code, field in cases:
        data = registration(**override)
        result = (await gql.post(REGISTER, {"input": data}))["data"]["register"]
        assert (result["code"], result["field"]) == (code, field), override
        assert result["message"] and not result["message"].startswith("Unexpected")
        assert not await User.exists(email=data["email"].lower())


async def test_registering_an_existing_email_is_refused(gql):
    data = registration()
    await gql.post(REGISTER, {"input": data})
    result = (await gql.post(REGISTER, {"input": data}))["data"]["register"]
    assert result["code"] == "EMAIL_ALREADY_USED"


async def test_wrong_password_and_unknown_email_get_the_same_answer(gql):
    user = await young_person()
    wrong = await gql.post(LOGIN, {"email": user.email, "password": "Mauvais-mot-de-passe"})
    unknown = await gql.post(LOGIN, {"email": "personne@nulle.part", "password": "Mauvais-mdp-1"})
    assert wrong["data"]["login"] == unknown["data"]["login"]
    assert wrong["data"]["login"]["code"] == "INVALID_CREDENTIALS"


async def test_sign_in_is_throttled_per_account_even_with_the_right_password(gql, settings):
    user = await young_person()
    for _ in range(settings.login_max_failures_per_account):
        await gql.post(LOGIN, {"email": user.email, "password": "Mauvais-mot-de-passe"})
    blocked = await gql.post(LOGIN, {"email": user.email, "password": PASSWORD})
    assert blocked["data"]["login"]["code"] == "TOO_MANY_ATTEMPTS"
    # The same answer for an address without an account: nothing is revealed.
    for _ in range(settings.login_max_failures_per_account):
        await gql.post(LOGIN, {"email": "fantome@jeune.test", "password": "Mauvais-mdp-1"})
    ghost = await gql.post(LOGIN, {"email": "fantome@jeune.test", "password": "Mauvais-mdp-1"})
    assert ghost["data"]["login"] == blocked["data"]["login"]
    # After the window, the right password works again.
    with clock.frozen(clock.now() + timedelta(minutes=settings.login_failure_window_minutes + 1)):
        assert (await sign_in(gql, user))["accessToken"]


async def test_sign_in_is_throttled_per_client_address(gql, app, settings):
    users = [await young_person() for _ in range(2)]
    for index in range(settings.login_max_failures_per_address):
        await record_login_failure(f"essai{index}@jeune.test", "198.51.100.9")
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        result = await GraphQLClient(http).post(
            LOGIN, {"email": users[0].email, "password": PASSWORD}
        )
    assert result["data"]["login"]["code"] == "TOO_MANY_ATTEMPTS"
    assert (await sign_in(gql, users[1]))["accessToken"]  # another address is not affected


async def test_refresh_rotates_and_a_replayed_token_kills_the_session(gql, settings):
    user = await young_person()
    first = await sign_in(gql, user)
    rotated = (await gql.post(REFRESH, {"token": first["refreshToken"]}))["data"]["refreshToken"]
    assert rotated["__typename"] == "AuthPayload"
    assert rotated["refreshToken"] != first["refreshToken"]
    assert (await gql.post(ME, token=rotated["accessToken"]))["data"]["me"]

    later = clock.now() + timedelta(seconds=settings.refresh_reuse_grace_seconds + 1)
    with clock.frozen(later):  # past the grace window: a reuse
        replay = await gql.post(REFRESH, {"token": first["refreshToken"]})
    assert replay["data"]["refreshToken"]["code"] == "SESSION_REVOKED"
    # The whole family is dead: the newest refresh token and the access token too.
    newest = (await gql.post(REFRESH, {"token": rotated["refreshToken"]}))["data"]["refreshToken"]
    assert newest["code"] == "INVALID_TOKEN"
    me = await gql.post(ME, token=rotated["accessToken"])
    assert me["data"]["me"] is None and error_codes(me) == ["UNAUTHENTICATED"]


async def test_ten_concurrent_refreshes_of_one_token_all_get_the_same_working_pair(gql):
    """An app waking up sends several requests at once, each refreshing the same token."""
    user = await young_person()
    first = await sign_in(gql, user)
    results = await asyncio.gather(
        *[gql.post(REFRESH, {"token": first["refreshToken"]}) for _ in range(10)]
    )
    payloads = [r["data"]["refreshToken"] for r in results]
    assert [p["__typename"] for p in payloads] == ["AuthPayload"] * 10, payloads
    assert len({p["refreshToken"] for p in payloads}) == 1  # one new refresh token
    for payload in payloads:
        assert (await gql.post(ME, token=payload["accessToken"]))["data"]["me"]["email"]
    # The session lives on: the new token rotates as usual, one session, nothing revoked.
    again = await gql.post(REFRESH, {"token": payloads[0]["refreshToken"]})
    assert again["data"]["refreshToken"]["__typename"] == "AuthPayload"
    sessions = await AuthSession.filter(user_id=user.id)
    assert len(sessions) == 1 and sessions[0].revoked_at is None


async def test_a_token_replayed_within_the_window_gets_the_token_now_in_use(gql, settings):
    user = await young_person()
    first = await sign_in(gql, user)
    second = (await gql.post(REFRESH, {"token": first["refreshToken"]}))["data"]["refreshToken"]
    third = (await gql.post(REFRESH, {"token": second["refreshToken"]}))["data"]["refreshToken"]
    late = (await gql.post(REFRESH, {"token": first["refreshToken"]}))["data"]["refreshToken"]
    assert late["__typename"] == "AuthPayload"
    assert late["refreshToken"] == third["refreshToken"]  # not `second`, rotated already
    assert (await gql.post(ME, token=late["accessToken"]))["data"]["me"]
    # Nothing stored can be used as a refresh token: only hashes, and the successor's id.
    stored = await RefreshToken.filter(session__user_id=user.id).values_list(
        "secret_hash", flat=True
    )
    secrets_handed_out = {t["refreshToken"].split(".", 1)[1] for t in (first, second, third)}
    assert not secrets_handed_out & set(stored)


async def test_the_grace_window_is_configurable(gql, settings):
    use_settings(replace(settings, refresh_reuse_grace_seconds=0))
    try:
        user = await young_person()
        first = await sign_in(gql, user)
        await gql.post(REFRESH, {"token": first["refreshToken"]})
        with clock.frozen(clock.now() + timedelta(seconds=1)):
            replay = await gql.post(REFRESH, {"token": first["refreshToken"]})
        assert replay["data"]["refreshToken"]["code"] == "SESSION_REVOKED"
    finally:
        use_settings(settings)


async def test_logout_revokes_the_access_and_refresh_tokens(gql):
    user = await young_person()
    session = await sign_in(gql, user)
    assert (await gql.post(LOGOUT, token=session["accessToken"]))["data"]["logout"]["ok"]
    assert (await gql.post(ME, token=session["accessToken"]))["data"]["me"] is None
    refused = await gql.post(REFRESH, {"token": session["refreshToken"]})
    assert refused["data"]["refreshToken"]["code"] == "INVALID_TOKEN"


async def test_access_tokens_expire_within_fifteen_minutes(gql, settings):
    user = await young_person()
    session = await sign_in(gql, user)
    assert session["expiresIn"] <= 15 * 60
    with clock.frozen(clock.now() + timedelta(seconds=session["expiresIn"] + 1)):
        assert (await gql.post(ME, token=session["accessToken"]))["data"]["me"] is None
    assert (await gql.post(ME, token=session["accessToken"]))["data"]["me"]


async def test_a_forged_token_is_refused(gql):
    user = await young_person()
    session = await sign_in(gql, user)
    claims = jwt.decode(session["accessToken"], options={"verify_signature": False})
    forged = jwt.encode(claims, "pas-la-bonne-cle-secrete-pas-la-bonne", algorithm="HS256")
    assert (await gql.post(ME, token=forged))["data"]["me"] is None


async def test_password_reset_by_single_use_link_ends_other_sessions(gql, mailbox):
    user = await young_person()
    old = await sign_in(gql, user)
    unknown = await gql.post(REQUEST_RESET, {"email": "inconnu@jeune.test"})
    known = await gql.post(REQUEST_RESET, {"email": user.email})
    assert unknown == known  # same answer whether the account exists or not
    token = link_token(await mailbox.wait_for(user.email, "Réinitialisation"))

    weak = (await gql.post(RESET, {"token": token, "password": "123"}))["data"]["resetPassword"]
    assert weak["code"] == "WEAK_PASSWORD"  # refused, and the link is still usable
    done = await gql.post(RESET, {"token": token, "password": "Navette-du-Vieux-Port-9"})
    assert done["data"]["resetPassword"]["__typename"] == "Done"
    reused = await gql.post(RESET, {"token": token, "password": "Encore-un-autre-mdp-9"})
    assert reused["data"]["resetPassword"]["code"] == "LINK_USED"
    assert "Connectez-vous" in reused["data"]["resetPassword"]["message"]

    assert (await gql.post(ME, token=old["accessToken"]))["data"]["me"] is None
    assert (await sign_in(gql, user, "Navette-du-Vieux-Port-9"))["accessToken"]


async def test_password_reset_link_expires(gql, mailbox):
    user = await young_person()
    await gql.post(REQUEST_RESET, {"email": user.email})
    token = link_token(await mailbox.wait_for(user.email, "Réinitialisation"))
    with clock.frozen(clock.now() + timedelta(minutes=31)):
        late = await gql.post(RESET, {"token": token, "password": "Navette-du-Vieux-Port-9"})
    assert late["data"]["resetPassword"]["code"] == "LINK_EXPIRED"
    assert "nouvelle demande" in late["data"]["resetPassword"]["message"]


EMAIL_LINK = """query($token: String!, $purpose: EmailLinkPurpose!) {
  emailLink(token: $token, purpose: $purpose) {
    __typename
    ... on EmailLink { purpose firstName email expiresAt accountHasPassword partnerName }
    ... on UserError { code message field }
  }
}"""


async def test_an_emailed_link_says_whether_it_still_works_without_using_it(gql, mailbox):
    user = await young_person()
    await gql.post(REQUEST_RESET, {"email": user.email})
    first = link_token(await mailbox.wait_for(user.email, "Réinitialisation"))
    shown = await gql.post(EMAIL_LINK, {"token": first, "purpose": "RESET_PASSWORD"})
    link = shown["data"]["emailLink"]
    assert (link["purpose"], link["firstName"], link["email"]) == (
        "RESET_PASSWORD",
        user.first_name,
        user.email,
    )
    assert link["partnerName"] is None
    # Reading it twice (a mail scanner, then the person) uses nothing.
    assert (await gql.post(EMAIL_LINK, {"token": first, "purpose": "RESET_PASSWORD"})) == shown

    # A newer request replaces the first link: it reads as expired, not as used.
    await jobs_done()
    await gql.post(REQUEST_RESET, {"email": user.email})
    await jobs_done()
    newest = link_token(mailbox.to(user.email)[-1])
    assert newest != first
    replaced = await gql.post(EMAIL_LINK, {"token": first, "purpose": "RESET_PASSWORD"})
    assert replaced["data"]["emailLink"]["code"] == "LINK_EXPIRED"
    late = await gql.post(RESET, {"token": first, "password": "Navette-du-Vieux-Port-9"})
    assert late["data"]["resetPassword"]["code"] == "LINK_EXPIRED"

    done = await gql.post(RESET, {"token": newest, "password": "Navette-du-Vieux-Port-9"})
    assert done["data"]["resetPassword"]["__typename"] == "Done"
    used = await gql.post(EMAIL_LINK, {"token": newest, "purpose": "RESET_PASSWORD"})
    assert (used["data"]["emailLink"]["code"], used["data"]["emailLink"]["field"]) == (
        "LINK_USED",
        "token",
    )
    # A link for another purpose, or one never sent, is unknown.
    for token, purpose in ((newest, "VERIFY_EMAIL"), ("jeton-inconnu", "RESET_PASSWORD")):
        unknown = await gql.post(EMAIL_LINK, {"token": token, "purpose": purpose})
        assert unknown["data"]["emailLink"]["code"] == "INVALID_TOKEN"


async def test_change_password_keeps_this_session_and_ends_the_others(gql):
    user = await young_person()
    here = await sign_in(gql, user)
    elsewhere = await sign_in(gql, user)
    wrong = await gql.post(
        CHANGE, {"current": "faux", "new": "Calisson-d-Aix-2026"}, token=here["accessToken"]
    )
    assert wrong["data"]["changePassword"]["code"] == "INVALID_CREDENTIALS"
    ok = await gql.post(
        CHANGE, {"current": PASSWORD, "new": "Calisson-d-Aix-2026"}, token=here["accessToken"]
    )
    assert ok["data"]["changePassword"]["__typename"] == "Done"
    assert (await gql.post(ME, token=here["accessToken"]))["data"]["me"]
    assert (await gql.post(ME, token=elsewhere["accessToken"]))["data"]["me"] is None
    assert await AuthSession.filter(user_id=user.id, revoked_at__isnull=True).count() == 1


SIGNED_IN_ANSWER = """
mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    __typename
    ... on AuthPayload { refreshToken user { email delegations { partner {
      siret delegates { person { email } } } } } }
  }
}
"""
REFRESHED_ANSWER = """
mutation($token: String!) {
  refreshToken(refreshToken: $token) {
    __typename
    ... on AuthPayload { user { delegations { partner { siret delegates { person { email } } } } } }
  }
}
"""


async def test_fields_under_the_sign_in_answer_are_resolved_as_the_person_signed_in(gql):
    """A partner's SIRET and delegates are for its delegates: under `login` and
    `refreshToken`, the person who just signed in is one (no token was sent)."""
    team = await partner_team()

    signed_in = await gql.post(
        SIGNED_IN_ANSWER, {"email": team.principal.email, "password": PASSWORD}
    )

    assert "errors" not in signed_in, signed_in["errors"]
    [delegation] = signed_in["data"]["login"]["user"]["delegations"]
    assert delegation["partner"]["siret"] == team.partner.siret
    assert delegation["partner"]["delegates"] == [{"person": {"email": team.principal.email}}]

    refreshed = await gql.post(
        REFRESHED_ANSWER, {"token": signed_in["data"]["login"]["refreshToken"]}
    )

    assert "errors" not in refreshed, refreshed["errors"]
    [delegation] = refreshed["data"]["refreshToken"]["user"]["delegations"]
    assert delegation["partner"]["siret"] == team.partner.siret
