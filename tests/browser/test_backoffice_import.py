"""Import des collégiens in Chromium: a support agent uploads the schools' file with one bad
line, reads why it was refused and downloads the report; a finance officer closes a finished
year and reads its figures before and after; a moderator has no tab to it and is refused."""

from __future__ import annotations

import uuid
from datetime import date

from playwright.async_api import Page, expect

from domain.accounts.viewer import Viewer
from domain.cards.school_years import create_school_year, school_year_by_label
from models.accounts import StaffRole
from tests.browser.backoffice import expect_refused, section_tabs, staff_signed_in
from tests.browser.partner_space import sign_out
from tests.factories import card_holder, current_school_year


async def test_a_support_agent_imports_the_file_and_downloads_the_refused_lines(
    page: Page, look_at
):
    year = await current_school_year()
    good, bad = ("BRW" + uuid.uuid4().hex[:10].upper() for _ in range(2))
    content = (
        "identifiant;nom;prenom;date_naissance;etablissement;commune\n"
        f"{good};Garcia;Nina;12/01/2014;Collège Thiers;13201\n"
        f"{bad};Morel;Hugo;12/01/2014;Collège Thiers;75056\n"
    ).encode()
    await staff_signed_in(page, StaffRole.SUPPORT)

    await section_tabs(page).get_by_text("Import des collégiens").click()
    await look_at(page, "years")
    await page.locator(f"#import-{year.label}").click()
    await page.get_by_label("Fichier CSV des collèges").set_input_files(
        {"name": "college-thiers.csv", "mimeType": "text/csv", "buffer": content}
    )
    await page.get_by_role("button", name="Importer le fichier").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Rapport d'import {year.label}"
    )
    await expect(page.locator("#figure-created")).to_contain_text("1")
    await expect(page.locator("#rejected-3")).to_contain_text("commune hors des Bouches-du-Rhône")
    await look_at(page, "report")
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Télécharger le rapport (CSV)").click()
    download = await waiting.value
    assert download.suggested_filename.endswith(".csv")
    report = (await download.path()).read_bytes()
    assert report.startswith("\ufeff".encode())
    lines = report.decode("utf-8-sig").splitlines()
    assert lines == ["Ligne du fichier;Motif du refus", "3;commune hors des Bouches-du-Rhône"]
    await sign_out(page)


async def test_a_moderator_has_no_import(page: Page, look_at):
    await staff_signed_in(page, StaffRole.MODERATION)
    await expect_refused(page, "/departement/import", "Import des collégiens")
    await look_at(page, "refused")
    await sign_out(page)


async def test_a_finance_officer_closes_a_finished_year(page: Page, look_at):
    start = 2013
    while await school_year_by_label(f"{start}-{start + 1}") is not None:
        start -= 1
    year = await create_school_year(Viewer(), date(start, 9, 1))
    await card_holder(year)
    await staff_signed_in(page, StaffRole.FINANCE)

    await section_tabs(page).get_by_text("Import des collégiens").click()
    await page.locator(f"#close-{year.label}").click()
    await expect(page.locator("#figures-now-total")).to_contain_text("150,00")
    await look_at(page, "before")
    await page.get_by_role("button", name=f"Clore l'année {year.label}").click()

    await expect(page.locator("#closing-done")).to_contain_text("1 carte expirée")
    await expect(page.locator("#figures-before-total")).to_contain_text("150,00")
    await expect(page.locator("#figures-after-total")).to_contain_text("0,00")
    await look_at(page, "after")
    await sign_out(page)
