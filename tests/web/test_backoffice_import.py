"""« Import des collégiens » (support and finance): the schools' file for a year, its report
of refused lines on screen and as a CSV, a new school year, and the year-end closing with
its figures before and after. Other roles have no tab and are refused."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

from domain.accounts.viewer import Viewer
from domain.cards.school_years import create_school_year, school_year_by_label
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.cards import Beneficiary, BeneficiaryImport, Card, CardStatus, SchoolYear
from models.ledger import AccountKind, LedgerAccount
from tests.factories import card_holder, current_school_year, staff_member
from tests.ledger_invariants import assert_ledger_invariants
from tests.web.content_support import post_with_files
from tests.web.support import Browser, text_of

HEADER = "identifiant;nom;prenom;date_naissance;etablissement;commune"


def a_pupil_line(identifier: str, last_name: str = "Fabre") -> str:
    return f"{identifier};{last_name};Inès;14/03/2014;Collège Longchamp;13201"


def identifier() -> str:
    return "IMP" + uuid.uuid4().hex[:12].upper()


async def signed_in(browser: Browser, *roles: StaffRole):
    agent = await staff_member(*roles)
    await browser.sign_in(agent.email)
    return agent


async def upload(browser: Browser, year_id: object, content: bytes, name: str = "college.csv"):
    url = f"/departement/import/annees/{year_id}"
    await browser.get(url)
    return await post_with_files(browser, url, {}, {"fichier": (name, content, "text/csv")})


async def a_past_year() -> SchoolYear:
    """A school year over long ago, not closed yet, that no other test uses."""
    for start in range(2014, 1990, -1):
        if await school_year_by_label(f"{start}-{start + 1}") is None:
            return await create_school_year(Viewer(), date(start, 9, 1))
    raise AssertionError("no free past year")


async def test_support_imports_a_file_and_reads_the_refused_lines_and_their_report(browser):
    year = await current_school_year()
    agent = await signed_in(browser, StaffRole.SUPPORT)
    home = await browser.get("/departement/")
    assert 'id="tab-import"' in home.text
    years = await browser.get("/departement/import")
    assert f'id="import-{year.label}"' in years.text
    assert 'id="new-year-link"' not in years.text  # creating a year is finance's
    good, twice = identifier(), identifier()
    content = "\n".join(
        [
            HEADER,
            a_pupil_line(good),
            a_pupil_line(twice, "Roux"),
            a_pupil_line(twice, "Roux"),
            f"{identifier()};Blanc;Léo;14/03/2001;Collège Longchamp;13201",
            f"{identifier()};Noir;Léa;pas une date;Collège Longchamp;75001",
        ]
    ).encode("utf-8")

    sent = await upload(browser, year.id, content, "college-longchamp.csv")

    assert sent.status_code == 303
    report = await browser.follow(sent)
    shown = text_of(report)
    assert "college-longchamp.csv" in shown
    assert 'id="figure-created"><span class="figure__value">2<' in report.text
    assert 'id="figure-rejected"><span class="figure__value">3<' in report.text
    assert 'id="rejected-4"' in report.text and "identifiant en double" in shown
    assert "déjà ligne 3" in shown
    assert "âge hors limites" in shown
    assert "date de naissance invalide" in shown and "commune hors des Bouches-du-Rhône" in shown
    assert await Beneficiary.filter(school_identifier__in=[good, twice]).count() == 2
    saved = await BeneficiaryImport.get(school_year_id=year.id, imported_by_id=agent.id)
    assert saved.file_name == "college-longchamp.csv" and saved.rows == 5

    download = await browser.get(f"/departement/import/rapports/{saved.id}.csv")

    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    assert download.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Ligne du fichier", "Motif du refus"]
    assert [row[0] for row in rows[1:]] == ["4", "5", "6"]
    assert "identifiant en double" in rows[1][1]

    # The same file again creates nobody and says so; the year's page lists both runs.
    again = await browser.follow(await upload(browser, year.id, content))
    assert 'id="figure-present"><span class="figure__value">2<' in again.text
    listed = await browser.get(f"/departement/import/annees/{year.id}")
    assert listed.text.count("college-longchamp.csv") == 1
    assert await BeneficiaryImport.filter(imported_by_id=agent.id).count() == 2
    audited = await AuditEntry.filter(action="beneficiaries.imported", actor_id=agent.id)
    assert len(audited) == 2 and audited[0].after["rejected"] == 3


async def test_a_file_without_the_expected_columns_is_refused_with_what_is_missing(browser):
    year = await current_school_year()
    await signed_in(browser, StaffRole.SUPPORT)

    refused = await upload(browser, year.id, b"nom;prenom\nFabre;Ines\n")

    assert refused.status_code == 422
    assert "Colonnes manquantes" in text_of(refused) and "identifiant" in text_of(refused)
    assert 'id="fichier-erreur"' in refused.text
    nothing = await post_with_files(browser, f"/departement/import/annees/{year.id}", {}, None)
    assert nothing.status_code == 422 and "Choisissez le fichier" in text_of(nothing)


async def test_a_windows_file_is_read_with_its_accents(browser):
    year = await current_school_year()
    await signed_in(browser, StaffRole.SUPPORT)
    pupil = identifier()
    content = f"{HEADER}\n{pupil};Lefèvre;Zoé;02/05/2014;Collège Thiers;13201\n"

    sent = await upload(browser, year.id, content.encode("cp1252"))

    assert sent.status_code == 303
    assert (await Beneficiary.get(school_identifier=pupil)).last_name == "Lefèvre"


async def test_the_section_is_refused_to_the_other_roles(browser):
    year = await current_school_year()
    await signed_in(browser, StaffRole.MODERATION)
    home = await browser.get("/departement/")
    assert "/departement/import" not in home.text
    assert (await browser.get("/departement/import")).status_code == 403
    assert (await browser.get(f"/departement/import/annees/{year.id}")).status_code == 403
    pupil = identifier()
    refused = await post_with_files(
        browser,
        f"/departement/import/annees/{year.id}",
        {},
        {"fichier": ("c.csv", f"{HEADER}\n{a_pupil_line(pupil)}\n".encode(), "text/csv")},
    )
    assert refused.status_code == 403
    assert not await Beneficiary.exists(school_identifier=pupil)


async def test_finance_has_the_years_and_the_closing_but_not_the_schools_file(browser):
    year = await current_school_year()
    await signed_in(browser, StaffRole.FINANCE)
    years = await browser.get("/departement/import")
    assert years.status_code == 200 and 'id="new-year-link"' in years.text
    assert f'id="close-{year.label}"' in years.text
    assert f'id="import-{year.label}"' not in years.text
    assert (await browser.get(f"/departement/import/annees/{year.id}")).status_code == 403


async def test_support_does_not_create_nor_close_a_year(browser):
    year = await current_school_year()
    await signed_in(browser, StaffRole.SUPPORT)
    assert f'id="close-{year.label}"' not in (await browser.get("/departement/import")).text
    assert (await browser.get(f"/departement/import/annees/{year.id}/cloture")).status_code == 403
    assert (await browser.get("/departement/import/annees/nouvelle")).status_code == 403


async def test_finance_closes_a_finished_year_and_sees_the_figures_before_and_after(browser):
    year = await a_past_year()
    holders = [await card_holder(year) for _ in range(2)]
    agent = await signed_in(browser, StaffRole.FINANCE)
    page = await browser.get(f"/departement/import/annees/{year.id}/cloture")
    assert page.status_code == 200
    assert 'id="figures-now-total"' in page.text and "300,00" in text_of(page)
    assert 'id="close-year-button"' in page.text

    closed = await browser.post(f"/departement/import/annees/{year.id}/cloture")

    assert closed.status_code == 200
    shown = text_of(closed)
    assert "2 cartes expirées" in shown and "4 porte-monnaie soldés" in shown
    before = closed.text.split('id="figures-before"')[1].split("</table>")[0]
    after = closed.text.split('id="figures-after"')[1].split("</table>")[0]
    assert "300,00" in before and "0,00" in after and "300,00" in after  # forfeited after
    assert 'id="figures-after-cards-expired">2<' in closed.text
    for holder in holders:
        assert (await Card.get(id=holder.card.id)).status == CardStatus.EXPIRED
    wallets = await LedgerAccount.filter(kind=AccountKind.WALLET, school_year_id=year.id)
    assert {w.balance_cents for w in wallets} == {0}
    entry = await AuditEntry.get(action="school_year.closed", actor_id=agent.id)
    assert entry.before["balancesCents"] == {
        "SOUTIEN_SCOLAIRE": 100_00,
        "SPORT_CULTURE_LOISIRS": 200_00,
    }
    assert entry.after["forfeitedCents"] == 30000
    await assert_ledger_invariants()

    # Closed: the page says so and offers no second closing; posting again changes nothing.
    page = await browser.get(f"/departement/import/annees/{year.id}/cloture")
    assert 'id="already-closed"' in page.text and 'id="close-year-button"' not in page.text
    again = await browser.post(f"/departement/import/annees/{year.id}/cloture")
    assert again.status_code == 200 and "0 carte expirée" in text_of(again)


async def test_a_year_not_over_cannot_be_closed(browser):
    year = await current_school_year()
    await signed_in(browser, StaffRole.FINANCE)
    page = await browser.get(f"/departement/import/annees/{year.id}/cloture")
    assert 'id="not-over"' in page.text and 'id="close-year-button"' not in page.text

    refused = await browser.post(f"/departement/import/annees/{year.id}/cloture")

    assert refused.status_code == 422
    assert "n'est pas terminée" in text_of(refused)
    assert (await SchoolYear.get(id=year.id)).closed_at is None


async def test_finance_creates_a_school_year_with_its_amounts(browser):
    await signed_in(browser, StaffRole.FINANCE)
    form = await browser.get("/departement/import/annees/nouvelle")
    assert 'value="100"' in form.text
    start = 2040
    while await school_year_by_label(f"{start}-{start + 1}") is not None:
        start += 1
    bad = await browser.post(
        "/departement/import/annees/nouvelle",
        {
            "rentree": f"{start}-09-02",
            "montant-SPORT_CULTURE_LOISIRS": "cent",
            "montant-SOUTIEN_SCOLAIRE": "50",
        },
    )
    assert bad.status_code == 422 and 'id="montant-SPORT_CULTURE_LOISIRS-erreur"' in bad.text

    created = await browser.post(
        "/departement/import/annees/nouvelle",
        {
            "rentree": f"{start}-09-02",
            "montant-SPORT_CULTURE_LOISIRS": "120",
            "montant-SOUTIEN_SCOLAIRE": "60,50",
        },
    )

    assert created.status_code == 303
    listed = await browser.follow(created)
    assert "L'année scolaire est créée" in text_of(listed)
    assert f'id="year-{start}-{start + 1}"' in listed.text and "60,50 €" in text_of(listed)
    overlapping = await browser.post(
        "/departement/import/annees/nouvelle",
        {
            "rentree": f"{start}-09-10",
            "montant-SPORT_CULTURE_LOISIRS": "100",
            "montant-SOUTIEN_SCOLAIRE": "50",
        },
    )
    assert overlapping.status_code == 422 and "existe déjà" in text_of(overlapping)
