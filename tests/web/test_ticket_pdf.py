"""A ticket reprinted as a PDF sized for a 58 or 80 mm roll, from the partner space."""

from __future__ import annotations

import re
import zlib

import pytest

from tests.factories import card_holder, till
from tests.web.support import Browser
from tests.web.test_transactions import debit

POINTS_PER_MM = 72 / 25.4


def _width_mm(pdf: bytes) -> float:
    box = re.search(rb"/MediaBox\s*\[\s*0(?:\.0+)?\s+0(?:\.0+)?\s+([\d.]+)\s+([\d.]+)", pdf)
    assert box, pdf[:400]
    return float(box.group(1)) / POINTS_PER_MM


def _page_text(pdf: bytes) -> bytes:
    """The page's content streams, inflated, with the PDF string escapes undone."""
    out = b""
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out += zlib.decompress(stream)
        except zlib.error:
            out += stream
    return re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), out)


async def test_a_ticket_downloads_as_a_pdf_for_58_and_80_mm(browser: Browser):
    _, cashier = await till()
    await browser.sign_in(cashier.email)
    transaction = await debit(browser, await card_holder(), "12,50")
    page = await browser.get(f"/partenaires/transactions/{transaction.id}/ticket?largeur=80")
    assert f"/partenaires/transactions/{transaction.id}/ticket.pdf?largeur=80" in page.text

    for paper, width in (("58", 58), ("80", 80)):
        answer = await browser.get(
            f"/partenaires/transactions/{transaction.id}/ticket.pdf?largeur={paper}"
        )
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.content.startswith(b"%PDF-")
        assert round(_width_mm(answer.content)) == width
        text = _page_text(answer.content)
        assert transaction.reference.encode() in text and b"12,50 \x80" in text  # € in 1252
        assert b"R\xe9f." in text  # « Réf. », é in Windows-1252


async def test_another_partner_s_ticket_is_not_found(browser: Browser, other_browser: Browser):
    _, cashier = await till()
    await browser.sign_in(cashier.email)
    transaction = await debit(browser, await card_holder(), "3")
    _, stranger = await till()
    await other_browser.sign_in(stranger.email)
    answer = await other_browser.get(f"/partenaires/transactions/{transaction.id}/ticket.pdf")
    assert answer.status_code == 404


pytestmark = pytest.mark.usefixtures("settings")
