"""A transaction's ticket as a PDF sized for a thermal roll (58 or 80 mm wide), for a
reprint from the partner space on any printer, or to keep.

The lines are the API's `Transaction.receipt` (32 or 48 characters), set in Courier, a PDF
core font: nothing to embed, and its Windows-1252 encoding has the French accents and €.
Courier is 0.6 em wide, so a 7 pt size puts 48 characters in 72 mm and 32 in 48 mm.
"""

from __future__ import annotations

from fpdf import FPDF
from starlette.responses import Response

from web.pages import Visit
from web.partners.transactions import WIDTHS, _one

PAPER_MM = {"58": 58.0, "80": 80.0}
PRINTABLE_MM = {"58": 48.0, "80": 72.0}
FONT_PT, LINE_MM, MARGIN_MM = 7.0, 3.4, 4.0


def _latin(text: str) -> str:
    return (
        text.replace("\u202f", " ")
        .replace("\u00a0", " ")
        .encode("windows-1252", errors="replace")
        .decode("windows-1252")
    )


def ticket_pdf(lines: list[str], paper: str) -> bytes:
    height = 2 * MARGIN_MM + LINE_MM * max(len(lines), 1)
    pdf = FPDF(unit="mm", format=(PAPER_MM[paper], height))
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0)
    pdf.add_page()
    pdf.set_font("courier", "", FONT_PT)
    left = (PAPER_MM[paper] - PRINTABLE_MM[paper]) / 2
    for index, line in enumerate(lines):
        pdf.text(left, MARGIN_MM + LINE_MM * (index + 0.8), _latin(line))
    return bytes(pdf.output())


async def ticket_download(visit: Visit) -> Response:
    """`/partenaires/transactions/{id}/ticket.pdf?largeur=58|80`."""
    paper = visit.request.query_params.get("largeur", "58")
    paper = paper if paper in WIDTHS else "58"
    found = await _one(visit, WIDTHS[paper])
    if isinstance(found, Response):
        return found
    _, transaction = found
    return Response(
        ticket_pdf(transaction["receipt"], paper),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="ticket-{transaction["reference"]}.pdf"'
        },
    )
