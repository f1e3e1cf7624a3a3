"""« Ma photo » (the young person sends their card photo, without JavaScript) and the back
office's « Photos à valider » (support staff validate or refuse it with a reason)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx

from domain.accounts.viewer import Viewer
from domain.cards import card_photos
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.cards import CardPhoto, CardPhotoStatus
from models.notifications import Notification
from tests.domain.core.test_images import jpeg_with_gps
from tests.factories import card_holder, partner_team, staff_member
from tests.support import jobs_done
from tests.web.support import Browser, text_of

_IMG = re.compile(r'<img class="card-photo" src="([^"]+)"')


async def send(browser: Browser, content: bytes, name: str = "selfie.jpg") -> httpx.Response:
    """The form as a phone's browser posts it: multipart, the photo in `photo`."""
    response = await browser.http.post(
        "/mon-espace/photo",
        data={"csrf": browser.csrf()},
        files={"photo": (name, content, "image/jpeg" if content else "application/octet-stream")},
    )
    browser.page = response
    return response


async def young_signed_in(browser: Browser):
    holder = await card_holder()
    await browser.sign_in(holder.user.email)
    await browser.get("/mon-espace/photo")
    return holder


# --- « Ma photo » --------------------------------------------------------------------


async def test_the_page_offers_the_phones_front_camera_and_says_the_rules(browser):
    await young_signed_in(browser)

    page = await browser.get("/mon-espace/photo")

    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert 'accept="image/*" capture="user"' in page.text
    assert "Aucune photo validée pour l'instant." in text_of(page)
    assert "au moins 240 × 320 pixels" in text_of(page)
    assert 'aria-current="page">Ma photo' in page.text


async def test_a_photo_sent_waits_for_the_departement_and_is_shown_to_its_owner(browser):
    holder = await young_signed_in(browser)

    sent = await send(browser, jpeg_with_gps((1200, 1600)))

    assert sent.status_code == 303
    page = await browser.follow(sent)
    shown = text_of(page)
    assert "Photo envoyée" in shown and "En cours de vérification" in shown
    photo = await CardPhoto.get(beneficiary_id=holder.beneficiary.id)
    assert photo.status == CardPhotoStatus.PENDING
    image = await browser.http.get(urlsplit(_IMG.search(page.text).group(1)).path)
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"


async def test_a_file_that_is_not_a_photo_is_refused_next_to_the_field(browser):
    holder = await young_signed_in(browser)

    refused = await send(browser, b"Ceci n'est pas une photo.\n" * 40, "photo.jpg")
    empty = await send(browser, b"", "")

    assert refused.status_code == 422
    assert 'id="photo-erreur"' in refused.text and "JPEG, PNG ou WebP" in text_of(refused)
    assert 'aria-invalid="true"' in refused.text
    assert empty.status_code == 422 and "Choisissez une photo" in text_of(empty)
    assert not await CardPhoto.exists(beneficiary_id=holder.beneficiary.id)


async def test_a_refused_photo_shows_its_reason_and_the_validated_one_stays(browser):
    holder = await young_signed_in(browser)
    young, agent = Viewer(user=holder.user), Viewer(user=await staff_member(StaffRole.SUPPORT))
    first = await card_photos.submit(young, jpeg_with_gps((900, 1200)))
    await card_photos.validate(agent, first.id)
    second = await card_photos.submit(young, jpeg_with_gps((900, 1200)))
    await card_photos.refuse(agent, second.id, "several_people", "Vous seul(e), s'il vous plaît.")

    page = await browser.get("/mon-espace/photo")

    shown = text_of(page)
    assert "Validée" in shown and "Refusée" in shown
    assert "Il y a plusieurs personnes sur la photo. Vous seul(e), s'il vous plaît." in shown
    assert len(_IMG.findall(page.text)) == 2


async def test_the_photo_page_is_for_young_people_only(browser):
    team = await partner_team()
    await browser.sign_in(team.principal.email)

    page = await browser.get("/mon-espace/photo")

    assert page.status_code == 403


# --- « Photos à valider » ------------------------------------------------------------


async def support_signed_in(browser: Browser):
    agent = await staff_member(StaffRole.SUPPORT)
    await browser.sign_in(agent.email)
    return agent


async def pending_photo():
    holder = await card_holder()
    photo = await card_photos.submit(Viewer(user=holder.user), jpeg_with_gps((900, 1200)))
    return holder, photo


async def test_support_sees_the_photo_beside_the_name_and_birth_date_and_it_is_audited(browser):
    _, photo = await pending_photo()
    agent = await support_signed_in(browser)

    page = await browser.get("/departement/jeunes/photos")

    assert page.status_code == 200
    item = re.search(
        rf'<li class="panel photo-review" id="photo-{photo.id}">.*?</li>', page.text, re.S
    )
    assert item is not None
    assert "Jade Vidal" in item.group(0) and "02/04/2013" in item.group(0)
    image = await browser.http.get(urlsplit(_IMG.search(item.group(0)).group(1)).path)
    assert image.status_code == 200 and image.headers["cache-control"] == "private, no-store"
    entry = await AuditEntry.get(action="card_photo.viewed", object_id=str(photo.id))
    assert entry.actor_id == agent.id
    linked = await browser.get("/departement/jeunes")
    assert 'href="/departement/jeunes/photos"' in linked.text


async def test_support_validates_a_photo_and_the_young_person_is_told(browser):
    holder, photo = await pending_photo()
    await support_signed_in(browser)
    await browser.get("/departement/jeunes/photos")

    done = await browser.post(
        f"/departement/jeunes/photos/{photo.id}/decision", {"decision": "valider"}
    )

    assert done.status_code == 303
    page = await browser.follow(done)
    assert "La photo est validée" in text_of(page)
    assert f'id="photo-{photo.id}"' not in page.text
    assert (await CardPhoto.get(id=photo.id)).status == CardPhotoStatus.VALIDATED
    assert await Notification.exists(user_id=holder.user.id, kind="card_photo_decision")


async def test_a_refusal_needs_a_reason_and_other_needs_words(browser, mailbox):
    holder, photo = await pending_photo()
    await support_signed_in(browser)
    await browser.get("/departement/jeunes/photos")
    url = f"/departement/jeunes/photos/{photo.id}/decision"

    no_reason = await browser.post(url, {"decision": "refuser", "motif": "", "precision": ""})
    no_words = await browser.post(url, {"decision": "refuser", "motif": "autre", "precision": ""})
    refused = await browser.post(
        url, {"decision": "refuser", "motif": "floue", "precision": "Trop sombre."}
    )

    assert no_reason.status_code == 422 and f'id="motif-{photo.id}-erreur"' in no_reason.text
    assert no_words.status_code == 422 and f'id="precision-{photo.id}-erreur"' in no_words.text
    assert "Précisez le motif" in text_of(no_words)
    assert refused.status_code == 303
    stored = await CardPhoto.get(id=photo.id)
    assert (stored.status, stored.refusal_reason) == (CardPhotoStatus.REFUSED, "blurry_or_dark")
    told = await Notification.get(user_id=holder.user.id, kind="card_photo_decision")
    assert "Trop sombre." in told.body
    await jobs_done()  # the notification's deliveries: the young person's email
    message = await mailbox.wait_for(holder.user.email, "Photo refusée")
    text = message.get_body(("plain",)).get_content()
    assert "La photo est floue, trop sombre ou trop petite. Trop sombre." in text
    assert "Envoyez-en une autre depuis « Ma photo »." in text


async def test_other_staff_meet_the_back_offices_403(browser):
    await pending_photo()
    moderator = await staff_member(StaffRole.MODERATION)
    await browser.sign_in(moderator.email)

    page = await browser.get("/departement/jeunes/photos")

    assert page.status_code == 403
    assert "card-photo" not in page.text


async def test_the_card_page_shows_the_validated_photo_and_leads_to_ma_photo(browser):
    holder = await young_signed_in(browser)
    card_page = f"/mon-espace/cartes/{holder.card.id}"
    before = await browser.get(card_page)
    assert "Ajouter ma photo pour la caisse" in text_of(before)
    assert 'id="holder-photo"' not in before.text
    photo = await card_photos.submit(Viewer(user=holder.user), jpeg_with_gps((900, 1200)))
    await card_photos.validate(Viewer(user=await staff_member(StaffRole.SUPPORT)), photo.id)

    after = await browser.get(card_page)

    found = re.search(r'id="holder-photo" src="([^"]+)"', after.text)
    assert found is not None and found.group(1).startswith("/photos-carte/")
    assert (await browser.http.get(found.group(1))).status_code == 200
    assert "Changer ma photo" in text_of(after)
