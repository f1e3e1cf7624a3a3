"""The young people's space in Chromium, as a pupil goes through it: a 13-year-old signs up
naming a parent, the parent consents from the email's link, the pupil activates their card
by typing its code (and, on a phone, by filming its QR code), and sees the QR image and the
balance. Each page checked by axe-core and screenshotted at 360 and 1280 px."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date

from playwright.async_api import Page, expect

from domain.cards import codes as card_codes
from domain.core import clock
from models.accounts import User
from tests.browser.partner_space import (
    main_heading,
    open_page,
    path_of,
    sign_in,
)
from tests.browser.support import write_qr_video
from tests.factories import PASSWORD, card_holder, partner_team, young_person
from tests.finance_helpers import debit
from tests.ledger_invariants import assert_ledger_invariants
from tests.support import jobs_done, unique

SIGN_UP = "/inscription"
ACTIVATE = "/mon-espace/activer"


def born_thirteen_years_ago() -> date:
    today = clock.paris_today()
    return (
        date(today.year - 14, 12, 31)
        if (today.month, today.day) < (12, 31)
        else date(today.year - 13, 12, 31)
    )


def consent_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return path_of(next(word for word in body.split() if "consentement-parental" in word))


async def test_a_13_year_old_signs_up_the_parent_consents_the_card_is_activated(
    page: Page, new_page, look_at, mailbox
):
    birth = born_thirteen_years_ago()
    holder = await card_holder(activated=False, birth_date=birth)  # the school's import
    email, parent = f"{unique('lina')}@jeune.test", f"{unique('parent')}@parent.test"

    await open_page(page, SIGN_UP)
    await look_at(page, "form")
    await page.get_by_label("Prénom", exact=True).fill("Jade")
    await page.get_by_label("Nom", exact=True).fill("Vidal")
    await page.get_by_label("Date de naissance").fill(birth.isoformat())
    await page.get_by_label("Code postal de votre domicile").fill("13004")
    await page.get_by_label("Adresse e-mail", exact=True).fill(email)
    await page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Créer mon compte").click()
    # Under 15 without a parent: the parent's fields say so.
    await expect(page.get_by_label("Nom et prénom du parent")).to_have_attribute(
        "aria-invalid", "true"
    )
    await look_at(page, "parent-missing")
    await page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    await page.get_by_label("Nom et prénom du parent").fill("Samia Vidal")
    await page.get_by_label("Adresse e-mail du parent").fill(parent)
    await page.get_by_role("button", name="Créer mon compte").click()

    await expect(page).to_have_url(re.compile(r"/mon-espace/\?bienvenue=1$"))
    await expect(main_heading(page)).to_have_text("Bonjour Jade")
    await expect(page.locator("#consent-status")).to_contain_text("Demande envoyée")
    await look_at(page, "home")

    # The parent opens the link of their email, in their own browser.
    await jobs_done()
    link = consent_link(await mailbox.wait_for(parent))
    parent_page = await new_page()
    await open_page(parent_page, link)
    await parent_page.get_by_role("button", name="Je donne mon accord").click()
    await expect(parent_page.get_by_role("heading", level=1)).to_contain_text("accord")
    await open_page(page, "/mon-espace/")
    await expect(page.locator("#consent-status")).to_contain_text("a donné son accord")

    # The pupil types the code printed on the card.
    await page.get_by_role("link", name="Activer une carte").first.click()
    await expect(main_heading(page)).to_have_text("Activer ma carte")
    await page.get_by_label("Code de la carte").fill(card_codes.format_code(holder.card.code))
    await look_at(page, "activate")
    await page.get_by_role("button", name="Activer ma carte").click()

    await expect(page).to_have_url(re.compile(rf"/mon-espace/cartes/{holder.card.id}"))
    await expect(page.get_by_role("status")).to_contain_text("Votre carte est activée")
    qr = page.locator("#card-qr")
    await expect(qr).to_be_visible()
    # The QR image is drawn by the server (segno): it loads, with a size.
    await page.wait_for_function(
        "() => { const qr = document.querySelector('#card-qr');"
        " return qr.complete && qr.naturalWidth > 0; }"
    )
    await expect(page.locator("#wallet-SPORT_CULTURE_LOISIRS .balance")).to_contain_text("€")
    await expect(page.locator("#holder-name")).to_have_text("Jade Vidal")
    await look_at(page, "card")


async def test_a_phone_films_the_cards_qr_code_to_activate_it(camera_page, tmp_path, look_at):
    holder = await card_holder(activated=False, birth_date=born_thirteen_years_ago())
    person = await young_person(birth_date=holder.beneficiary.birth_date)
    video = write_qr_video(card_codes.qr_payload(holder.card.code), tmp_path / "card.y4m")
    page = await camera_page(video)
    page.set_default_timeout(10_000)
    await page.set_viewport_size({"width": 360, "height": 740})
    await sign_in(page, person)
    await expect(page).to_have_url(re.compile(r"/mon-espace/$"))
    await open_page(page, ACTIVATE)

    await page.get_by_role("button", name="Scanner le QR code avec la caméra").click()

    await expect(page).to_have_url(re.compile(rf"/mon-espace/cartes/{holder.card.id}"))
    await expect(page.locator("#card-code-shown")).to_have_text(
        card_codes.format_code(holder.card.code)
    )
    await look_at(page)


async def test_the_printed_qr_page_invites_to_sign_in(page: Page, look_at):
    await open_page(page, f"/carte/{card_codes.new_code()}")
    await expect(main_heading(page)).to_have_text("Carte CJeune de Provence")
    await look_at(page)


async def test_a_pupil_downloads_their_data_then_closes_their_account(page: Page, look_at, mailbox):
    holder, other = await card_holder(), await card_holder()
    team = await partner_team()
    await debit(team, clock.now(), 1055, holder)
    await debit(team, clock.now(), 300, other)
    await sign_in(page, holder.user)
    await expect(page).to_have_url(re.compile(r"/mon-espace/$"))

    await page.get_by_role("button", name="Recevoir une copie de mes données").click()
    await expect(page.locator("#my-data")).to_contain_text("recevoir par e-mail")
    await jobs_done()
    body = (await mailbox.wait_for(holder.user.email, "données")).get_body(("plain",))
    link = path_of(next(w for w in body.get_content().split() if "/mes-donnees/" in w))
    answer = await page.context.request.get(link)
    assert answer.ok and answer.headers["content-type"] == "application/zip"
    data = json.loads(zipfile.ZipFile(io.BytesIO(await answer.body())).read("donnees.json"))
    assert data["account"]["email"] == holder.user.email
    assert [c["id"] for c in data["cards"]] == [str(holder.card.id)]
    assert other.user.email not in json.dumps(data)

    await page.get_by_role("link", name="Fermer mon compte").click()
    await look_at(page, "close")
    await page.get_by_label("Votre mot de passe, pour confirmer").fill(PASSWORD)
    await page.get_by_role("button", name="Fermer définitivement mon compte").click()
    await expect(main_heading(page)).to_have_text("Votre compte est fermé")
    await look_at(page, "closed")
    await assert_ledger_invariants()
    assert not (await User.get(id=holder.user.id)).is_active
