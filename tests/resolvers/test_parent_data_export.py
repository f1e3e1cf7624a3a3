"""A parent's copy of their under-15 child's data through the support desk
(`requestDataExportForParent`): the link goes to the parent's address on record, never
elsewhere; refused for a young person of 15 or more, or without a parent on record; the
request is audited with its reason."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from datetime import date
from urllib.parse import urlsplit

import httpx
import pytest

from domain.core import clock
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.notifications import ParentalConsent
from tests.factories import staff_member, token_for, young_person
from tests.support import GraphQLClient, jobs_done, unique

REQUEST = """mutation($id: ID!, $reason: String!) {
  requestDataExportForParent(youngPersonId: $id, reason: $reason) {
    __typename
    ... on UserError { code message field }
  }
}"""


@pytest.fixture
async def gql(app) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.19", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


async def as_support(gql: GraphQLClient) -> tuple[GraphQLClient, object]:
    agent = await staff_member(StaffRole.SUPPORT)
    return gql.as_(await token_for(gql, agent)), agent


async def a_parent_on_record(young, given: bool = True) -> ParentalConsent:
    return await ParentalConsent.create(
        young_person_id=young.id,
        parent_name="Claire Vidal",
        parent_email=f"{unique('parent')}@famille.test",
        given_at=clock.now() if given else None,
    )


async def ask(client: GraphQLClient, young_id: object, reason: str = "Courrier du parent"):
    answer = await client.post(REQUEST, {"id": str(young_id), "reason": reason})
    assert "errors" not in answer, answer
    return answer["data"]["requestDataExportForParent"]


async def test_the_link_goes_to_the_parent_on_record_and_opens_the_child_s_data(
    gql, mailbox, settings
):
    child = await young_person(date(2013, 6, 1))
    parent = await a_parent_on_record(child)
    support, agent = await as_support(gql)

    answer = await ask(support, child.id, "Demande écrite du parent, reçue le 3 décembre")

    assert answer["__typename"] == "Done"
    await jobs_done()
    message = await mailbox.wait_for(parent.parent_email, "données")
    assert "Claire Vidal" in message.get_body(("plain",)).get_content()
    assert not [m for m in mailbox.to(child.email) if "données" in m["Subject"]]
    body = message.get_body(("plain",)).get_content()
    link = urlsplit(next(w for w in body.split() if "/mes-donnees/" in w)).path
    archive = await gql.http.get(link)
    assert archive.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(archive.content)).read("donnees.json"))
    assert data["account"]["id"] == str(child.id) and data["account"]["email"] == child.email
    entry = await AuditEntry.get(action="privacy.export_for_parent_requested", actor_id=agent.id)
    assert entry.object_id == str(child.id)
    assert entry.after["reason"] == "Demande écrite du parent, reçue le 3 décembre"
    assert parent.parent_email not in json.dumps(entry.after)


async def test_refused_at_15_without_a_parent_on_record_or_without_a_reason(gql, mailbox):
    support, _ = await as_support(gql)
    older = await young_person(date(2009, 1, 10))
    await a_parent_on_record(older)
    no_parent = await young_person(date(2014, 2, 3))
    only_asked = await young_person(date(2014, 2, 3))
    asked = await a_parent_on_record(only_asked, given=False)

    at_15 = await ask(support, older.id)
    nobody = await ask(support, no_parent.id)
    unconfirmed = await ask(support, only_asked.id)
    no_reason = await ask(support, no_parent.id, "   ")
    unknown = await ask(support, "7d6f3c7e-6c1a-4c1e-9d8e-0d7c2f6e9b11")

    assert at_15["code"] == "INVALID_STATE" and "15 ans" in at_15["message"]
    assert nobody["code"] == "INVALID_STATE" and "Aucun parent" in nobody["message"]
    assert unconfirmed["code"] == "INVALID_STATE"
    assert no_reason["code"] == "INVALID_INPUT" and no_reason["field"] == "reason"
    assert unknown["code"] == "NOT_FOUND"
    await jobs_done()
    assert mailbox.to(asked.parent_email) == []
    assert not await AuditEntry.exists(
        action="privacy.export_for_parent_requested", object_id=str(no_parent.id)
    )
