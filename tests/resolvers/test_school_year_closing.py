"""The back office's school years through GraphQL: an import kept with its report
(`importBeneficiaries` → `beneficiaryImport`), a year's figures, and its closing by finance
after 31 August only, the same when run again, audited with the figures before and after."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from domain.accounts.viewer import Viewer
from domain.cards.school_years import create_school_year, school_year_by_label
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.cards import SchoolYear
from tests.factories import card_holder, current_school_year, staff_member, token_for
from tests.ledger_invariants import assert_ledger_invariants
from tests.support import GraphQLClient

FIGURES = """fragment Figures on SchoolYearFigures {
  wallets { kind wallets walletsWithMoney balanceCents }
  cards { status cards }
  forfeitedCents closedAt canClose balance
}"""
FIGURES_NOW = (
    FIGURES
    + """
query($y: ID!) { schoolYearFigures(schoolYearId: $y) { ...Figures } }"""
)
CLOSE = (
    FIGURES
    + """
mutation($y: ID!) {
  closeSchoolYear(schoolYearId: $y) {
    __typename
    ... on SchoolYearClosing {
      walletsForfeited forfeitedCents forfeited cardsExpired
      before { ...Figures } after { ...Figures }
    }
    ... on UserError { code message }
  }
}"""
)
IMPORT = """mutation($y: ID!, $csv: String!) {
  importBeneficiaries(schoolYearId: $y, csv: $csv, fileName: "college.csv") {
    __typename ... on ImportReport { importId created rejected { line reason } }
    ... on UserError { code message }
  }
}"""
REPORT = """query($id: ID!) {
  beneficiaryImport(id: $id) {
    schoolYearLabel fileName rows created alreadyPresent cardsIssued rejected { line reason }
  }
}"""


@pytest.fixture
async def gql(app) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.29", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


async def as_staff(gql: GraphQLClient, role: StaffRole):
    agent = await staff_member(role)
    return gql.as_(await token_for(gql, agent)), agent


async def data(client: GraphQLClient, query: str, variables: dict) -> dict:
    answer = await client.post(query, variables)
    assert "errors" not in answer, answer
    return answer["data"]


async def a_past_year() -> SchoolYear:
    for start in range(2012, 1990, -1):
        if await school_year_by_label(f"{start}-{start + 1}") is None:
            return await create_school_year(Viewer(), date(start, 9, 1))
    raise AssertionError("no free past year")


async def test_an_import_is_kept_with_its_refused_lines(gql):
    year = await current_school_year()
    support, _ = await as_staff(gql, StaffRole.SUPPORT)
    pupil = "GQL" + uuid.uuid4().hex[:12].upper()
    csv = (
        "identifiant;nom;prenom;date_naissance;etablissement;commune\n"
        f"{pupil};Faure;Lina;03/03/2014;Collège Thiers;13201\n"
        ";Faure;Noé;03/03/2014;Collège Thiers;13201\n"
    )

    imported = (await data(support, IMPORT, {"y": str(year.id), "csv": csv}))["importBeneficiaries"]

    assert imported["created"] == 1
    report = (await data(support, REPORT, {"id": imported["importId"]}))["beneficiaryImport"]
    assert report == {
        "schoolYearLabel": year.label,
        "fileName": "college.csv",
        "rows": 2,
        "created": 1,
        "alreadyPresent": 0,
        "cardsIssued": 1,
        "rejected": [{"line": 3, "reason": "identifiant manquant"}],
    }
    unknown = await data(support, REPORT, {"id": "pas-un-identifiant"})
    assert unknown["beneficiaryImport"] is None


async def test_finance_closes_a_finished_year_once(gql):
    year = await a_past_year()
    await card_holder(year)
    finance, agent = await as_staff(gql, StaffRole.FINANCE)
    now = (await data(finance, FIGURES_NOW, {"y": str(year.id)}))["schoolYearFigures"]
    assert now["canClose"] and now["closedAt"] is None and now["balance"] == "150,00\xa0€"

    closed = (await data(finance, CLOSE, {"y": str(year.id)}))["closeSchoolYear"]

    assert closed["__typename"] == "SchoolYearClosing"
    assert closed["forfeitedCents"] == 150_00 and closed["forfeited"] == "150,00\xa0€"
    assert closed["cardsExpired"] == 1 and closed["walletsForfeited"] == 2
    assert sum(w["balanceCents"] for w in closed["before"]["wallets"]) == 150_00
    assert sum(w["balanceCents"] for w in closed["after"]["wallets"]) == 0
    assert closed["after"]["forfeitedCents"] == 150_00
    assert closed["after"]["cards"] == [{"status": "expired", "cards": 1}]
    assert closed["after"]["closedAt"] is not None
    again = (await data(finance, CLOSE, {"y": str(year.id)}))["closeSchoolYear"]
    assert again["forfeitedCents"] == 0 and again["cardsExpired"] == 0
    assert again["after"]["forfeitedCents"] == 150_00
    support, _ = await as_staff(gql, StaffRole.SUPPORT)
    late = (await support.post(IMPORT, {"y": str(year.id), "csv": "identifiant\n"}))["data"]
    assert late["importBeneficiaries"]["code"] == "INVALID_STATE"
    assert "est close" in late["importBeneficiaries"]["message"]
    entries = await AuditEntry.filter(action="school_year.closed", object_id=str(year.id))
    assert len(entries) == 2 and entries[0].actor_id == agent.id
    await assert_ledger_invariants()


async def test_a_year_is_not_closed_before_1_september(gql):
    year = await current_school_year()
    finance, _ = await as_staff(gql, StaffRole.FINANCE)

    refused = (await data(finance, CLOSE, {"y": str(year.id)}))["closeSchoolYear"]
    unknown = await data(finance, CLOSE, {"y": "5b0f2a57-5b5e-4bf6-9d1c-3f1f5d8f9a10"})

    assert refused["code"] == "INVALID_STATE" and "1er septembre" in refused["message"]
    assert unknown["closeSchoolYear"]["code"] == "NOT_FOUND"
    assert (await SchoolYear.get(id=year.id)).closed_at is None
    figures = (await data(finance, FIGURES_NOW, {"y": str(year.id)}))["schoolYearFigures"]
    assert figures["canClose"] is False
