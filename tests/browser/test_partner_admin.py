"""The partner's own administration in Chromium: « Mes délégués » (invite, the emailed link
opened in a second browser, their sections only, revoked and signed out at their next
click), « Mes remboursements » (the statement's PDF and CSV downloaded and read),
« Coordonnées bancaires » (a new IBAN and the hold), « Paramètres » and « Aide »; each
collaborator's tabs, and URL guessing answered 403. axe-core and screenshots on each page."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from domain.core import clock
from domain.finance.daily_collection import send_daily_collection
from domain.finance.reimbursements import close_period
from models.partners import DelegatePermission
from server import viewer_listener
from tests.browser.partner_space import SIGN_IN, link_in, main_heading, open_page, sign_in
from tests.factories import PASSWORD, collaborator
from tests.finance_helpers import debit, finance_staff, fresh_fortnights, paid_partner, paris
from tests.support import jobs_done, unique

NEW_PASSWORD = "Vieux-Port-1599!"
ADMIN_PAGES = {
    "/partenaires/delegues": DelegatePermission.DELEGATES,
    "/partenaires/remboursements": DelegatePermission.FINANCE,
    "/partenaires/coordonnees-bancaires": DelegatePermission.FINANCE,
}


async def read(path: Path) -> bytes:
    return await asyncio.to_thread(path.read_bytes)


def tabs(page: Page):
    return page.get_by_role("navigation", name="Espace partenaire").get_by_role("link")


async def test_a_delegate_is_invited_works_and_is_revoked(page: Page, new_page, mailbox, look_at):
    team = await paid_partner("Musée")
    await sign_in(page, team.principal)
    await tabs(page).get_by_text("Mes délégués").click()
    await expect(main_heading(page)).to_have_text("Mes délégués")
    email = f"{unique('guichet')}@partenaire.test"

    await page.get_by_role("button", name="Envoyer l'invitation").click()
    await expect(page.locator("#invite-email")).to_have_attribute("aria-invalid", "true")
    await page.get_by_label("Adresse e-mail professionnelle").fill(email)
    await page.get_by_label("Prénom").fill("Théo")
    await page.get_by_label("Nom", exact=True).fill("Marin")
    await page.get_by_label(re.compile("^Transactions")).uncheck()  # checked at first
    await page.get_by_label("Profil de la structure").check()
    await page.get_by_role("button", name="Envoyer l'invitation").click()
    await expect(page.locator("#delegates-notice")).to_contain_text("Invitation envoyée")
    await look_at(page, "delegates")

    await jobs_done()
    link = link_in(await mailbox.wait_for(email, "Invitation"))
    theirs = await new_page()
    await open_page(theirs, link)
    await theirs.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    await theirs.get_by_role("button", name=re.compile("Accepter")).click()
    await expect(main_heading(theirs)).to_have_text("Bonjour Théo")
    await expect(tabs(theirs)).to_have_text(["Accueil", "Mon profil", "Paramètres", "Aide"])
    for path in ADMIN_PAGES:
        refused = await theirs.goto(path)
        assert refused is not None and refused.status == 403, path
    await open_page(theirs, "/partenaires/")  # their page stays open on their home

    await page.reload()
    await page.get_by_role("link", name="Gérer Théo Marin").click()
    await expect(page.locator("#delegate-status")).to_have_text("Actif")
    await look_at(page, "delegate")
    await page.get_by_role("button", name="Révoquer l'accès").click()
    await expect(page.locator("#delegate-notice")).to_contain_text("révoqué")
    await viewer_listener.settle()

    await tabs(theirs).get_by_text("Aide").click()
    await expect(theirs).to_have_url(re.compile(SIGN_IN))

    await page.get_by_role("link", name="← Mes délégués").click()
    await page.get_by_role("link", name="journal des actions").click()
    await expect(page.locator("#audit-table")).to_contain_text("Délégué révoqué")
    await page.get_by_label("Action", exact=True).select_option("delegate.invited")
    await page.get_by_role("button", name="Afficher").click()
    await expect(page.locator("#audit-table")).not_to_contain_text("Délégué révoqué")
    await look_at(page, "audit")


async def test_the_statement_downloads_and_a_new_iban_holds_payments(
    page: Page, look_at, tmp_path: Path
):
    [period] = fresh_fortnights()
    team = await paid_partner("Théâtre")
    await debit(team, paris(period.starts_on), 1055)
    await debit(team, paris(period.starts_on, 16), 400)
    with clock.frozen(paris(period.ends_on + timedelta(days=1), 3)):
        await close_period(period.starts_on, await finance_staff())
    await send_daily_collection(period.starts_on)

    await sign_in(page, team.principal)
    await tabs(page).get_by_text("Mes remboursements").click()
    fortnight = page.locator("section.reimbursement").first
    await expect(fortnight).to_contain_text("En attente")
    await expect(fortnight).to_contain_text("14,55 €")
    await expect(page.locator("#collections-table")).to_contain_text("14,55 €")
    await look_at(page, "reimbursements")

    async with page.expect_download() as pdf_download:
        await fortnight.get_by_role("link", name=re.compile("Bordereau PDF")).click()
    pdf = await read(await (await pdf_download.value).path())
    assert pdf.startswith(b"%PDF")
    async with page.expect_download() as csv_download:
        await fortnight.get_by_role("link", name=re.compile("Bordereau CSV")).click()
    raw = await read(await (await csv_download.value).path())
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM French spreadsheets need
    lines = raw.decode("utf-8-sig").splitlines()
    assert ";" in lines[0]
    assert any("10,55" in line for line in lines) and any("4,00" in line for line in lines)

    await tabs(page).get_by_text("Coordonnées bancaires").click()
    await expect(page.locator("#payments-held")).to_have_count(0)
    await page.get_by_label("IBAN").fill("FR14 2004 1010 0505 0001 3M02 606")
    await expect(page.locator("#bank-check")).to_contain_text("LA BANQUE POSTALE")
    await page.get_by_label("BIC").fill("PSSTFRPP")
    await page.get_by_label("Titulaire du compte").fill("SARL Théâtre")
    await page.get_by_label("Votre mot de passe").fill("pas-le-bon")
    await page.get_by_role("button", name="Enregistrer les nouvelles coordonnées").click()
    await expect(page.locator("#password-erreur")).to_contain_text("Mot de passe incorrect")
    await page.get_by_label("Votre mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Enregistrer les nouvelles coordonnées").click()
    await expect(page.locator("#payments-held")).to_contain_text("Remboursements suspendus")
    await expect(page.locator("#pending-account")).to_contain_text("FR14 •••• 606")
    await look_at(page, "bank-details")


FINANCE_TABS = ["Transactions", "Mes remboursements", "Coordonnées bancaires"]
MONEY_PAGES = ["/partenaires/remboursements", "/partenaires/coordonnees-bancaires"]


@pytest.mark.parametrize(
    "permission, sees, refused",
    [
        (DelegatePermission.FINANCE, FINANCE_TABS, ["/partenaires/delegues"]),
        (DelegatePermission.DELEGATES, ["Mes délégués"], MONEY_PAGES),
    ],
)
async def test_each_collaborator_sees_only_their_sections(
    page: Page, look_at, permission, sees, refused
):
    team = await paid_partner("Galerie")
    await sign_in(page, await collaborator(team, permission))

    await expect(tabs(page)).to_have_text(["Accueil", *sees, "Paramètres", "Aide"])
    for path in refused:
        answer = await page.goto(path)
        assert answer is not None and answer.status == 403, path
    await open_page(page, "/partenaires/parametres")
    await expect(page.locator("#convention")).to_be_visible()
    await look_at(page, f"settings-{permission.value}")
    await open_page(page, "/partenaires/aide")
    await expect(page.locator("#etats")).to_contain_text("Carte en opposition")
    await look_at(page, f"help-{permission.value}")
