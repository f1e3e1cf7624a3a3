"""The public directory: anyone lists the active partners of a commune and a category, in
numbered pages; a suspended partner leaves it."""

from __future__ import annotations

import uuid

from models.partners import Partner, PartnerCategory, PartnerStatus
from models.social import PartnerProfile
from tests.factories import partner_team

DIRECTORY = """
query($commune: String, $category: PartnerCategory, $page: Int!, $first: Int!) {
  directory(commune: $commune, category: $category, page: $page, first: $first) {
    partners { id tradeName categories listed address { city } }
    totalCount page pageCount
  }
  directoryCommunes(category: $category) { name partnerCount }
}
"""


async def _listed_partner(name: str, city: str, *categories: PartnerCategory) -> Partner:
    team = await partner_team(name=name)
    partner = team.partner
    partner.categories = [c.value for c in categories] or [PartnerCategory.CULTURE.value]
    await partner.save(update_fields=["categories"])
    await PartnerProfile.create(partner=partner, city=city, postal_code="13999", street="1 rue")
    return partner


async def test_anyone_lists_a_communes_partners_by_name_in_numbered_pages(gql):
    city = f"Ville-{uuid.uuid4().hex[:8]}"
    zebre = await _listed_partner("Zèbre", city.upper(), PartnerCategory.SPORT)
    alpha = await _listed_partner("Alpha", city, PartnerCategory.SPORT, PartnerCategory.CULTURE)
    bravo = await _listed_partner("Bravo", city, PartnerCategory.CULTURE)

    first = (await gql.post(DIRECTORY, {"commune": city, "page": 1, "first": 2}))["data"]
    second = (await gql.post(DIRECTORY, {"commune": city, "page": 2, "first": 2}))["data"]

    assert [p["id"] for p in first["directory"]["partners"]] == [str(alpha.id), str(bravo.id)]
    assert [p["id"] for p in second["directory"]["partners"]] == [str(zebre.id)]
    assert first["directory"]["totalCount"] == 3 and first["directory"]["pageCount"] == 2
    assert all(p["listed"] for p in first["directory"]["partners"])
    communes = {c["name"].lower(): c["partnerCount"] for c in first["directoryCommunes"]}
    assert communes[city.lower()] == 3  # the same commune, whatever its case


async def test_a_category_narrows_the_list_and_the_communes(gql):
    city = f"Ville-{uuid.uuid4().hex[:8]}"
    sport = await _listed_partner("Stade", city, PartnerCategory.SPORT)
    await _listed_partner("Musée", city, PartnerCategory.CULTURE)
    soutien = await _listed_partner("Cours", city, PartnerCategory.SOUTIEN_SCOLAIRE)

    answer = await gql.post(
        DIRECTORY, {"commune": city, "category": "SPORT", "page": 1, "first": 24}
    )

    assert [p["id"] for p in answer["data"]["directory"]["partners"]] == [str(sport.id)]
    scolaire = await gql.post(
        DIRECTORY, {"commune": city, "category": "SOUTIEN_SCOLAIRE", "page": 1, "first": 24}
    )
    assert [p["id"] for p in scolaire["data"]["directory"]["partners"]] == [str(soutien.id)]
    names = {c["name"] for c in scolaire["data"]["directoryCommunes"]}
    assert city in names


async def test_a_suspended_partner_leaves_the_directory_and_its_page_says_so(gql):
    city = f"Ville-{uuid.uuid4().hex[:8]}"
    partner = await _listed_partner("Fermé", city)
    await Partner.filter(id=partner.id).update(status=PartnerStatus.SUSPENDED)

    answer = await gql.post(DIRECTORY, {"commune": city, "page": 1, "first": 24})
    page = await gql.post(
        "query($id: ID!) { partner(id: $id) { listed } }", {"id": str(partner.id)}
    )

    assert answer["data"]["directory"]["partners"] == []
    assert answer["data"]["directory"]["pageCount"] == 1
    assert city not in {c["name"] for c in answer["data"]["directoryCommunes"]}
    assert page["data"]["partner"]["listed"] is False


async def test_anyone_reads_the_communes_with_their_centre(gql):
    answer = await gql.post("{ communes { name postalCodes latitude longitude } }")

    communes = {c["name"]: c for c in answer["data"]["communes"]}
    assert "13100" in communes["Aix-en-Provence"]["postalCodes"]
    assert communes["Marseille 2e"]["postalCodes"] == ["13002"]
    assert 43.0 < communes["Aubagne"]["latitude"] < 43.6
    names = [c["name"] for c in answer["data"]["communes"]]
    assert names.index("Marseille 1er") + 1 == names.index("Marseille 2e")


async def test_a_partner_without_a_profile_yet_is_listed_after_the_communes(gql):
    team = await partner_team(name=f"Sans-profil-{uuid.uuid4().hex[:6]}")

    first = (await gql.post(DIRECTORY, {"page": 1, "first": 100}))["data"]["directory"]
    pages = [first]
    for page in range(2, first["pageCount"] + 1):
        pages.append((await gql.post(DIRECTORY, {"page": page, "first": 100}))["data"]["directory"])
    listed = [p for found in pages for p in found["partners"]]

    assert not await PartnerProfile.exists(partner_id=team.partner.id)
    assert str(team.partner.id) in {p["id"] for p in listed}
    with_commune = [p["address"] is not None for p in listed]
    assert with_commune == sorted(with_commune, reverse=True)  # those without, last
