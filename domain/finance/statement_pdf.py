"""A statement as a French PDF: the département's and the partner's details, the lines
grouped by wallet with subtotals, the total, reversed transactions apart, page numbers.

fpdf2's core Helvetica in Windows-1252 (accents, « € »). Each table line is written as one
PDF text object (BT … ET) through fpdf2's content stream: 10,000 lines render in about a
second, where a `cell()` or a `text()` per column, or an embedded TrueType font, take several.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from fpdf import FPDF
from fpdf.fonts import CoreFont
from fpdf.util import escape_parens
from text_unidecode import unidecode

from domain.core import clock
from domain.core.money import format_euros
from domain.finance.statements import Statement, StatementLine
from infra.settings import get_settings

LEFT, RIGHT, TOP, BOTTOM = 10.0, 287.0, 30.0, 195.0
ROW = 4.6
# (title, x of the column's left edge); the amount is right-aligned on AMOUNT_RIGHT.
COLUMNS = [
    ("Date et heure", LEFT),
    ("Référence", 44),
    ("Carte", 72),
    ("Bénéf.", 112),
    ("Porte-monnaie", 128),
    ("Montant", 190),
    ("Délégué", 214),
]
AMOUNT_RIGHT = 208.0


def _latin(text: str) -> str:
    """What Windows-1252 cannot show becomes its closest plain letter."""
    text = text.replace("\u202f", " ").replace("\u00a0", " ")
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        return "".join(_char(c) for c in text)


def _char(c: str) -> str:
    try:
        c.encode("cp1252")
        return c
    except UnicodeEncodeError:
        return unidecode(c) or "?"  # « Ł » -> « L » (text-unidecode comes with sepaxml)


def _euros(cents: int) -> str:
    return _latin(format_euros(cents))


class _Document(FPDF):
    def __init__(self, statement: Statement) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.statement = statement
        self.core_fonts_encoding = "windows-1252"
        self.set_auto_page_break(False)
        self.alias_nb_pages()
        self.printed_at = clock.now().astimezone(clock.PARIS)

    def header(self) -> None:
        s = self.statement
        self.set_font("helvetica", "B", 12)
        self.text(LEFT, 12, _latin(f"CJeune de Provence — {s.title}"))
        self.set_font("helvetica", "", 8)
        self.text(LEFT, 17, _latin(f"{s.partner.trade_name} — période {s.period_label}"))
        if s.reference:
            self.text(LEFT, 21, _latin(f"Référence {s.reference}"))

    def footer(self) -> None:
        self.set_font("helvetica", "", 7)
        self.text(LEFT, 203, _latin(f"Édité le {self.printed_at:%d/%m/%Y à %H:%M}"))
        # cell(), not text(): only cells get the page total ({nb}) filled in at output.
        self.set_xy(RIGHT - 40, 200)
        self.cell(40, 4, f"Page {self.page_no()} / {{nb}}", align="R")


class _Writer:
    def __init__(self, statement: Statement) -> None:
        self.pdf = _Document(statement)
        self.y = TOP

    def page(self) -> None:
        self.pdf.add_page()
        self.pdf.set_font("helvetica", "", 8)
        self.y = TOP

    def need(self, height: float) -> None:
        if self.y + height > BOTTOM:
            self.page()
            self.column_titles()

    def write(self, x: float, text: str) -> None:
        self.pdf.text(x, self.y, text)

    def right(self, x: float, text: str) -> None:
        self.pdf.text(x - self.pdf.get_string_width(text), self.y, text)

    def column_titles(self) -> None:
        self.pdf.set_font("helvetica", "B", 8)
        for title, x in COLUMNS:
            if title == "Montant":
                self.right(AMOUNT_RIGHT, title)
            else:
                self.write(x, _latin(title))
        self.pdf.line(LEFT, self.y + 1.2, RIGHT, self.y + 1.2)
        self.pdf.set_font("helvetica", "", 8)
        self.y += ROW + 0.6

    def heading(self, text: str) -> None:
        self.need(ROW * 3)
        self.y += 1.5
        self.pdf.set_font("helvetica", "B", 9)
        self.write(LEFT, _latin(text))
        self.pdf.set_font("helvetica", "", 8)
        self.y += ROW

    def line(self, line: StatementLine, show_status: bool = False) -> None:
        self.need(ROW)
        amount = _euros(line.amount_cents)
        who = line.delegate[:40] + (f" ({line.status})" if show_status else "")
        cells = [
            (LEFT, f"{line.at:%d/%m/%Y %H:%M}"),
            (44, line.reference),
            (72, line.masked_card),
            (112, line.initials),
            (128, _latin(line.wallet_label[:34])),
            (AMOUNT_RIGHT - self.width(amount), amount),
            (214, _latin(who)),
        ]
        self.raw_text_line(cells)
        self.y += ROW

    def width(self, text: str) -> float:
        """A core font's string width, without fpdf2's per-call text analysis."""
        font = cast(CoreFont, self.pdf.current_font)  # the core font set before any line
        widths = font.cw
        encoded = text.encode("cp1252").decode("latin-1")
        return sum(widths[c] for c in encoded) * self.pdf.font_size / 1000

    def raw_text_line(self, cells: list[tuple[float, str]]) -> None:
        """One text object for the whole line: each cell placed relative to the previous."""
        pdf, k = self.pdf, self.pdf.k
        if not pdf.current_font_is_set_on_page:  # what text() does before writing
            pdf._out(pdf._set_font_for_page(pdf.current_font, pdf.font_size_pt))  # type: ignore[arg-type]  # set before any line
            pdf.current_font_is_set_on_page = True
        ops, previous = ["BT"], 0.0
        for x, text in cells:
            encoded = escape_parens(text.encode("cp1252").decode("latin-1"))
            if previous == 0.0:
                ops.append(f"{x * k:.2f} {(pdf.h - self.y) * k:.2f} Td ({encoded}) Tj")
            else:
                ops.append(f"{(x - previous) * k:.2f} 0 Td ({encoded}) Tj")
            previous = x
        ops.append("ET")
        pdf._out(" ".join(ops))

    def total(self, label: str, cents: int, bold: bool = False) -> None:
        self.need(ROW)
        self.pdf.set_font("helvetica", "B" if bold else "", 8)
        self.write(128, _latin(label))
        self.right(AMOUNT_RIGHT, _euros(cents))
        self.pdf.set_font("helvetica", "", 8)
        self.y += ROW

    def block(self, lines: Sequence[str], x: float, y: float) -> None:
        for i, text in enumerate(lines):
            self.pdf.set_font("helvetica", "B" if i == 0 else "", 9)
            self.pdf.text(x, y + i * 4.5, _latin(text))


def render_pdf(statement: Statement) -> bytes:
    settings = get_settings()
    w = _Writer(statement)
    w.page()
    partner = statement.partner
    w.block(["Émetteur", settings.department_name, settings.department_address], LEFT, TOP)
    w.block(
        ["Partenaire", partner.legal_name, partner.trade_name, f"SIRET {partner.siret}"],
        150,
        TOP,
    )
    w.y = TOP + 22
    w.column_titles()
    for group in statement.groups:
        w.heading(f"{group.label} — {len(group.lines)} transaction(s)")
        for line in group.lines:
            w.line(line)
        w.total(f"Sous-total {group.label}", group.total_cents, bold=True)
    if not statement.groups:
        w.heading("Aucune transaction sur cette période.")
    if statement.adjustments:
        w.heading("Reprises : transactions remboursées puis régularisées")
        for line in statement.adjustments:
            w.line(line)
        w.total("Sous-total reprises", sum(a.amount_cents for a in statement.adjustments))
    if statement.carried_in_cents:
        w.total("Report de remboursements précédents", statement.carried_in_cents)
    w.y += 1
    w.total(
        f"Total ({statement.lines_count} transaction(s))"
        if not statement.reference
        else "Montant du remboursement",
        statement.total_cents,
        bold=True,
    )
    if statement.reversed:
        w.heading("Transactions annulées ou régularisées (non remboursées)")
        for line in statement.reversed:
            w.line(line, show_status=True)
    return bytes(w.pdf.output())
