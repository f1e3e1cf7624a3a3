"""Image uploads over HTTP (GraphQL multipart requests) and the /media files they become."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import strawberry
from PIL import Image as Pillow
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig

from models.accounts import StaffRole
from models.partners import DelegatePermission
from models.social import Image
from schema import MASKED_MESSAGE, CJeuneSchema, root, should_mask
from schema.images import ImageMutations
from server.graphql_view import CJeuneGraphQL
from server.media_routes import media_routes
from tests.domain.core.test_images import jpeg_with_gps, png
from tests.factories import collaborator, partner_team, staff_member, token_for, young_person
from tests.support import GraphQLClient, serving

UPLOAD = """mutation Upload($partnerId: ID, $purpose: ImagePurpose!, $file: Upload!) {
  uploadImage(partnerId: $partnerId, purpose: $purpose, file: $file) {
    __typename
    ... on ImageUploaded { image { id width height small: url(size: SMALL) url } }
    ... on UserError { code message field }
  }
}"""
PREFLIGHT = {"Apollo-Require-Preflight": "true"}


# Until the root Mutation composes ImageMutations, the tests add it themselves.
_bases = (
    (root.Mutation,) if hasattr(root.Mutation, "upload_image") else (root.Mutation, ImageMutations)
)
UploadMutation = strawberry.type(type("Mutation", _bases, {}))


@pytest.fixture(scope="module")
def upload_app(app, settings) -> Starlette:
    """The GraphQL view (with uploads) and the media routes, as the real app serves them."""
    schema = CJeuneSchema(
        query=root.Query,
        mutation=UploadMutation,
        subscription=root.Subscription,
        extensions=[
            lambda: MaskErrors(should_mask_error=should_mask, error_message=MASKED_MESSAGE)
        ],
        config=StrawberryConfig(disable_field_suggestions=True),
    )
    view = CJeuneGraphQL(schema, settings)
    return Starlette(routes=[Route("/graphql", view, methods=["GET", "POST"]), *media_routes])


@pytest.fixture
async def http(upload_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=upload_app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def token(http: httpx.AsyncClient, user) -> str:
    return await token_for(GraphQLClient(http), user)


def multipart(
    variables: dict[str, Any], file: tuple[str, Any, str]
) -> tuple[dict[str, str], dict[str, Any]]:
    """The form fields and file of a GraphQL multipart request (variables.file is the file)."""
    operations = {"query": UPLOAD, "variables": {**variables, "file": None}}
    return {"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})}, {
        "0": file
    }


async def upload(
    http: httpx.AsyncClient,
    bearer: str | None,
    variables: dict[str, Any],
    file: tuple[str, Any, str],
    headers: dict[str, str] = PREFLIGHT,
) -> httpx.Response:
    data, files = multipart(variables, file)
    all_headers = dict(headers)
    if bearer:
        all_headers["authorization"] = f"Bearer {bearer}"
    return await http.post("/graphql", data=data, files=files, headers=all_headers)


def media_files(settings) -> set[Path]:
    root_dir = settings.data_dir / "media"
    return {p for p in root_dir.rglob("*") if p.is_file()} if root_dir.exists() else set()


async def nothing_stored_since(settings, files: set[Path], rows: int) -> None:
    assert media_files(settings) == files
    assert await Image.all().count() == rows


# --- uploading ------------------------------------------------------------------------


async def test_a_delegate_uploads_a_logo_and_the_app_loads_it_from_media(settings, http):
    team = await partner_team()
    bearer = await token(http, team.principal)

    response = await upload(
        http,
        bearer,
        {"partnerId": str(team.partner.id), "purpose": "LOGO"},
        ("logo.png", png((600, 600)), "image/png"),
    )

    assert response.status_code == 200
    answer = response.json()["data"]["uploadImage"]
    assert answer["__typename"] == "ImageUploaded", answer
    image = answer["image"]
    assert (image["width"], image["height"]) == (512, 512)
    small_path = urlsplit(image["small"]).path
    assert small_path.startswith("/media/images/") and small_path.endswith("-small.webp")
    row = await Image.get(id=image["id"])
    assert row.partner_id == team.partner.id

    served = await http.get(small_path)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.content == (settings.data_dir / "media" / row.variants["small"]).read_bytes()
    assert Pillow.open(BytesIO(served.content)).size == (96, 96)


async def test_a_photo_sent_as_a_post_image_arrives_without_its_gps_position(settings, http):
    team = await partner_team()
    author = await collaborator(team, DelegatePermission.OFFERS_AND_POSTS)

    response = await upload(
        http,
        await token(http, author),
        {"partnerId": str(team.partner.id), "purpose": "POST"},
        ("IMG_2041.JPG", jpeg_with_gps((2400, 1800)), "image/jpeg"),
    )

    image = response.json()["data"]["uploadImage"]["image"]
    assert (image["width"], image["height"]) == (1600, 1200)
    served = await http.get(urlsplit(image["url"]).path)  # medium by default
    assert Pillow.open(BytesIO(served.content)).size == (800, 600)
    assert not Pillow.open(BytesIO(served.content)).getexif()
    assert b"GPS" not in served.content and b"Fairphone" not in served.content


async def test_a_text_file_named_photo_jpg_gets_a_clear_error(settings, http):
    team = await partner_team()
    files, rows = media_files(settings), await Image.all().count()

    response = await upload(
        http,
        await token(http, team.principal),
        {"partnerId": str(team.partner.id), "purpose": "POST"},
        ("photo.jpg", b"GIF89a? non, juste du texte.\n" * 20, "image/jpeg"),
    )

    assert response.json()["data"]["uploadImage"] == {
        "__typename": "UserError",
        "code": "INVALID_IMAGE",
        "message": "Ce fichier n'est pas une image JPEG, PNG ou WebP.",
        "field": "file",
    }
    await nothing_stored_since(settings, files, rows)


async def test_people_without_the_right_get_forbidden_and_nothing_is_stored(settings, http):
    team = await partner_team()
    other = await partner_team(name="Théâtre")
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    jeune = await young_person()
    moderator = await staff_member(StaffRole.MODERATION)
    files, rows = media_files(settings), await Image.all().count()
    photo = ("photo.jpg", jpeg_with_gps((1200, 900)), "image/jpeg")
    on_team = str(team.partner.id)

    for user, variables in [
        (other.principal, {"partnerId": on_team, "purpose": "BANNER"}),
        (cashier, {"partnerId": on_team, "purpose": "POST"}),
        (jeune, {"partnerId": on_team, "purpose": "OFFER"}),
        (jeune, {"purpose": "HIGHLIGHT"}),
    ]:
        response = await upload(http, await token(http, user), variables, photo)
        answer = response.json()["data"]["uploadImage"]
        assert answer["__typename"] == "UserError" and answer["code"] == "FORBIDDEN", answer
        assert "permission" in answer["message"] or "Département" in answer["message"]

    anonymous = await upload(http, None, {"partnerId": on_team, "purpose": "POST"}, photo)
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await nothing_stored_since(settings, files, rows)

    allowed = await upload(http, await token(http, moderator), {"purpose": "HIGHLIGHT"}, photo)
    assert allowed.json()["data"]["uploadImage"]["__typename"] == "ImageUploaded"


# --- CSRF and size guards -------------------------------------------------------------


async def test_a_cross_site_form_post_cannot_upload(settings, http):
    """What a page of another site can send without a CORS preflight: a form (multipart,
    urlencoded or text/plain) with no custom header. Even carrying a valid token, refused."""
    team = await partner_team()
    bearer = await token(http, team.principal)
    files, rows = media_files(settings), await Image.all().count()
    variables = {"partnerId": str(team.partner.id), "purpose": "LOGO"}
    form = {"Origin": "https://pirate.example", "Referer": "https://pirate.example/form.html"}

    response = await upload(
        http, bearer, variables, ("logo.png", png((400, 400)), "image/png"), form
    )

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "CSRF_PREFLIGHT_REQUIRED"
    assert "Apollo-Require-Preflight" in error["message"]
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        simple = await http.post(
            "/graphql",
            content=json.dumps({"query": UPLOAD, "variables": variables}),
            headers={**form, "content-type": content_type, "authorization": f"Bearer {bearer}"},
        )
        assert simple.status_code == 400
    await nothing_stored_since(settings, files, rows)


async def test_a_file_over_the_limit_is_refused_with_a_clear_error(settings, http):
    team = await partner_team()
    files, rows = media_files(settings), await Image.all().count()
    too_heavy = png((256, 256)) + b"\0" * settings.max_upload_bytes

    response = await upload(
        http,
        await token(http, team.principal),
        {"partnerId": str(team.partner.id), "purpose": "LOGO"},
        ("logo.png", too_heavy, "image/png"),
    )

    answer = response.json()["data"]["uploadImage"]
    assert answer["code"] == "IMAGE_TOO_LARGE"
    assert answer["message"] == "Le fichier dépasse 8 Mo."
    await nothing_stored_since(settings, files, rows)


async def test_a_huge_body_is_cut_off_while_it_arrives(settings, http, upload_app):
    team = await partner_team()
    bearer = await token(http, team.principal)
    data, _ = multipart({"partnerId": str(team.partner.id), "purpose": "POST"}, ("", b"", ""))
    boundary = "cjeune-test-boundary"
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in data.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    )
    chunk, sent = b"\xff" * (1024 * 1024), 0
    total = 64  # MiB: far more than the view lets in

    async def endless_body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield head.encode()
        for _ in range(total):
            sent += 1
            yield chunk

    headers = {
        **PREFLIGHT,
        "authorization": f"Bearer {bearer}",
        "content-type": f"multipart/form-data; boundary={boundary}",
    }
    streamed = await http.post("/graphql", content=endless_body(), headers=headers)
    assert streamed.status_code == 413
    assert streamed.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert sent <= settings.max_upload_bytes // len(chunk) + 2  # stopped at the limit

    declared = await http.post(
        "/graphql",
        content=b"x",
        headers={**headers, "content-length": str(200 * 1024 * 1024)},
    )
    assert declared.status_code == 413


# --- serving /media -------------------------------------------------------------------


async def raw_get(address: str, target: str) -> int:
    """The status of a GET sent byte for byte (no client-side path normalisation)."""
    host, port = address.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return int(status_line.split()[1])


async def test_media_refuses_unknown_keys_and_paths_leaving_its_folder(settings, upload_app):
    secret = settings.data_dir / "secret.txt"
    secret.write_text("SECRET_KEY=ne-pas-montrer")
    (settings.data_dir / "media" / "images").mkdir(parents=True, exist_ok=True)
    async with serving(upload_app) as address:
        for target in [
            "/media/images/00/inconnu-small.webp",
            "/media/../secret.txt",
            "/media/images/../../secret.txt",
            "/media/%2e%2e/secret.txt",
            "/media/images/..%2f..%2fsecret.txt",
            "/media/images%2f..%2f..%2fsecret.txt",
            "/media//etc/passwd",
            "/media/%2fetc%2fpasswd",
            "/media/images/..\\..\\secret.txt",
        ]:
            assert await raw_get(address, target) == 404, target
