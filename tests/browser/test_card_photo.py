"""The card photo in Chromium, end to end: a young person sends their photo from « Ma photo »
(a plain file field that opens the phone's front camera), a support agent validates it in
« Photos à valider », and a partner's till then shows it at the card's lookup for the
identity check. Each page checked by axe-core and screenshotted at 360 and 1280 px."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw
from playwright.async_api import Page, expect

from models.accounts import StaffRole
from models.cards import CardPhoto, CardPhotoStatus
from tests.browser.backoffice import staff_signed_in
from tests.browser.partner_space import TILL, open_page, sign_in, sign_out
from tests.factories import card_holder, till

PHOTO_PAGE = "/mon-espace/photo"
QUEUE = "/departement/jeunes/photos"


def selfie(folder: Path) -> Path:
    """A phone's portrait photo: a face-coloured oval on a light wall, 1200 x 1600."""
    picture = Image.new("RGB", (1200, 1600), (225, 230, 235))
    face = Image.new("RGB", (500, 650), (224, 172, 140))
    mask = Image.new("L", face.size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, *face.size), fill=255)
    picture.paste(face, (350, 400), mask)
    path = folder / "selfie.jpg"
    picture.save(path, "JPEG", quality=90)
    return path


async def natural_width(page: Page, selector: str) -> int:
    """The width the browser decoded: 0 when the image did not load (refused, broken)."""
    return int(await page.locator(selector).first.evaluate("img => img.naturalWidth"))


async def test_a_photo_sent_validated_then_shown_at_the_partners_till(
    page: Page, new_page, look_at, tmp_path
):
    holder = await card_holder()
    _, cashier = await till()

    # The young person sends their photo, on a phone-sized screen.
    await page.set_viewport_size({"width": 360, "height": 800})
    await sign_in(page, holder.user)
    await open_page(page, PHOTO_PAGE)
    field = page.get_by_label("Ma photo", exact=True)
    await expect(field).to_have_attribute("capture", "user")
    await expect(page.locator("#shown-state")).to_have_text("Aucune photo validée pour l'instant.")
    await look_at(page, "empty")
    await field.set_input_files(selfie(tmp_path))
    await page.get_by_role("button", name="Envoyer ma photo").click()
    await expect(page.get_by_role("status")).to_contain_text("Photo envoyée")
    await expect(page.locator("#latest-state")).to_contain_text("En cours de vérification")
    assert await natural_width(page, "#photo-latest img") == 480
    await look_at(page, "pending")
    photo = await CardPhoto.get(beneficiary_id=holder.beneficiary.id)
    assert photo.status == CardPhotoStatus.PENDING
    await sign_out(page)

    # A support agent validates it, beside the holder's name and birth date.
    agent_page = await new_page()
    await staff_signed_in(agent_page, StaffRole.SUPPORT)
    await open_page(agent_page, "/departement/jeunes")
    await agent_page.get_by_role("link", name="Photos à valider").click()
    item = agent_page.locator(f"#photo-{photo.id}")
    await expect(item).to_contain_text("Jade Vidal")
    await expect(item).to_contain_text("02/04/2013")
    assert await natural_width(agent_page, f"#photo-{photo.id} img") == 480
    await look_at(agent_page, "queue")
    await item.get_by_role("button", name="Valider la photo").click()
    await expect(agent_page.get_by_role("status")).to_contain_text("La photo est validée")
    await expect(agent_page.locator(f"#photo-{photo.id}")).to_have_count(0)
    assert (await CardPhoto.get(id=photo.id)).status == CardPhotoStatus.VALIDATED

    # The partner's till shows it at the card's lookup.
    till_page = await new_page()
    await sign_in(till_page, cashier)
    await open_page(till_page, TILL)
    await till_page.locator("#card-code").fill(holder.card.code)
    await till_page.locator("#lookup-button").click()
    holder_box = till_page.locator("#holder")
    await expect(holder_box).to_contain_text("Jade")
    shown = holder_box.get_by_role("img", name="Photo de Jade Vidal")
    await expect(shown).to_be_visible()
    assert await natural_width(till_page, "#holder img") == 480
    await expect(holder_box).to_contain_text("et sa photo")
    await look_at(till_page, "lookup")

    # The young person sees it as the one partners see.
    await sign_in(page, holder.user)
    await open_page(page, PHOTO_PAGE)
    await expect(page.locator("#shown-state")).to_contain_text("Validée")
    assert await natural_width(page, "#photo-shown img") == 480
    await look_at(page, "validated")
