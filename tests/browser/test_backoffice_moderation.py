"""Modération in Chromium: a moderator approves a deal a partner submitted, and the
partner's people hear of it; a support agent has no tab to it and is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from infra.geocoding import OfflineGeocoder, use_geocoder
from models.accounts import StaffRole
from models.notifications import Notification
from models.offers import OfferRevision, RevisionStatus
from tests.browser.backoffice import expect_refused, section_tabs, staff_signed_in
from tests.browser.partner_space import sign_out
from tests.factories import partner_team
from tests.web.backoffice_helpers import submitted_deal


@pytest.fixture(scope="module", autouse=True)
def offline_geocoder() -> Iterator[None]:
    previous = use_geocoder(OfflineGeocoder())
    yield
    use_geocoder(previous)


async def test_a_moderator_approves_a_deal_a_partner_submitted(page: Page, look_at):
    team = await partner_team()
    offer = await submitted_deal(team, "Une séance d'escalade offerte")
    await staff_signed_in(page, StaffRole.MODERATION)
    await expect(section_tabs(page)).to_have_text(["Accueil", "Modération", "Tableau de bord"])

    await section_tabs(page).get_by_text("Modération").click()
    await expect(page.locator(f"#revision-{offer.working_revision_id}")).to_be_visible()
    await look_at(page, "queue")
    await page.get_by_role("link", name="Une séance d'escalade offerte").click()
    await expect(page.locator("#offer-partner")).to_have_text(team.partner.trade_name)
    await expect(page.locator("#age-rule")).to_contain_text("11–25 ans")
    await look_at(page, "review")
    await page.get_by_role("button", name="Refuser").click()
    await expect(page.get_by_label("Motif du refus")).to_have_attribute("aria-invalid", "true")
    await page.get_by_role("button", name="Valider et publier").click()

    await expect(page.get_by_role("status")).to_contain_text("La version est validée et publiée")
    await expect(page.locator(f"#revision-{offer.working_revision_id}")).to_have_count(0)
    revision = await OfferRevision.get(id=offer.working_revision_id)
    assert revision.status == RevisionStatus.APPROVED
    told = await Notification.get(user_id=team.principal.id, kind="moderation_decision")
    assert "Une séance d'escalade offerte" in told.body and "en ligne" in told.body
    await sign_out(page)


async def test_a_support_agent_has_no_moderation(page: Page, look_at):
    await staff_signed_in(page, StaffRole.SUPPORT)
    await expect_refused(page, "/departement/moderation", "Modération")
    await look_at(page, "refused")
    await sign_out(page)
