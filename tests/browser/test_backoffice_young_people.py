"""Jeunes et cartes in Chromium: a support agent finds a pupil by name, opens the record
for a reason and unlocks the card's PIN; a moderator has no tab to it and is refused."""

from __future__ import annotations

import uuid

from playwright.async_api import Page, expect

from domain.core import clock
from models.accounts import StaffRole
from models.cards import Beneficiary, Card
from tests.browser.backoffice import expect_refused, section_tabs, staff_signed_in
from tests.browser.partner_space import sign_out
from tests.factories import card_holder


async def test_a_support_agent_finds_a_pupil_by_name_and_unlocks_the_pin(page: Page, look_at):
    holder = await card_holder()
    # A family name no other test's pupils share: the search answers a page of the matches.
    family = "Vidal" + "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:8])
    await Beneficiary.filter(id=holder.beneficiary.id).update(last_name=family)
    await Card.filter(id=holder.card.id).update(pin_locked_at=clock.now(), pin_failures=3)
    await staff_signed_in(page, StaffRole.SUPPORT)
    await expect(section_tabs(page)).to_have_text(
        [
            "Accueil",
            "Jeunes et cartes",
            "Hotline",
            "Partenaires",
            "Import des collégiens",
            "Tableau de bord",
        ]
    )

    await section_tabs(page).get_by_text("Jeunes et cartes").click()
    await page.get_by_label("Nom, e-mail, date de naissance").fill(f"Jade {family}")
    await page.get_by_role("button", name="Rechercher").click()
    result = page.locator(f"#young-{holder.beneficiary.id}")
    await expect(result).to_contain_text("Collège Longchamp")
    await look_at(page, "results")
    await result.get_by_label("Motif de la consultation").select_option(label="Appel du jeune")
    await result.get_by_role("button", name="Ouvrir la fiche").click()
    card = page.locator(f"#card-{holder.card.id}")
    await expect(card).to_contain_text("Carte bloquée")
    await look_at(page, "record")
    await card.get_by_role("button", name="Débloquer le code PIN").click()

    await expect(page.locator("#action-done")).to_contain_text("Le code de la carte est débloqué")
    await expect(card.get_by_role("button", name="Débloquer le code PIN")).to_have_count(0)
    assert (await Card.get(id=holder.card.id)).pin_locked_at is None
    await sign_out(page)


async def test_a_moderator_has_no_young_people(page: Page, look_at):
    await staff_signed_in(page, StaffRole.MODERATION)
    await expect_refused(page, "/departement/jeunes", "Jeunes et cartes")
    await look_at(page, "refused")
    await sign_out(page)
