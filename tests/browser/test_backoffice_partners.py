"""Partenaires in Chromium: an administrator creates a partner (its representative is
invited), finds it by SIRET, suspends then reactivates it, and reminds it of the yearly bon
plan, the reminder showing in the history; a moderator has no tab to it and is refused."""

from __future__ import annotations

from playwright.async_api import Page, expect

from models.accounts import StaffRole
from models.partners import BonPlanReminder, Partner, PartnerStatus
from tests.browser.backoffice import expect_refused, section_tabs, staff_signed_in
from tests.browser.partner_space import sign_out
from tests.support import unique, valid_siret


async def test_an_administrator_creates_finds_suspends_and_reminds_a_partner(page: Page, look_at):
    await staff_signed_in(page, StaffRole.ADMINISTRATOR)
    siret = valid_siret(int(unique("")) + 810000)
    name = f"Voile {unique('')}"
    email = f"{unique('capitaine')}@voile.test"

    await section_tabs(page).get_by_text("Partenaires").click()
    await page.get_by_role("link", name="+ Créer un partenaire").click()
    await page.get_by_role("button", name="Créer le partenaire et envoyer l'invitation").click()
    await expect(page.get_by_label("Numéro SIRET")).to_have_attribute("aria-invalid", "true")
    await look_at(page, "form-errors")
    await page.get_by_label("Raison sociale").fill("Association Voile Estaque")
    await page.get_by_label("Nom commercial (montré aux jeunes)").fill(name)
    await page.get_by_label("Numéro SIRET").fill(siret)
    await page.get_by_label("Sport", exact=True).check()
    await page.get_by_label("Date de signature de la convention").fill("2025-09-01")
    await page.get_by_label("Prénom").fill("Fanny")
    await page.get_by_label("Nom", exact=True).fill("Cabanis")
    await page.get_by_label("Adresse e-mail (l'invitation y est envoyée)").fill(email)
    await page.get_by_role("button", name="Créer le partenaire et envoyer l'invitation").click()
    await expect(page.locator("#action-done")).to_contain_text("Le partenaire est créé")

    await section_tabs(page).get_by_text("Partenaires").click()
    await page.get_by_label("SIRET ou SIREN").fill(siret)
    await page.get_by_role("button", name="Rechercher").click()
    await expect(page.locator("#partners-table tbody tr")).to_have_count(1)
    await look_at(page, "search")
    await page.get_by_role("link", name=name).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)

    await page.get_by_label("Motif de la suspension").fill("Contrôle de la convention en cours")
    await page.get_by_role("button", name="Suspendre le partenaire").click()
    await expect(page.locator("#partner-status")).to_have_text("Suspendu")
    assert (await Partner.get(siret=siret)).status == PartnerStatus.SUSPENDED
    await page.get_by_role("button", name="Réactiver le partenaire").click()
    await expect(page.locator("#partner-status")).to_have_text("Actif")
    await look_at(page, "record")

    await page.get_by_role("button", name="Envoyer un rappel au délégué principal").click()
    await expect(page.locator("#action-done")).to_contain_text("Le rappel est envoyé")
    await expect(page.locator("#reminders-table")).to_contain_text(email)
    await page.get_by_role("link", name="Retour aux partenaires").click()
    await page.get_by_role("link", name="Engagement « un bon plan par an »").click()
    await expect(page.locator("#reminders-table")).to_contain_text(name)
    await look_at(page, "commitment")
    partner = await Partner.get(siret=siret)
    assert await BonPlanReminder.filter(partner_id=partner.id).count() == 1
    await sign_out(page)


async def test_a_moderator_has_no_partners_section(page: Page, look_at):
    await staff_signed_in(page, StaffRole.MODERATION)
    await expect_refused(page, "/departement/partenaires", "Partenaires")
    await look_at(page, "refused")
    await sign_out(page)
