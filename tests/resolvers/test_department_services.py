"""Staff manage the département's services; the public lists and searches the published ones."""

from __future__ import annotations

import uuid

import pytest

from infra.geocoding import GeoPoint, use_geocoder
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.offers import DepartmentService
from tests.factories import staff_member, token_for, young_person

FIELDS = "id title category city latitude longitude published"
CREATE = f"""
mutation($input: DepartmentServiceInput!) {{
  createDepartmentService(input: $input) {{
    ... on DepartmentServiceSuccess {{ service {{ {FIELDS} }} }}
    ... on UserError {{ code message field }}
  }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: DepartmentServiceInput!) {{
  updateDepartmentService(id: $id, input: $input) {{
    ... on DepartmentServiceSuccess {{ service {{ {FIELDS} }} }}
    ... on UserError {{ code message field }}
  }}
}}
"""
PUBLISH = """
mutation($id: ID!, $published: Boolean!) {
  setDepartmentServicePublished(id: $id, published: $published) {
    ... on DepartmentServiceSuccess { service { published } }
    ... on UserError { code message }
  }
}
"""
LIST = """
query { departmentServices(category: LISTENING_PLACE, first: 100) {
  ... on DepartmentServicePage { services { id title } nextCursor }
} }
"""
SEARCH = """
query($text: String!) { search(query: {text: $text, kinds: [SERVICE]}) {
  ... on SearchPage { hits { id title latitude longitude } }
} }
"""


class PostalCodeGeocoder:
    """A point per postal code, and the addresses asked; 13999 is unknown."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str]] = []

    async def geocode(self, street: str, postal_code: str, city: str) -> GeoPoint | None:
        self.asked.append((street, postal_code, city))
        points = {"13002": (43.3085, 5.366), "13400": (43.2927, 5.5708)}
        return GeoPoint(*points[postal_code], city, 1.0) if postal_code in points else None


@pytest.fixture(autouse=True)
def geocoder(gql):  # after the app's start, which installs the settings' geocoder
    previous = use_geocoder(PostalCodeGeocoder())
    yield
    use_geocoder(previous)


def _listening_place(word: str, **extra: str) -> dict[str, str]:
    return {
        "category": "LISTENING_PLACE",
        "title": f"Point écoute {word}",
        "description": "Écoute et conseil, anonyme et gratuit",
        "link": "https://www.departement13.fr/ecoute",
        "street": "10 rue de la République",
        "postalCode": "13002",
        "city": "Marseille",
        **extra,
    }


async def test_staff_create_a_geocoded_service_found_by_search_and_audited(gql):
    agent = await staff_member(StaffRole.MARKETING)
    word = f"zq{uuid.uuid4().hex[:8]}"

    answer = await gql.post(
        CREATE, {"input": _listening_place(word)}, token=await token_for(gql, agent)
    )

    service = answer["data"]["createDepartmentService"]["service"]
    assert (service["latitude"], service["longitude"]) == (43.3085, 5.366)  # Marseille 2e
    assert service["published"] is True
    hits = (await gql.post(SEARCH, {"text": word.upper()}))["data"]["search"]["hits"]
    assert [h["id"] for h in hits] == [service["id"]]
    entry = await AuditEntry.get(action="department_service.created", object_id=service["id"])
    assert entry.actor_id == agent.id and entry.after["title"] == f"Point écoute {word}"


async def test_invalid_input_is_refused_in_french_and_nothing_changes(gql):
    token = await token_for(gql, await staff_member(StaffRole.MODERATION))
    word = f"zq{uuid.uuid4().hex[:8]}"
    cases = [
        (_listening_place(word, title="  "), "title"),
        (_listening_place(word, description=""), "description"),
        (_listening_place(word, link="http://exemple.fr"), "link"),
        (_listening_place(word, postalCode="75001"), "postalCode"),
        (_listening_place(word, postalCode="13999"), "street"),  # unknown to the geocoder
    ]
    for payload, field in cases:
        error = (await gql.post(CREATE, {"input": payload}, token=token))["data"][
            "createDepartmentService"
        ]
        assert error["field"] == field, payload
        assert error["code"] in {"INVALID_INPUT", "ADDRESS_NOT_FOUND"}
        assert error["message"][0].isupper() and " " in error["message"]
    assert await DepartmentService.filter(title__contains=word).count() == 0
    created = (await gql.post(CREATE, {"input": _listening_place(word)}, token=token))["data"]
    service_id = created["createDepartmentService"]["service"]["id"]

    error = (await gql.post(UPDATE, {"id": service_id, "input": {"title": ""}}, token=token))[
        "data"
    ]["updateDepartmentService"]

    assert (error["code"], error["field"]) == ("INVALID_INPUT", "title")
    assert (await DepartmentService.get(id=service_id)).title == f"Point écoute {word}"
    assert not await AuditEntry.exists(action="department_service.updated", object_id=service_id)


async def test_a_new_address_is_geocoded_again_and_the_change_audited(gql):
    token = await token_for(gql, await staff_member(StaffRole.MARKETING))
    word = f"zq{uuid.uuid4().hex[:8]}"
    created = (await gql.post(CREATE, {"input": _listening_place(word)}, token=token))["data"]
    service_id = created["createDepartmentService"]["service"]["id"]

    answer = await gql.post(
        UPDATE,
        {"id": service_id, "input": {"street": "", "postalCode": "13400", "city": "Aubagne"}},
        token=token,
    )

    service = answer["data"]["updateDepartmentService"]["service"]
    assert (service["city"], service["latitude"], service["longitude"]) == (
        "Aubagne",
        43.2927,
        5.5708,
    )
    entry = await AuditEntry.get(action="department_service.updated", object_id=service_id)
    assert entry.before["address"][2] == "Marseille" and entry.after["address"][2] == "Aubagne"


async def test_an_unpublished_service_is_hidden_from_the_public_and_the_search(gql):
    token = await token_for(gql, await staff_member(StaffRole.MARKETING))
    word = f"zq{uuid.uuid4().hex[:8]}"
    created = (await gql.post(CREATE, {"input": _listening_place(word)}, token=token))["data"]
    service_id = created["createDepartmentService"]["service"]["id"]

    answer = await gql.post(PUBLISH, {"id": service_id, "published": False}, token=token)

    assert answer["data"]["setDepartmentServicePublished"]["service"]["published"] is False
    young = await token_for(gql, await young_person())
    for viewer in (None, young):
        listed = (await gql.post(LIST, token=viewer))["data"]["departmentServices"]["services"]
        assert service_id not in {s["id"] for s in listed}
    assert (await gql.post(SEARCH, {"text": word}))["data"]["search"]["hits"] == []
    staff_list = (await gql.post(LIST, token=token))["data"]["departmentServices"]["services"]
    assert service_id in {s["id"] for s in staff_list}
    assert await AuditEntry.exists(action="department_service.unpublished", object_id=service_id)

    await gql.post(PUBLISH, {"id": service_id, "published": True}, token=token)

    hits = (await gql.post(SEARCH, {"text": word}))["data"]["search"]["hits"]
    assert [h["id"] for h in hits] == [service_id]
    assert await AuditEntry.exists(action="department_service.published", object_id=service_id)
