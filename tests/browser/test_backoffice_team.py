"""Équipe and Tableau de bord in Chromium: an administrator invites a staff member, who
accepts through the emailed link and lands in the back office; the administrator then
removes one of their roles and its tab disappears. Every staff role sees the figures."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from models.accounts import StaffRole, User
from server import viewer_listener
from tests.browser.backoffice import HOME, expect_refused, section_tabs, staff_signed_in
from tests.browser.partner_space import link_in, main_heading, open_page, sign_out
from tests.support import jobs_done, unique
from tests.web.backoffice_helpers import yesterday_s_debit

NEW_PASSWORD = "Calanque-de-Sormiou-1850"


async def test_invite_a_staff_member_and_remove_their_role(page: Page, new_page, mailbox, look_at):
    await staff_signed_in(page, StaffRole.ADMINISTRATOR)
    await section_tabs(page).get_by_text("Équipe").click()
    await expect(main_heading(page)).to_have_text("Équipe")
    email = f"{unique('agent')}@departement13.test"

    await page.get_by_role("button", name="Envoyer l'invitation").click()
    await expect(page.locator("#invite-email")).to_have_attribute("aria-invalid", "true")
    await look_at(page, "invitation-error")
    await page.get_by_label("Adresse e-mail professionnelle").fill(email)
    await page.get_by_label("Prénom").fill("Maëlle")
    await page.get_by_label("Nom", exact=True).fill("Rinaldi")
    await page.get_by_label("Modération").check()
    await page.get_by_label(re.compile("^Support")).check()
    await page.get_by_role("button", name="Envoyer l'invitation").click()
    await expect(page.locator("#team-notice")).to_contain_text("L'invitation est envoyée")
    member = await User.get(email=email)
    await expect(page.locator(f"#staff-{member.id}")).to_contain_text("Invité")
    await look_at(page, "team")

    # The invitee chooses a password through the emailed link and lands in the back office.
    await jobs_done()
    link = link_in(await mailbox.wait_for(email, "Invitation"))
    theirs = await new_page()
    await open_page(theirs, link)
    await expect(main_heading(theirs)).to_have_text("Rejoindre l'équipe du Département")
    await look_at(theirs, "accept")
    await theirs.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    await theirs.get_by_label("Confirmez le mot de passe").fill(NEW_PASSWORD)
    await theirs.get_by_role("button", name="Accepter l'invitation").click()
    await expect(theirs).to_have_url(re.compile(re.escape(HOME) + "$"))
    await expect(main_heading(theirs)).to_have_text("Bonjour Maëlle")
    await expect(section_tabs(theirs)).to_contain_text(["Modération", "Jeunes et cartes"])

    # The administrator removes the support role: the member's tab goes at their next page.
    await page.get_by_role("link", name="Gérer Maëlle Rinaldi").click()
    await expect(page.locator("#member-state")).to_have_text("Actif")
    await page.get_by_label(re.compile("^Support")).uncheck()
    await page.get_by_role("button", name="Enregistrer les rôles").click()
    await expect(page.locator("#member-notice")).to_contain_text("Les rôles sont enregistrés")
    await look_at(page, "member")
    assert (await User.get(id=member.id)).staff_roles == ["moderation"]
    await viewer_listener.settle()

    await theirs.reload()
    await expect(section_tabs(theirs)).not_to_contain_text(["Jeunes et cartes"])
    await expect_refused(theirs, "/departement/jeunes", "Jeunes et cartes")
    await sign_out(page)


async def test_the_figures_for_every_role_and_the_team_for_administrators(page: Page, look_at):
    await yesterday_s_debit("12,40")  # the current school year, a card, a payment
    await staff_signed_in(page, StaffRole.MODERATION)
    await expect_refused(page, "/departement/equipe", "Équipe")
    await open_page(page, HOME)
    await section_tabs(page).get_by_text("Tableau de bord").click()
    await expect(main_heading(page)).to_have_text("Tableau de bord")
    await expect(page.locator("#programme-figures")).to_contain_text("Cartes activées")
    await expect(page.locator("#chart-wallets-donnees")).to_contain_text("€")
    await page.get_by_text("Les données du graphique « Dépenses par semaine »").click()
    await look_at(page, "figures")
    await sign_out(page)
