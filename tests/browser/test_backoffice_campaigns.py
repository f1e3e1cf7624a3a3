"""Campagnes in Chromium: a marketer composes a campaign to the pupils of one school, sees
its audience counted as they type, tries it on themself, sends it and watches the progress
reach 100 % (htmx polls it; the batches run in-process); the emails arrive without a
tracking pixel or per-person links. A support agent has no tab to it and is refused."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from models.accounts import StaffRole
from tests.browser.backoffice import expect_refused, section_tabs, staff_signed_in
from tests.browser.partner_space import sign_out
from tests.browser.support import screenshot_name, screenshots_folder
from tests.support import unique
from tests.web.test_backoffice_campaigns import links_of, published_deal, pupil_at

SUBJECT = "Le concert de la rentrée"
SENDING_TIMEOUT_MS = 30_000  # the batches, then a poll every 2 s


async def test_a_marketer_sends_a_campaign_to_a_school_and_watches_it_reach_100_percent(
    page: Page, look_at, mailbox, request
):
    school = unique("Collège Pasteur ")
    pupils = [await pupil_at(school, 16), await pupil_at(school, 19)]
    deal = await published_deal(unique("Concert offert "))
    name = unique("Concert de rentrée ")
    staff = await staff_signed_in(page, StaffRole.MARKETING)

    await section_tabs(page).get_by_text("Campagnes").click()
    await page.get_by_role("link", name="+ Nouvelle campagne").click()
    await page.get_by_label("Nom de la campagne").fill(name)
    await page.get_by_label("Objet de l'e-mail").fill(SUBJECT)
    await page.get_by_label("Titre", exact=True).fill("Un concert rien que pour toi")
    await page.get_by_label("Message", exact=True).fill("Viens écouter les groupes du quartier.")
    await page.locator(f"#offre-{deal.id}").check()
    await page.get_by_label("Établissements scolaires").fill(school)
    audience = page.locator("#audience-count")
    await expect(audience).to_contain_text("E-mail : 2 jeunes")
    await expect(audience).to_contain_text("Notification sur le téléphone : 0 jeune")
    await look_at(page, "compose")
    await page.get_by_role("button", name="Enregistrer le brouillon").click()

    await expect(page.locator("#campaign-done")).to_have_text("Brouillon enregistré.")
    await expect(page.locator("#push-preview")).to_contain_text("Un concert rien que pour toi")
    frame = page.frame_locator("#email-frame")
    body = frame.get_by_role("paragraph").filter(has_text="Viens écouter les groupes du quartier")
    await expect(body).to_be_visible()
    # The frame alone: Chromium leaves a sandboxed frame blank in full-page screenshots.
    folder = screenshots_folder()
    folder.mkdir(parents=True, exist_ok=True)
    shot = screenshot_name(request.node.name, "email-preview", 1280)
    await page.locator("#email-frame").screenshot(path=folder / shot)
    await expect(frame.get_by_text(re.compile("Concert offert"))).to_be_visible()
    await look_at(page, "draft")
    await page.get_by_role("button", name="M'envoyer un test").click()
    await expect(page.locator("#campaign-done")).to_contain_text("L'e-mail de test est parti")
    assert (await mailbox.wait_for(staff.email, SUBJECT))["X-CJeune-Test"] == "1"

    await page.get_by_role("button", name="Envoyer maintenant").click()
    await expect(page.locator("#progress-percent")).to_have_text(
        "100 %", timeout=SENDING_TIMEOUT_MS
    )
    await expect(page.locator("#campaign-status")).to_contain_text("Terminée")
    await expect(page.locator("#progress-sent")).to_have_text("2")
    await expect(page.locator("#progress-bar")).to_have_attribute("value", "100")
    await look_at(page, "done")
    await page.get_by_role("link", name="Toutes les campagnes").click()
    row = page.locator("#campaigns-table tr", has=page.get_by_role("link", name=name, exact=True))
    await expect(row).to_contain_text("Terminée")
    await expect(row).to_contain_text("100 %")
    await look_at(page, "list")

    received = [await mailbox.wait_for(p.email, SUBJECT) for p in pupils]
    for message in received:
        html = message.get_body(("html",)).get_content()
        assert "<img" not in html  # no open-tracking pixel
        assert f"/offres/{deal.id}" in html
    # No per-person click tracking: the links but the unsubscribe one are the same for all.
    shared = [sorted(u for u in links_of(m) if "desabonnement" not in u) for m in received]
    assert shared[0] == shared[1]
    await sign_out(page)


async def test_a_support_agent_has_no_campaigns(page: Page, look_at):
    await staff_signed_in(page, StaffRole.SUPPORT)
    await expect_refused(page, "/departement/campagnes", "Campagnes")
    await look_at(page, "refused")
    await sign_out(page)
