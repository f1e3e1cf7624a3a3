"""The card photo through the API, as the apps use it: the young person uploads it
(GraphQL multipart), support staff validate it, the partner's till sees it at lookup through
a short-lived signed link, and nobody else reads it."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import httpx

from models.accounts import StaffRole
from models.cards import CardPhoto
from tests.domain.core.test_images import jpeg_with_gps
from tests.factories import card_holder, staff_member, till, token_for
from tests.support import error_codes

SUBMIT = """mutation($file: Upload!) { submitCardPhoto(file: $file) {
  __typename
  ... on CardPhotoSuccess { photo { id status width height url } }
  ... on UserError { code message field } } }"""
MINE = """{ myCardPhoto { shown { id status url }
  latest { id status refusalReason refusalMessage url } } }"""
QUEUE = "{ cardPhotoQueue { photo { id url submittedAt } firstName lastName birthDate } }"
VALIDATE = """mutation($id: ID!) { validateCardPhoto(id: $id) {
  __typename ... on CardPhotoSuccess { photo { status } } ... on UserError { code message } } }"""
REFUSE = """mutation($id: ID!, $details: String!) {
  refuseCardPhoto(id: $id, reason: OTHER, details: $details) {
  __typename ... on CardPhotoSuccess { photo { status refusalMessage } }
  ... on UserError { code message field } } }"""
LOOKUP = """query($p: ID!, $code: String!) { lookupCard(partnerId: $p, code: $code) {
  __typename ... on CardCheck { state holder { firstName photoUrl } } } }"""
PREFLIGHT = {"Apollo-Require-Preflight": "true"}


async def send_photo(http: httpx.AsyncClient, token: str, content: bytes) -> dict:
    operations = {"query": SUBMIT, "variables": {"file": None}}
    response = await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("selfie.jpg", content, "image/jpeg")},
        headers={**PREFLIGHT, "authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["submitCardPhoto"]


def path_of(url: str) -> str:
    return urlsplit(url).path


async def test_uploaded_validated_then_shown_to_the_partner_who_looks_the_card_up(gql):
    holder = await card_holder()
    young = await token_for(gql, holder.user)
    agent = await token_for(gql, await staff_member(StaffRole.SUPPORT))
    team, cashier = await till()
    cashier_token = await token_for(gql, cashier)
    lookup = {"p": str(team.partner.id), "code": holder.card.code}

    sent = await send_photo(gql.http, young, jpeg_with_gps((1200, 1600)))
    assert sent["__typename"] == "CardPhotoSuccess", sent
    assert sent["photo"]["status"] == "PENDING"
    assert (sent["photo"]["width"], sent["photo"]["height"]) == (480, 640)
    before = (await gql.post(LOOKUP, lookup, token=cashier_token))["data"]["lookupCard"]
    assert before["holder"]["photoUrl"] is None  # pending: not shown to partners

    queue = (await gql.post(QUEUE, token=agent))["data"]["cardPhotoQueue"]
    waiting = next(item for item in queue if item["photo"]["id"] == sent["photo"]["id"])
    assert (waiting["firstName"], waiting["birthDate"]) == ("Jade", "2013-04-02")
    seen = await gql.http.get(path_of(waiting["photo"]["url"]))
    assert seen.status_code == 200 and seen.headers["content-type"] == "image/webp"

    validated = await gql.post(VALIDATE, {"id": sent["photo"]["id"]}, token=agent)
    assert validated["data"]["validateCardPhoto"]["photo"]["status"] == "VALIDATED"

    after = (await gql.post(LOOKUP, lookup, token=cashier_token))["data"]["lookupCard"]
    url = after["holder"]["photoUrl"]
    assert path_of(url).startswith("/photos-carte/")
    served = await gql.http.get(path_of(url))
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    assert served.headers["cache-control"] == "private, no-store"
    assert served.content[:4] == b"RIFF"
    row = await CardPhoto.get(id=sent["photo"]["id"])
    mine = (await gql.post(MINE, token=young))["data"]["myCardPhoto"]
    assert mine["shown"]["status"] == "VALIDATED" and mine["latest"] is None

    # The file is not under a public address: /media refuses its key.
    assert (await gql.http.get(f"/media/{row.storage_key}")).status_code == 404


async def test_a_partner_looking_up_another_card_never_gets_this_holders_photo(gql):
    pictured = await card_holder()
    other = await card_holder()
    agent = await token_for(gql, await staff_member(StaffRole.SUPPORT))
    sent = await send_photo(gql.http, await token_for(gql, pictured.user), jpeg_with_gps())
    await gql.post(VALIDATE, {"id": sent["photo"]["id"]}, token=agent)
    team, cashier = await till()

    answer = await gql.post(
        LOOKUP,
        {"p": str(team.partner.id), "code": other.card.code},
        token=await token_for(gql, cashier),
    )

    assert answer["data"]["lookupCard"]["holder"]["photoUrl"] is None
    # The partner cannot list nor decide photos either.
    cashier_token = await token_for(gql, cashier)
    assert error_codes(await gql.post(QUEUE, token=cashier_token)) == ["FORBIDDEN"]
    assert error_codes(await gql.post(MINE, token=cashier_token)) == ["FORBIDDEN"]


async def test_a_young_person_cannot_validate_even_their_own_photo(gql):
    holder = await card_holder()
    young = await token_for(gql, holder.user)
    sent = await send_photo(gql.http, young, jpeg_with_gps((900, 1200)))

    answer = await gql.post(VALIDATE, {"id": sent["photo"]["id"]}, token=young)

    assert error_codes(answer) == ["FORBIDDEN"]
    assert error_codes(await gql.post(QUEUE, token=young)) == ["FORBIDDEN"]
    mine = (await gql.post(MINE, token=young))["data"]["myCardPhoto"]
    assert mine["latest"]["status"] == "PENDING" and mine["shown"] is None


async def test_a_refusal_reaches_the_young_persons_page_with_its_reason(gql):
    holder = await card_holder()
    young = await token_for(gql, holder.user)
    agent = await token_for(gql, await staff_member(StaffRole.SUPPORT))
    sent = await send_photo(gql.http, young, jpeg_with_gps((900, 1200)))

    empty = await gql.post(REFUSE, {"id": sent["photo"]["id"], "details": ""}, token=agent)
    refused = await gql.post(
        REFUSE, {"id": sent["photo"]["id"], "details": "Enlevez votre casquette."}, token=agent
    )

    assert empty["data"]["refuseCardPhoto"]["field"] == "details"
    assert refused["data"]["refuseCardPhoto"]["photo"]["status"] == "REFUSED"
    mine = (await gql.post(MINE, token=young))["data"]["myCardPhoto"]
    assert mine["latest"]["refusalReason"] == "OTHER"
    assert mine["latest"]["refusalMessage"] == "Autre motif. Enlevez votre casquette."


async def test_a_tampered_link_shows_nothing(gql):
    holder = await card_holder()
    sent = await send_photo(gql.http, await token_for(gql, holder.user), jpeg_with_gps())
    path = path_of(sent["photo"]["url"])

    forged = await gql.http.get(path[:-3] + ("abc" if not path.endswith("abc") else "xyz"))
    guessed = await gql.http.get(f"/photos-carte/{sent['photo']['id']}")

    assert forged.status_code == 403 and guessed.status_code == 403
    assert forged.headers["cache-control"] == "private, no-store"
