"""The one-click unsubscribe: signed links, the page a person opens, the POST a mail client
sends (RFC 8058)."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date

import httpx
import pytest

from domain.consent.marketing import set_marketing_opt_in
from models.accounts import User
from models.notifications import ConsentSource, MarketingConsentEvent
from push.email import OutgoingEmail, deliver_emails
from push.unsubscribe import (
    UnsubscribeLink,
    read_signed_link,
    read_unsubscribe_token,
    sign_link,
    unsubscribe_token,
    unsubscribe_url,
)
from tests.factories import young_person

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def _tampered(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


@pytest.fixture
async def web(app) -> AsyncIterator[httpx.AsyncClient]:
    """The service itself: the page runs its GraphQL operations in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def subscriber(**opt_ins: bool) -> User:
    user = await young_person(date(2004, 3, 1))
    for channel in ("email", "push"):
        if opt_ins.get(channel, True):
            await set_marketing_opt_in(user.id, channel, True, ConsentSource.APP)
    return await User.get(id=user.id)


async def events_of(user: User) -> list[MarketingConsentEvent]:
    return await MarketingConsentEvent.filter(user_id=user.id).order_by("created_at")


def test_a_token_names_the_person_the_channel_and_the_campaign(settings):
    user_id, campaign_id = uuid.uuid4(), uuid.uuid4()
    token = unsubscribe_token(settings, user_id, "email", campaign_id)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert read_unsubscribe_token(settings, token) == UnsubscribeLink(user_id, "email", campaign_id)
    assert read_unsubscribe_token(settings, unsubscribe_token(settings, user_id, "push")) == (
        UnsubscribeLink(user_id, "push", None)
    )
    url = unsubscribe_url(settings, user_id, "email")
    assert url.startswith(f"{settings.public_url}/desabonnement?jeton=")


def test_a_changed_forged_or_foreign_token_is_refused(settings):
    user_id = uuid.uuid4()
    token = unsubscribe_token(settings, user_id, "email")
    other_key = replace(settings, secret_key="une-autre-cle-secrete-de-32-caracteres")
    forged = sign_link(settings, "parental-consent", b"e" + user_id.bytes)
    for bad in (
        _tampered(token),
        token[:-1],
        token + "A",
        token + "=",
        forged,  # right key, another purpose
        unsubscribe_token(other_key, user_id, "email"),
        "",
        "n'importe quoi",
    ):
        assert read_unsubscribe_token(settings, bad) is None, bad
    assert read_signed_link(settings, "parental-consent", forged) == b"e" + user_id.bytes


async def test_opening_the_link_changes_nothing(settings, web):
    user = await subscriber()
    token = unsubscribe_token(settings, user.id, "email")
    page = await web.get("/desabonnement", params={"jeton": token})
    assert page.status_code == 200
    assert "Confirmer mon désabonnement" in page.text and 'method="post"' in page.text
    assert "par e-mail" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert (await User.get(id=user.id)).marketing_email_opt_in is True
    assert len(await events_of(user)) == 2  # only the two opt-ins


async def test_a_one_click_post_unsubscribes_that_channel_and_keeps_one_proof(settings, web):
    user = await subscriber()
    campaign = uuid.uuid4()
    token = unsubscribe_token(settings, user.id, "email", campaign)
    first = await web.post("/desabonnement", params={"jeton": token}, data=ONE_CLICK)
    again = await web.post("/desabonnement", params={"jeton": token}, data=ONE_CLICK)
    assert first.status_code == again.status_code == 200
    assert "Désabonnement confirmé" in first.text and "vous ne recevrez plus" in first.text
    after = await User.get(id=user.id)
    assert after.marketing_email_opt_in is False
    assert after.marketing_push_opt_in is True  # the other channel is untouched
    *_, event = events = await events_of(user)
    assert len(events) == 3
    assert (event.channel, event.opted_in, event.source, event.campaign_id) == (
        "email",
        False,
        ConsentSource.UNSUBSCRIBE_LINK,
        campaign,
    )


async def test_the_page_button_unsubscribes_from_push_too(settings, web):
    user = await subscriber()
    token = unsubscribe_token(settings, user.id, "push")
    page = await web.get("/desabonnement", params={"jeton": token})
    action = re.search(r'action="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    done = await web.post(action, data={"action": "confirmer"})
    assert done.status_code == 200 and "en notification" in done.text
    after = await User.get(id=user.id)
    assert (after.marketing_push_opt_in, after.marketing_email_opt_in) == (False, True)


async def test_a_tampered_link_is_refused_and_changes_nothing(settings, web):
    user = await subscriber()
    bad = _tampered(unsubscribe_token(settings, user.id, "email"))
    for response in (
        await web.get("/desabonnement", params={"jeton": bad}),
        await web.post("/desabonnement", params={"jeton": bad}, data=ONE_CLICK),
        await web.post("/desabonnement", data=ONE_CLICK),
    ):
        assert response.status_code == 400
        assert "Ce lien de désabonnement n'est pas valable" in html.unescape(response.text)
    assert (await User.get(id=user.id)).marketing_email_opt_in is True
    assert len(await events_of(user)) == 2


async def test_the_link_of_a_deleted_account_still_answers_politely(settings, web):
    token = unsubscribe_token(settings, uuid.uuid4(), "email")
    response = await web.post("/desabonnement", params={"jeton": token}, data=ONE_CLICK)
    assert response.status_code == 200


async def test_a_mail_client_unsubscribes_with_the_headers_of_a_received_email(
    settings, mailbox, web
):
    user = await subscriber()
    url = unsubscribe_url(settings, user.id, "email")
    outgoing = OutgoingEmail(
        user.email,
        "notification",
        {"title": "Les bons plans de la semaine", "body": "Cinéma, piscine, concerts."},
        unsubscribe_url=url,
    )
    [outcome] = await deliver_emails([outgoing], settings)
    assert outcome.ok
    received = await mailbox.wait_for(user.email, "bons plans de la semaine")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    target = received["List-Unsubscribe"].strip("<>")
    assert target == url and url in received.get_body(("plain",)).get_content()
    # What Gmail or Apple Mail does when the person presses « Se désabonner »:
    response = await web.post(
        target.removeprefix(settings.public_url),
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert (await User.get(id=user.id)).marketing_email_opt_in is False


UNSUBSCRIBE_LINK = """query($token: String!) { unsubscribeLink(token: $token) {
  __typename ... on UnsubscribeLink { channel wording } ... on UserError { code field } } }"""
UNSUBSCRIBE = """mutation($token: String!) { unsubscribeByToken(token: $token) {
  __typename ... on UnsubscribeLink { channel wording } ... on UserError { code field } } }"""


async def test_the_link_reads_and_unsubscribes_through_graphql(gql, settings):
    user = await subscriber()
    token = unsubscribe_token(settings, user.id, "email")
    read = (await gql.post(UNSUBSCRIBE_LINK, {"token": token}))["data"]["unsubscribeLink"]
    assert read["channel"] == "EMAIL" and read["wording"].endswith("par e-mail")
    assert (await User.get(id=user.id)).marketing_email_opt_in is True  # reading changes nothing

    for _ in range(2):
        done = (await gql.post(UNSUBSCRIBE, {"token": token}))["data"]["unsubscribeByToken"]
        assert done == read
    fresh = await User.get(id=user.id)
    assert fresh.marketing_email_opt_in is False and fresh.marketing_push_opt_in is True
    assert [e.opted_in for e in await events_of(user)][-1] is False
    assert len([e for e in await events_of(user) if not e.opted_in]) == 1

    for document, field in (
        (UNSUBSCRIBE_LINK, "unsubscribeLink"),
        (UNSUBSCRIBE, "unsubscribeByToken"),
    ):
        refused = (await gql.post(document, {"token": _tampered(token)}))["data"][field]
        assert (refused["code"], refused["field"]) == ("INVALID_TOKEN", "token")
