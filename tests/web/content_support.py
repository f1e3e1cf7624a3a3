"""What the tests of the partner's content pages share: pictures to upload, multipart posts
with the page's CSRF token, the département's moderation through the API."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import httpx
from PIL import Image

from domain.core import clock
from domain.offers.editing import school_year_start
from models.accounts import StaffRole
from models.offers import Offer
from server import viewer_listener
from tests.factories import staff_member, token_for
from tests.support import GraphQLClient
from tests.web.support import Browser

MODERATE = """
mutation Moderate($revisionId: ID!, $approve: Boolean!, $reason: String) {
  moderate(revisionId: $revisionId, approve: $approve, reason: $reason) {
    __typename
    ... on OfferSuccess { offer { id status } }
    ... on UserError { code message }
  }
}
"""


def picture(width: int = 640, height: int = 400, colour: str = "#b00012") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def validity() -> tuple[date, date]:
    """From today to a week later, within this school year."""
    today = clock.paris_today()
    year_end = date(school_year_start(today).year + 1, 8, 31)
    return today, min(today + timedelta(days=7), year_end)


def deal_fields(**changes: str) -> dict[str, str]:
    starts, ends = validity()
    fields = {
        "type": "DISCOUNT_PERCENT",
        "pourcentage": "20",
        "theme": "CULTURE",
        "titre": "-20 % sur les places",
        "description": "Sur présentation de la carte, toutes les séances.",
        "conditions": "",
        "debut": starts.isoformat(),
        "fin": ends.isoformat(),
        "infos": "Du mardi au dimanche, de 14 h à 22 h.",
        "lieux": "1",
        "lieu-0-nom": "Salle 1",
        "lieu-0-rue": "1 rue de Rome",
        "lieu-0-cp": "13001",
        "lieu-0-ville": "Marseille",
        "action": "brouillon",
    }
    fields.update(changes)
    return fields


async def post_with_files(
    browser: Browser,
    url: str,
    data: dict[str, str | list[str]],
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> httpx.Response:
    """A multipart form post, as a browser sends a form with file fields."""
    await viewer_listener.settle()
    form: dict[str, Any] = {"csrf": browser.csrf(), **data}
    # httpx sends a multipart body only with files; an empty file field is what a browser
    # sends for a file input left empty.
    sent = files or {"nouveau-visuel-1": ("", b"", "application/octet-stream")}
    response = await browser.http.post(url, data=form, files=sent)
    if response.headers.get("content-type", "").startswith("text/html"):
        browser.page = response
    return response


async def moderate(
    gql: GraphQLClient, offer_id: str, approve: bool, reason: str | None = None
) -> dict[str, Any]:
    """The département's decision on the offer's working version, through the API."""
    moderator = await staff_member(StaffRole.MODERATION)
    token = await token_for(gql, moderator)
    offer = await Offer.get(id=offer_id)
    answer = await gql.as_(token).post(
        MODERATE,
        {"revisionId": str(offer.working_revision_id), "approve": approve, "reason": reason},
    )
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["moderate"]
    assert payload["__typename"] == "OfferSuccess", payload
    return payload


def offer_id_of(location: str) -> str:
    found = re.search(r"/([0-9a-f-]{36})(?:\?|$)", location)
    assert found, location
    return found.group(1)
