"""The card holder's photo: the image rules, its states, who decides, where it goes."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from PIL import Image as Pillow
from tortoise.exceptions import IntegrityError

from domain.accounts.viewer import Viewer
from domain.cards import card_photos
from domain.core import clock
from domain.core.errors import DomainError, ErrorCode
from domain.privacy import closure, export
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.cards import CardPhoto, CardPhotoStatus
from models.notifications import Notification
from tests.domain.core.test_images import assert_without_metadata, jpeg_with_gps, png
from tests.factories import PASSWORD, card_holder, staff_member, young_person


@pytest.fixture(autouse=True)
def _started(app):
    """The app configures the job broker the notifications' deliveries go through."""


def stored(settings, photo: CardPhoto) -> bytes:
    return (settings.data_dir / "media" / photo.storage_key).read_bytes()


def exists(settings, photo: CardPhoto) -> bool:
    return (settings.data_dir / "media" / photo.storage_key).exists()


async def holder_and_agent():
    holder = await card_holder()
    agent = Viewer(user=await staff_member(StaffRole.SUPPORT))
    return holder, Viewer(user=holder.user), agent


# --- the image rules -----------------------------------------------------------------


async def test_a_phone_photo_becomes_an_upright_portrait_without_its_gps_position(settings):
    holder, young, _ = await holder_and_agent()
    taken = jpeg_with_gps((4000, 3000), orientation=6)  # the phone held upright: 3000 x 4000

    photo = await card_photos.submit(young, taken, "IMG_0042.jpg")

    assert photo.status == CardPhotoStatus.PENDING
    assert photo.beneficiary_id == holder.beneficiary.id
    assert (photo.width, photo.height) == (480, 640)
    data = stored(settings, photo)
    assert Pillow.open(BytesIO(data)).size == (480, 640)
    assert Pillow.open(BytesIO(data)).format == "WEBP"
    assert_without_metadata(data)
    assert photo.storage_key.startswith("card-photos/")


async def test_a_landscape_photo_is_cropped_to_a_portrait_around_its_centre(settings):
    _, young, _ = await holder_and_agent()
    wide = Pillow.new("RGB", (1200, 900), (0, 0, 255))
    wide.paste((255, 0, 0), (450, 0, 750, 900))  # a red band in the middle: the face
    buffer = BytesIO()
    wide.save(buffer, "PNG")

    photo = await card_photos.submit(young, buffer.getvalue())

    portrait = Pillow.open(BytesIO(stored(settings, photo))).convert("RGB")
    assert portrait.size == (480, 640)
    red, _, blue = portrait.getpixel((240, 320))
    assert red > 200 and blue < 60  # the centre is kept; the blue sides are cut
    assert portrait.getpixel((5, 320))[2] > 200  # some blue left at the edge: 3:4 of 4:3


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (b"Bonjour, ceci n'est pas une photo.\n" * 50, ErrorCode.INVALID_IMAGE, "JPEG, PNG"),
        (png((200, 200)), ErrorCode.INVALID_IMAGE, "au moins 240 × 320"),
        (png((2000, 600)), ErrorCode.INVALID_IMAGE, "portrait"),
        (b"", ErrorCode.INVALID_IMAGE, "vide"),
    ],
    ids=["text", "too-small", "panorama", "empty"],
)
async def test_what_is_not_a_usable_face_photo_is_refused_in_french(settings, content, code, words):
    holder, young, _ = await holder_and_agent()

    with pytest.raises(DomainError) as caught:
        await card_photos.submit(young, content, "photo.jpg")

    assert caught.value.code == code
    assert words in caught.value.message
    assert not await CardPhoto.filter(beneficiary_id=holder.beneficiary.id).exists()


async def test_a_file_above_the_upload_limit_is_refused(settings):
    _, young, _ = await holder_and_agent()
    heavy = b"\xff" * (settings.max_upload_bytes + 1)

    with pytest.raises(DomainError) as caught:
        await card_photos.submit(young, heavy)

    assert caught.value.code == ErrorCode.IMAGE_TOO_LARGE


# --- the states ----------------------------------------------------------------------


async def test_a_new_photo_replaces_the_pending_one_and_its_file(settings):
    holder, young, _ = await holder_and_agent()
    first = await card_photos.submit(young, jpeg_with_gps((900, 1200)))

    second = await card_photos.submit(young, jpeg_with_gps((900, 1200)))

    assert await CardPhoto.filter(beneficiary_id=holder.beneficiary.id).count() == 1
    assert (await CardPhoto.get(id=second.id)).status == CardPhotoStatus.PENDING
    assert not exists(settings, first) and exists(settings, second)


async def test_the_validated_photo_stays_shown_until_a_newer_one_is_validated(settings):
    holder, young, agent = await holder_and_agent()
    first = await card_photos.submit(young, jpeg_with_gps((900, 1200)))
    await card_photos.validate(agent, first.id)

    second = await card_photos.submit(young, jpeg_with_gps((900, 1200)))
    mine = await card_photos.my_photos(young)
    assert mine.shown is not None and mine.shown.id == first.id
    assert mine.latest is not None and mine.latest.id == second.id
    assert (await card_photos.validated_photo(holder.beneficiary.id)).id == first.id

    await card_photos.validate(agent, second.id)

    assert (await card_photos.validated_photo(holder.beneficiary.id)).id == second.id
    assert not await CardPhoto.filter(id=first.id).exists()
    assert not exists(settings, first)
    mine = await card_photos.my_photos(young)
    assert mine.shown.id == second.id and mine.latest is None


async def test_a_refusal_tells_the_young_person_why_in_french_and_is_audited(settings):
    holder, young, agent = await holder_and_agent()
    photo = await card_photos.submit(young, jpeg_with_gps((900, 1200)))

    await card_photos.refuse(agent, photo.id, "blurry_or_dark", "Reprenez-la près d'une fenêtre.")

    refused = await CardPhoto.get(id=photo.id)
    assert refused.status == CardPhotoStatus.REFUSED
    assert refused.decided_by_id == agent.user.id and refused.decided_at is not None
    told = await Notification.get(user_id=holder.user.id, kind="card_photo_decision")
    assert told.title == "Photo refusée"
    assert "floue" in told.body and "Reprenez-la près d'une fenêtre." in told.body
    entry = await AuditEntry.get(action="card_photo.refused", object_id=str(photo.id))
    assert entry.actor_id == agent.user.id
    assert entry.after == {"status": "refused", "reason": "blurry_or_dark"}
    mine = await card_photos.my_photos(young)
    assert mine.shown is None and mine.latest.id == photo.id
    assert "Reprenez-la" in card_photos.refusal_text(mine.latest)


async def test_another_reason_needs_the_agents_words_and_a_reason_from_the_list(settings):
    _, young, agent = await holder_and_agent()
    photo = await card_photos.submit(young, jpeg_with_gps((900, 1200)))

    with pytest.raises(DomainError) as unexplained:
        await card_photos.refuse(agent, photo.id, "other", "  ")
    with pytest.raises(DomainError) as unknown:
        await card_photos.refuse(agent, photo.id, "ugly", "")

    assert unexplained.value.field == "details" and "Précisez" in unexplained.value.message
    assert unknown.value.field == "reason"
    assert (await CardPhoto.get(id=photo.id)).status == CardPhotoStatus.PENDING


async def test_a_validation_is_audited_and_told_and_a_photo_is_decided_once(settings):
    holder, young, agent = await holder_and_agent()
    photo = await card_photos.submit(young, jpeg_with_gps((900, 1200)))

    await card_photos.validate(agent, photo.id)

    assert await AuditEntry.exists(action="card_photo.validated", object_id=str(photo.id))
    told = await Notification.get(user_id=holder.user.id, kind="card_photo_decision")
    assert told.title == "Photo validée"
    with pytest.raises(DomainError) as again:
        await card_photos.refuse(agent, photo.id, "not_the_holder", "")
    assert again.value.code == ErrorCode.INVALID_STATE


async def test_only_support_staff_decide_and_only_the_holder_sends(settings):
    _, young, _ = await holder_and_agent()
    photo = await card_photos.submit(young, jpeg_with_gps((900, 1200)))
    moderator = Viewer(user=await staff_member(StaffRole.MODERATION))
    administrator = Viewer(user=await staff_member(StaffRole.ADMINISTRATOR))

    for who in (young, moderator):
        with pytest.raises(DomainError) as caught:
            await card_photos.validate(who, photo.id)
        assert caught.value.code == ErrorCode.FORBIDDEN
        with pytest.raises(DomainError):
            await card_photos.queue(who)
    with pytest.raises(DomainError) as staff_sending:
        await card_photos.submit(moderator, jpeg_with_gps((900, 1200)))
    assert staff_sending.value.code == ErrorCode.FORBIDDEN
    await card_photos.validate(administrator, photo.id)  # administrators hold every role
    assert (await CardPhoto.get(id=photo.id)).status == CardPhotoStatus.VALIDATED


async def test_a_young_person_without_a_card_is_told_to_activate_one_first(settings):
    newcomer = Viewer(user=await young_person())

    with pytest.raises(DomainError) as caught:
        await card_photos.submit(newcomer, jpeg_with_gps((900, 1200)))

    assert caught.value.code == ErrorCode.INVALID_STATE
    assert "Activez" in caught.value.message


async def test_the_queue_is_oldest_first_and_each_photo_shown_is_audited(settings):
    agent = Viewer(user=await staff_member(StaffRole.SUPPORT))
    sent = []
    for _ in range(2):
        holder = await card_holder()
        sent.append(await card_photos.submit(Viewer(user=holder.user), jpeg_with_gps((900, 1200))))
    await CardPhoto.filter(id=sent[1].id).update(
        submitted_at=sent[0].submitted_at - timedelta(hours=1)
    )

    shown = await card_photos.queue(agent, 50)

    ids = [p.id for p in shown]
    assert ids.index(sent[1].id) < ids.index(sent[0].id)
    for photo in sent:
        entry = await AuditEntry.get(action="card_photo.viewed", object_id=str(photo.id))
        assert entry.actor_id == agent.user.id and entry.after is None


# --- the links -----------------------------------------------------------------------


async def test_a_link_shows_one_photo_for_a_few_minutes_and_a_changed_one_nothing(settings):
    _, young, _ = await holder_and_agent()
    photo = await card_photos.submit(young, jpeg_with_gps((900, 1200)))
    token = card_photos.photo_link(photo).rsplit("/", 1)[1]

    assert await card_photos.read_photo_link(token) == stored(settings, photo)
    with pytest.raises(card_photos.LinkInvalid):
        await card_photos.read_photo_link(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    later = clock.now() + timedelta(minutes=card_photos.PHOTO_LINK_MINUTES, seconds=1)
    with clock.frozen(later), pytest.raises(card_photos.LinkExpired):
        await card_photos.read_photo_link(token)


# --- the account's data --------------------------------------------------------------


async def test_the_copy_of_ones_data_holds_the_photos_and_closing_the_account_erases_them(
    settings,
):
    holder, young, agent = await holder_and_agent()
    shown = await card_photos.submit(young, jpeg_with_gps((900, 1200)))
    await card_photos.validate(agent, shown.id)
    pending = await card_photos.submit(young, jpeg_with_gps((900, 1200)))

    url = await export.build_export(holder.user.id)
    archive = await export.archive_of(export.read_link(url.rsplit("/", 1)[1]))
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        data = json.loads(opened.read("donnees.json"))
        assert {row["id"] for row in data["card_photos"]} == {str(shown.id), str(pending.id)}
        assert opened.read(f"photos/{shown.id}.webp") == stored(settings, shown)
        assert opened.read(f"photos/{pending.id}.webp") == stored(settings, pending)

    await closure.close_account(young, PASSWORD)

    assert not await CardPhoto.filter(beneficiary_id=holder.beneficiary.id).exists()
    assert not exists(settings, shown) and not exists(settings, pending)


async def test_the_database_refuses_two_pending_photos_and_an_unexplained_refusal(settings):
    holder, young, _ = await holder_and_agent()
    photo = await card_photos.submit(young, jpeg_with_gps((900, 1200)))
    row = {
        "beneficiary_id": holder.beneficiary.id,
        "storage_key": "card-photos/00/x.webp",
        "width": 480,
        "height": 640,
        "submitted_by_id": holder.user.id,
        "submitted_at": clock.now(),
    }

    with pytest.raises(IntegrityError):
        await CardPhoto.create(**row, status=CardPhotoStatus.PENDING)
    with pytest.raises(IntegrityError):
        await CardPhoto.filter(id=photo.id).update(
            status=CardPhotoStatus.REFUSED, decided_by_id=holder.user.id, decided_at=clock.now()
        )
    with pytest.raises(IntegrityError):
        await CardPhoto.filter(id=photo.id).update(status=CardPhotoStatus.VALIDATED)
    assert (await CardPhoto.get(id=photo.id)).status == CardPhotoStatus.PENDING
