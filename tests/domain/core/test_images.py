"""Uploaded images: real Pillow on real files, real storage folder, real database."""

from __future__ import annotations

import asyncio
import re
import struct
import uuid
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image as Pillow
from PIL import ImageCms

from domain.accounts.viewer import Viewer
from domain.core import images
from domain.core.errors import DomainError, ErrorCode
from infra.storage import LocalStorage, get_storage, use_storage
from models.accounts import StaffRole, User
from models.partners import Delegate, DelegatePermission, DelegateStatus
from models.social import Image, ImagePurpose
from tests.factories import collaborator, partner_team, staff_member, young_person

KEY = re.compile(r"images/[0-9a-f]{2}/[0-9a-f-]{36}-(small|medium|large)\.webp")
GPS_IFD = 0x8825


# --- pictures made for the tests -----------------------------------------------------


def jpeg_with_gps(size: tuple[int, int] = (3000, 2000), orientation: int = 1) -> bytes:
    """A camera-like JPEG: maker, orientation and GPS position in its EXIF, an ICC profile."""
    picture = Pillow.new("RGB", size, (200, 40, 40))
    exif = Pillow.Exif()
    exif[0x010F] = "Fairphone"  # Make
    exif[0x0112] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (43.0, 17.0, 48.0)  # the Vieux-Port
    gps[3], gps[4] = "E", (5.0, 22.0, 26.0)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = BytesIO()
    picture.save(buffer, "JPEG", exif=exif, icc_profile=srgb, quality=90)
    data = buffer.getvalue()
    assert Pillow.open(BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the test has teeth
    return data


def png(size: tuple[int, int], mode: str = "RGBA", colour=(10, 120, 200, 128)) -> bytes:
    buffer = BytesIO()
    Pillow.new(mode, size, colour if mode == "RGBA" else colour[:3]).save(buffer, "PNG")
    return buffer.getvalue()


def png_header_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width x height black pixels: a few kilobytes that would take
    width x height bytes (and more) once decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    row = b"\0" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def webp_chunks(data: bytes) -> list[bytes]:
    """The RIFF chunk names of a WebP file (EXIF, XMP and ICCP would carry metadata)."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    names, offset = [], 12
    while offset + 8 <= len(data):
        name, size = (
            data[offset : offset + 4],
            struct.unpack("<I", data[offset + 4 : offset + 8])[0],
        )
        names.append(name)
        offset += 8 + size + (size & 1)
    return names


def assert_without_metadata(data: bytes) -> None:
    assert set(webp_chunks(data)) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}
    decoded = Pillow.open(BytesIO(data))
    assert not decoded.getexif()
    assert not {"exif", "icc_profile", "xmp"} & decoded.info.keys()
    assert b"Fairphone" not in data and b"GPS" not in data


# --- helpers -------------------------------------------------------------------------


async def viewer_of(user: User) -> Viewer:
    delegations = await Delegate.filter(user_id=user.id, status=DelegateStatus.ACTIVE)
    return Viewer(user=user, delegations={d.partner_id: d for d in delegations})


def media_files(settings) -> set[Path]:
    root = settings.data_dir / "media"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture(autouse=True)
def _started(app):
    """The app configures the job broker the factories' emails go through."""


@pytest.fixture
async def publisher(settings):
    """A partner and a delegate allowed to publish posts and offers (not its profile)."""
    team = await partner_team()
    user = await collaborator(team, DelegatePermission.OFFERS_AND_POSTS)
    return team.partner, await viewer_of(user)


async def assert_refused(settings, call, code: ErrorCode, message_part: str) -> DomainError:
    files, rows = media_files(settings), await Image.all().count()
    with pytest.raises(DomainError) as caught:
        await call
    assert caught.value.code == code
    assert message_part in caught.value.message
    assert media_files(settings) == files
    assert await Image.all().count() == rows
    return caught.value


# --- the good path -------------------------------------------------------------------


async def test_a_phone_photo_is_turned_upright_resized_and_loses_its_gps_position(
    settings, publisher
):
    partner, viewer = publisher
    photo = jpeg_with_gps((3000, 2000), orientation=6)  # taken holding the phone upright

    image = await images.store_image(viewer, partner.id, ImagePurpose.POST, photo, "IMG_0042.jpg")

    row = await Image.get(id=image.id)
    assert row.partner_id == partner.id and row.uploaded_by_id == viewer.user.id
    assert (row.width, row.height) == (1067, 1600)  # the large variant, portrait
    assert set(row.variants) == {"small", "medium", "large"}
    expected = {"small": (213, 320), "medium": (533, 800), "large": (1067, 1600)}
    for name, key in row.variants.items():
        assert KEY.fullmatch(key) and key.endswith(f"-{name}.webp")
        data = (settings.data_dir / "media" / key).read_bytes()
        decoded = Pillow.open(BytesIO(data))
        assert decoded.format == "WEBP"
        assert decoded.size == expected[name]
        assert decoded.getpixel((decoded.width // 2, decoded.height // 2))[0] > 150  # still red
        assert_without_metadata(data)


async def test_a_png_named_like_a_jpeg_is_read_for_what_it_is(settings):
    team = await partner_team()
    viewer = await viewer_of(team.principal)  # the principal holds every permission

    image = await images.store_image(
        viewer, team.partner.id, ImagePurpose.LOGO, png((300, 260)), "logo.jpg"
    )

    sizes = {}
    for name, key in image.variants.items():
        decoded = Pillow.open(settings.data_dir / "media" / key)
        sizes[name] = decoded.size
        assert decoded.mode == "RGBA"  # the transparency is kept
    assert sizes == {"small": (96, 96), "medium": (256, 256), "large": (260, 260)}  # not enlarged


async def test_a_banner_is_cropped_to_three_by_one_and_never_enlarged(settings):
    team = await partner_team()
    viewer = await viewer_of(team.principal)
    photo = jpeg_with_gps((2000, 900))

    image = await images.store_image(viewer, team.partner.id, ImagePurpose.BANNER, photo, None)

    sizes = {
        name: Pillow.open(settings.data_dir / "media" / key).size
        for name, key in image.variants.items()
    }
    assert sizes == {"medium": (1200, 400), "large": (2000, 667)}


async def test_an_animated_png_keeps_its_first_frame(settings, publisher):
    partner, viewer = publisher
    red, blue = Pillow.new("RGB", (400, 400), "red"), Pillow.new("RGB", (400, 400), "blue")
    buffer = BytesIO()
    red.save(buffer, "PNG", save_all=True, append_images=[blue], duration=100, loop=0)
    assert Pillow.open(BytesIO(buffer.getvalue())).n_frames == 2
    buffer.seek(0)  # an ordinary open file, read as it comes

    image = await images.store_image(viewer, partner.id, ImagePurpose.OFFER, buffer, "anim.png")

    decoded = Pillow.open(settings.data_dir / "media" / image.variants["medium"])
    assert not getattr(decoded, "is_animated", False)
    assert decoded.convert("RGB").getpixel((200, 200))[0] > 200  # red, the first frame


async def test_marketing_staff_upload_highlight_images_for_the_departement(settings):
    agent = await staff_member(StaffRole.MARKETING)

    image = await images.store_image(
        Viewer(user=agent), None, ImagePurpose.HIGHLIGHT, jpeg_with_gps((1600, 900)), None
    )

    assert image.partner_id is None
    assert (await images.image_for(None, image.id, [ImagePurpose.HIGHLIGHT])).id == image.id


async def test_the_server_keeps_answering_while_a_photo_is_processed(settings, publisher):
    partner, viewer = publisher
    photo = jpeg_with_gps((4000, 3000))
    loop = asyncio.get_running_loop()
    gaps: list[float] = []

    async def heartbeat() -> None:
        while True:
            before = loop.time()
            await asyncio.sleep(0.005)
            gaps.append(loop.time() - before)

    beating = asyncio.create_task(heartbeat())
    await asyncio.sleep(0.02)  # beating
    started = loop.time()
    await images.store_image(viewer, partner.id, ImagePurpose.POST, photo)
    elapsed = loop.time() - started
    beating.cancel()

    assert elapsed > 0.15  # long enough for the measure to mean something
    assert max(gaps) < elapsed / 2  # Pillow ran beside the event loop, not on it


# --- refusals: nothing is left behind -------------------------------------------------


async def test_a_text_file_named_photo_jpg_is_refused(settings, publisher):
    partner, viewer = publisher
    text = b"Bonjour, ceci n'est pas une photo.\n" * 50
    call = images.store_image(viewer, partner.id, ImagePurpose.POST, text, "photo.jpg")
    error = await assert_refused(settings, call, ErrorCode.INVALID_IMAGE, "JPEG, PNG ou WebP")
    assert error.field == "file"


async def test_a_truncated_jpeg_is_refused(settings, publisher):
    partner, viewer = publisher
    photo = jpeg_with_gps((1000, 800))
    call = images.store_image(viewer, partner.id, ImagePurpose.POST, photo[: len(photo) // 2])
    await assert_refused(settings, call, ErrorCode.INVALID_IMAGE, "illisible")


async def test_an_empty_file_is_refused(settings, publisher):
    partner, viewer = publisher
    call = images.store_image(viewer, partner.id, ImagePurpose.POST, b"", "vide.png")
    await assert_refused(settings, call, ErrorCode.INVALID_IMAGE, "vide")


class EndlessUpload:
    """A file that never ends: counts what was read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    async def read(self, size: int = -1) -> bytes:
        assert size > 0, "the upload must be read in chunks"
        self.read_bytes += size
        return b"\xff" * size


async def test_an_oversized_file_is_refused_before_being_read_to_the_end(settings, publisher):
    partner, viewer = publisher
    upload = EndlessUpload()
    call = images.store_image(viewer, partner.id, ImagePurpose.POST, upload, "huge.jpg")
    await assert_refused(settings, call, ErrorCode.IMAGE_TOO_LARGE, "8 Mo")
    assert upload.read_bytes <= settings.max_upload_bytes + images.READ_CHUNK


@pytest.mark.parametrize(
    "size",
    [(20_000, 20_000), (7_000, 6_000)],  # beyond Pillow's own limit; beyond only ours (40 MP)
    ids=["400-megapixels", "42-megapixels"],
)
async def test_a_pixel_bomb_is_refused_without_being_decoded(settings, publisher, size):
    partner, viewer = publisher
    bomb = png_header_bomb(*size)
    assert len(bomb) < 200_000
    call = images.store_image(viewer, partner.id, ImagePurpose.POST, bomb, "bomb.png")
    await assert_refused(settings, call, ErrorCode.IMAGE_TOO_LARGE, "40 mégapixels")


async def test_a_logo_too_small_or_a_banner_too_tall_is_refused(settings):
    team = await partner_team()
    viewer = await viewer_of(team.principal)
    small = images.store_image(viewer, team.partner.id, ImagePurpose.LOGO, png((150, 150)))
    await assert_refused(settings, small, ErrorCode.INVALID_IMAGE, "au moins 200 × 200")
    square = images.store_image(
        viewer, team.partner.id, ImagePurpose.BANNER, jpeg_with_gps((1500, 1500))
    )
    await assert_refused(settings, square, ErrorCode.INVALID_IMAGE, "plus large que haute")


async def test_only_the_right_people_may_upload(settings):
    team = await partner_team()
    other = await partner_team(name="Club")
    cashier = await viewer_of(await collaborator(team, DelegatePermission.TRANSACTIONS))
    publisher = await viewer_of(await collaborator(team, DelegatePermission.OFFERS_AND_POSTS))
    outsider = await viewer_of(other.principal)
    jeune = Viewer(user=await young_person())
    support = Viewer(user=await staff_member(StaffRole.SUPPORT))
    photo = jpeg_with_gps((1200, 800))
    refused = [
        (cashier, team.partner.id, ImagePurpose.POST, "offres et publications"),
        (publisher, team.partner.id, ImagePurpose.LOGO, "profil"),
        (outsider, team.partner.id, ImagePurpose.BANNER, "profil"),
        (jeune, team.partner.id, ImagePurpose.POST, "offres et publications"),
        (jeune, None, ImagePurpose.HIGHLIGHT, "Département"),
        (support, None, ImagePurpose.HIGHLIGHT, "Département"),
        (Viewer(), None, ImagePurpose.HIGHLIGHT, "Département"),
    ]
    for viewer, partner_id, purpose, message in refused:
        call = images.store_image(viewer, partner_id, purpose, photo)
        await assert_refused(settings, call, ErrorCode.FORBIDDEN, message)


class FailingStorage:
    """The local folder, except that the Nth save fails (a full disk, a network store down)."""

    def __init__(self, inner: LocalStorage, fail_on: int) -> None:
        self.inner, self.fail_on, self.saves = inner, fail_on, 0

    async def save(self, key: str, data: bytes, content_type: str) -> None:
        self.saves += 1
        if self.saves == self.fail_on:
            raise OSError(28, "No space left on device")
        await self.inner.save(key, data, content_type)

    async def read(self, key: str) -> bytes:
        return await self.inner.read(key)

    async def delete(self, key: str) -> None:
        await self.inner.delete(key)

    async def exists(self, key: str) -> bool:
        return await self.inner.exists(key)


async def test_a_failed_save_leaves_no_file_and_no_row(settings, publisher):
    partner, viewer = publisher
    files, rows = media_files(settings), await Image.all().count()
    storage = FailingStorage(get_storage(), fail_on=3)
    use_storage(storage)
    try:
        with pytest.raises(OSError):
            await images.store_image(viewer, partner.id, ImagePurpose.POST, jpeg_with_gps())
    finally:
        use_storage(None)
    assert storage.saves == 3  # two variants were written before the failure
    assert media_files(settings) == files
    assert await Image.all().count() == rows


async def test_a_failed_insert_leaves_no_file(settings, publisher):
    _, viewer = publisher
    files, rows = media_files(settings), await Image.all().count()
    ghost = uuid.uuid4()  # a partner that does not exist: the foreign key refuses the row
    viewer.delegations[ghost] = next(iter(viewer.delegations.values()))
    with pytest.raises(Exception, match=r"(?i)foreign key|constraint"):
        await images.store_image(viewer, ghost, ImagePurpose.POST, jpeg_with_gps((800, 600)))
    assert media_files(settings) == files
    assert await Image.all().count() == rows


# --- attaching an image ---------------------------------------------------------------


async def test_an_image_is_attached_only_by_its_partner_and_for_its_purpose(settings, publisher):
    partner, viewer = publisher
    other = await partner_team(name="Librairie")
    image = await images.store_image(
        viewer, partner.id, ImagePurpose.POST, jpeg_with_gps((800, 600))
    )

    found = await images.image_for(partner.id, image.id, [ImagePurpose.POST, ImagePurpose.OFFER])
    assert found.id == image.id
    for partner_id, purposes in [
        (other.partner.id, [ImagePurpose.POST]),
        (partner.id, [ImagePurpose.LOGO]),
        (None, [ImagePurpose.POST]),
    ]:
        with pytest.raises(DomainError) as caught:
            await images.image_for(partner_id, image.id, purposes)
        assert caught.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(DomainError):
        await images.image_for(partner.id, uuid.uuid4(), [ImagePurpose.POST])
