"""Marketing choices and a parent's consent for under-15s, through GraphQL, the email sent to
the parent and the page their link opens."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from domain.accounts.sessions import login
from domain.core import clock
from models.accounts import StaffRole, User
from models.audit import AuditEntry
from models.notifications import ParentalConsent
from tests.factories import PASSWORD, staff_member, young_person
from tests.support import GraphQLClient, link_token, unique

FIELDS = """fragment Consent on MarketingConsent {
  emailOptIn pushOptIn parentalConsentNeeded parentalConsentStatus
  receivesMarketingEmail receivesMarketingPush notice
  parentalConsent { parentName parentEmail status recordedOnPaper givenAt withdrawnAt }
}"""
MY_CONSENT = FIELDS + "\n{ myMarketingConsent { ...Consent } }"
RESULT = "{ __typename ... on MarketingConsentSuccess { consent { ...Consent } } " + (
    "... on UserError { code message field } }"
)
SET_OPT_IN = (
    FIELDS
    + "\nmutation($channel: MarketingChannel!, $optedIn: Boolean!) "
    + "{ setMarketingOptIn(channel: $channel, optedIn: $optedIn) "
    + RESULT
    + " }"
)
REQUEST = (
    FIELDS
    + "\nmutation($name: String!, $email: String!) "
    + "{ requestParentalConsent(parentName: $name, parentEmail: $email) "
    + RESULT
    + " }"
)
WITHDRAW = FIELDS + "\nmutation { withdrawParentalConsent " + RESULT + " }"
RECORD = """mutation($id: ID!, $name: String!, $email: String!) {
  recordParentalConsent(youngPersonId: $id, parentName: $name, parentEmail: $email) {
    __typename
    ... on ParentalConsentSuccess { parentalConsent { status parentName recordedOnPaper } }
    ... on UserError { code message }
  }
}"""


@pytest.fixture
async def web(app) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


def born(years_ago: int) -> date:
    today = clock.paris_today()
    return today.replace(year=today.year - years_ago, day=min(today.day, 28))


async def access_token(user: User) -> str:
    return (await login(user.email, PASSWORD, "192.0.2.1", "tests")).access_token


async def as_person(web: GraphQLClient, user: User) -> GraphQLClient:
    return web.as_(await access_token(user))


async def answer(client: GraphQLClient, document: str, **variables: Any) -> dict[str, Any]:
    result = await client.post(document, variables)
    assert not result.get("errors"), result
    [value] = result["data"].values()
    return value


def parent_email() -> str:
    return f"{unique('parent')}@famille.test"


async def test_an_under_15_may_opt_in_but_is_told_a_parent_must_agree(web):
    jade = await as_person(web, await young_person(born(13)))
    result = await answer(jade, SET_OPT_IN, channel="EMAIL", optedIn=True)
    consent = result["consent"]
    assert (consent["emailOptIn"], consent["pushOptIn"]) == (True, False)
    assert consent["parentalConsentNeeded"] is True
    assert consent["parentalConsentStatus"] == "NONE"
    assert consent["receivesMarketingEmail"] is False
    assert "moins de 15 ans" in consent["notice"] and "accord d'un parent" in consent["notice"]
    assert (await answer(jade, MY_CONSENT))["notice"] == consent["notice"]


async def test_from_15_the_opt_in_takes_effect_at_once(web):
    lea = await as_person(web, await young_person(born(16)))
    consent = (await answer(lea, SET_OPT_IN, channel="PUSH", optedIn=True))["consent"]
    assert consent["receivesMarketingPush"] is True and consent["notice"] is None
    assert consent["parentalConsentNeeded"] is False
    refused = await answer(lea, REQUEST, name="Nadia Vidal", email=parent_email())
    assert refused["code"] == "PARENTAL_CONSENT_NOT_NEEDED"
    assert "15 ans" in refused["message"]


async def test_a_parent_gives_consent_through_the_emailed_link(web, mailbox):
    user = await young_person(born(13))
    jade, parent = await as_person(web, user), parent_email()
    await answer(jade, SET_OPT_IN, channel="EMAIL", optedIn=True)
    asked = (await answer(jade, REQUEST, name="Nadia Vidal", email=parent))["consent"]
    assert asked["parentalConsentStatus"] == "REQUESTED"
    assert parent in asked["notice"] and asked["receivesMarketingEmail"] is False

    message = await mailbox.wait_for(parent, "Votre accord pour les bons plans CJeune de Jade")
    text = message.get_body(("plain",)).get_content()
    assert "Bonjour Nadia Vidal" in text and "Jade Vidal (13 ans)" in text
    assert "retirer votre accord à tout moment" in text
    token = link_token(message)

    page = await web.http.get("/consentement-parental", params={"jeton": token})
    assert page.status_code == 200
    shown = html.unescape(page.text)
    assert "Jade Vidal vous a indiqué comme parent" in shown and "Je donne mon accord" in shown
    assert (await answer(jade, MY_CONSENT))["parentalConsentStatus"] == "REQUESTED"

    given = await web.http.post(
        "/consentement-parental", params={"jeton": token}, data={"action": "donner"}
    )
    assert given.status_code == 200 and "votre accord est enregistré" in given.text
    after = await answer(jade, MY_CONSENT)
    assert after["parentalConsentStatus"] == "GIVEN" and after["receivesMarketingEmail"] is True
    assert after["notice"] is None and after["parentalConsent"]["recordedOnPaper"] is False

    again = await web.http.post(
        "/consentement-parental", params={"jeton": token}, data={"action": "donner"}
    )
    assert again.status_code == 200
    assert (await answer(jade, MY_CONSENT))["parentalConsent"]["givenAt"] == after[
        "parentalConsent"
    ]["givenAt"]
    assert await ParentalConsent.filter(young_person_id=user.id).count() == 1

    shown = html.unescape((await web.http.get(f"/consentement-parental?jeton={token}")).text)
    assert "Vous avez donné votre accord le" in shown and "Retirer mon accord" in shown


async def test_the_parent_withdraws_with_the_same_link_even_after_14_days(web, mailbox):
    user = await young_person(born(12))
    jade, parent = await as_person(web, user), parent_email()
    await answer(jade, SET_OPT_IN, channel="PUSH", optedIn=True)
    await answer(jade, REQUEST, name="Nadia Vidal", email=parent)
    token = link_token(await mailbox.wait_for(parent))
    await web.http.post(
        "/consentement-parental", params={"jeton": token}, data={"action": "donner"}
    )
    later = clock.now() + timedelta(days=30)
    with clock.frozen(later):
        withdrawn = await web.http.post(
            "/consentement-parental", params={"jeton": token}, data={"action": "retirer"}
        )
    assert withdrawn.status_code == 200 and "Accord retiré" in withdrawn.text
    consent = await answer(jade, MY_CONSENT)
    assert consent["parentalConsentStatus"] == "WITHDRAWN"
    assert consent["receivesMarketingPush"] is False and "accord d'un parent" in consent["notice"]


async def test_the_young_person_withdraws_the_consent(web, mailbox):
    user = await young_person(born(14))
    jade, parent = await as_person(web, user), parent_email()
    await answer(jade, SET_OPT_IN, channel="EMAIL", optedIn=True)
    await answer(jade, REQUEST, name="Nadia Vidal", email=parent)
    token = link_token(await mailbox.wait_for(parent))
    await web.http.post(
        "/consentement-parental", params={"jeton": token}, data={"action": "donner"}
    )
    assert (await answer(jade, MY_CONSENT))["receivesMarketingEmail"] is True

    withdrawn = (await answer(jade, WITHDRAW))["consent"]
    assert withdrawn["parentalConsentStatus"] == "WITHDRAWN"
    assert withdrawn["receivesMarketingEmail"] is False
    assert withdrawn["parentalConsent"]["withdrawnAt"] is not None
    # The old link can no longer give consent again.
    page = html.unescape((await web.http.get(f"/consentement-parental?jeton={token}")).text)
    assert "Cet accord a été retiré" in page and "Je donne mon accord" not in page
    nothing = await answer(await as_person(web, await young_person(born(13))), WITHDRAW)
    assert nothing["code"] == "NOT_FOUND"


async def test_asking_again_makes_the_previous_link_useless(web, mailbox):
    user = await young_person(born(13))
    jade = await as_person(web, user)
    first, second = parent_email(), parent_email()
    await answer(jade, REQUEST, name="Nadia Vidal", email=first)
    await answer(jade, REQUEST, name="Marc Vidal", email=second)
    old = link_token(await mailbox.wait_for(first))
    refused = await web.http.post(
        "/consentement-parental", params={"jeton": old}, data={"action": "donner"}
    )
    assert refused.status_code == 400 and "plus valable" in html.unescape(refused.text)
    status = await answer(jade, MY_CONSENT)
    assert status["parentalConsentStatus"] == "REQUESTED"
    assert status["parentalConsent"]["parentEmail"] == second


async def test_an_expired_or_tampered_link_changes_nothing(web, mailbox):
    user = await young_person(born(13))
    jade, parent = await as_person(web, user), parent_email()
    with clock.frozen(clock.now() - timedelta(days=15)):
        await answer(jade, REQUEST, name="Nadia Vidal", email=parent)
    token = link_token(await mailbox.wait_for(parent))
    expired = await web.http.post(
        "/consentement-parental", params={"jeton": token}, data={"action": "donner"}
    )
    assert expired.status_code == 400
    page = html.unescape((await web.http.get(f"/consentement-parental?jeton={token}")).text)
    assert "Demande expirée" in page
    middle = len(token) // 2
    tampered = token[:middle] + ("B" if token[middle] == "A" else "A") + token[middle + 1 :]
    for response in (
        await web.http.get("/consentement-parental", params={"jeton": tampered}),
        await web.http.post(
            "/consentement-parental", params={"jeton": tampered}, data={"action": "donner"}
        ),
    ):
        assert response.status_code == 400
        assert "Ce lien n'est pas valable" in html.unescape(response.text)
    assert (await answer(jade, MY_CONSENT))["parentalConsentStatus"] == "REQUESTED"


async def test_requests_are_checked_and_limited(web):
    user = await young_person(born(13))
    jade = await as_person(web, user)
    own = await answer(jade, REQUEST, name="Nadia Vidal", email=user.email)
    assert (own["code"], own["field"]) == ("INVALID_INPUT", "parentEmail")
    bad = await answer(jade, REQUEST, name="Nadia Vidal", email="pas-une-adresse")
    assert (bad["code"], bad["field"]) == ("INVALID_INPUT", "email")
    for _ in range(3):
        assert (await answer(jade, REQUEST, name="N", email=parent_email()))["consent"]
    limited = await answer(jade, REQUEST, name="N", email=parent_email())
    assert limited["code"] == "TOO_MANY_ATTEMPTS"


async def test_support_records_a_consent_given_on_paper(web):
    user = await young_person(born(12))
    support = await staff_member(StaffRole.SUPPORT)
    agent = await as_person(web, support)
    variables = {"id": str(user.id), "name": "Nadia Vidal", "email": parent_email()}
    recorded = await answer(agent, RECORD, **variables)
    assert recorded["parentalConsent"] == {
        "status": "GIVEN",
        "parentName": "Nadia Vidal",
        "recordedOnPaper": True,
    }
    assert (await answer(agent, RECORD, **variables))["code"] == "INVALID_STATE"
    assert (await answer(agent, RECORD, **{**variables, "id": str(support.id)}))[
        "code"
    ] == "NOT_FOUND"
    entry = await AuditEntry.get(action="parental_consent.recorded", actor_id=support.id)
    assert entry.after["youngPersonId"] == str(user.id)
    jade = await as_person(web, user)
    await answer(jade, SET_OPT_IN, channel="EMAIL", optedIn=True)
    assert (await answer(jade, MY_CONSENT))["receivesMarketingEmail"] is True


# --- the parent's link through GraphQL (the page's operations; the token is the credential) --

LINK_FIELDS = """__typename
  ... on ParentalConsentRequest { childFirstName childLastName parentName status givenAt
                                  withdrawnAt mayGive mayRefuse superseded expired validDays }
  ... on UserError { code message field }"""
READ_LINK = (
    f"query($token: String!) {{ parentalConsentRequest(token: $token) {{ {LINK_FIELDS} }} }}"
)
GIVE_BY_LINK = (
    f"mutation($token: String!) {{ giveParentalConsent(token: $token) {{ {LINK_FIELDS} }} }}"
)
REFUSE_BY_LINK = (
    f"mutation($token: String!) {{ refuseParentalConsent(token: $token) {{ {LINK_FIELDS} }} }}"
)


async def test_the_parents_link_reads_gives_and_withdraws_through_graphql(web, mailbox):
    user = await young_person(born(13))
    jade, parent = await as_person(web, user), parent_email()
    await answer(jade, REQUEST, name="Nadia Vidal", email=parent)
    token = link_token(await mailbox.wait_for(parent))

    read = await answer(web, READ_LINK, token=token)  # anonymous: the token is the credential
    assert read["childFirstName"] == "Jade" and read["parentName"] == "Nadia Vidal"
    assert (read["status"], read["mayGive"], read["mayRefuse"]) == ("REQUESTED", True, True)
    assert read["validDays"] == 14 and read["givenAt"] is None
    assert (await answer(jade, MY_CONSENT))["parentalConsentStatus"] == "REQUESTED"  # unchanged

    given = await answer(web, GIVE_BY_LINK, token=token)
    assert given["status"] == "GIVEN" and given["givenAt"] and given["mayGive"] is False
    twice = await answer(web, GIVE_BY_LINK, token=token)
    assert twice["givenAt"] == given["givenAt"]

    withdrawn = await answer(web, REFUSE_BY_LINK, token=token)
    assert withdrawn["status"] == "WITHDRAWN" and withdrawn["withdrawnAt"]
    assert withdrawn["mayRefuse"] is False
    again = await answer(web, REFUSE_BY_LINK, token=token)
    assert again["withdrawnAt"] == withdrawn["withdrawnAt"]
    assert (await answer(jade, MY_CONSENT))["parentalConsentStatus"] == "WITHDRAWN"


async def test_a_parent_declines_a_request_and_a_late_or_altered_link_is_refused(web, mailbox):
    user = await young_person(born(12))
    jade, parent = await as_person(web, user), parent_email()
    await answer(jade, REQUEST, name="Nadia Vidal", email=parent)
    token = link_token(await mailbox.wait_for(parent))
    declined = await answer(web, REFUSE_BY_LINK, token=token)
    assert declined["status"] == "WITHDRAWN" and declined["givenAt"] is None
    refused = await answer(web, GIVE_BY_LINK, token=token)
    assert (refused["code"], refused["field"]) == ("LINK_EXPIRED", "token")
    assert "plus valable" in refused["message"]

    other, other_parent = await young_person(born(13)), parent_email()
    with clock.frozen(clock.now() - timedelta(days=15)):
        await answer(await as_person(web, other), REQUEST, name="Marc Roux", email=other_parent)
    late = link_token(await mailbox.wait_for(other_parent))
    shown = await answer(web, READ_LINK, token=late)
    assert shown["expired"] is True and shown["mayGive"] is False
    assert (await answer(web, GIVE_BY_LINK, token=late))["code"] == "LINK_EXPIRED"

    middle = len(token) // 2
    tampered = token[:middle] + ("B" if token[middle] == "A" else "A") + token[middle + 1 :]
    for document in (READ_LINK, GIVE_BY_LINK, REFUSE_BY_LINK):
        assert (await answer(web, document, token=tampered))["code"] == "INVALID_TOKEN"
