"""The ESC/POS ticket: the commands' structure, and French text in CP858."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.cards import escpos
from domain.cards.receipts import TicketFacts, ticket_lines
from models.transactions import TransactionStatus


def _facts(status: TransactionStatus = TransactionStatus.COMPLETED) -> TicketFacts:
    return TicketFacts(
        partner_name="Cinéma Le Prado",
        partner_address=["12 rue de la Gaîté", "13008 Marseille"],
        reference="T0123456789A",
        created_at=datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
        masked_card_code="•••• 7K2Q",
        wallet_label="Sport, culture et loisirs",
        amount_cents=1250,
        status=status,
        reversed_at=datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
        if status != TransactionStatus.COMPLETED
        else None,
    )


def test_the_bytes_start_with_init_and_code_page_and_end_with_a_cut():
    data = escpos.ticket_bytes(ticket_lines(_facts(), 32))
    assert data.startswith(b"\x1b@" + b"\x1bt\x13")  # ESC @, ESC t 19 (CP858)
    assert data.endswith(b"\x1dVB\x03")  # GS V 66 3: feed three lines, partial cut
    body = data[len(b"\x1b@\x1bt\x13\x1ba\x00") : -4]
    lines = body.split(b"\n")
    assert lines[-1] == b""  # every line ends with LF
    assert len(lines) - 1 == len(ticket_lines(_facts(), 32))
    for line in lines[:-1]:  # no line wider than the paper, commands aside
        text = line.replace(b"\x1bE\x01", b"").replace(b"\x1bE\x00", b"")
        assert len(text) <= 32


def test_french_accents_and_the_euro_sign_are_in_cp858():
    data = escpos.ticket_bytes(ticket_lines(_facts(), 48))
    assert "Cinéma".encode("cp858") in data and b"Cin\x82ma" in data  # é is 0x82
    assert "Gaîté".encode("cp858") == b"Ga\x8ct\x82" and b"Ga\x8ct\x82" in data
    assert b"\xd5" in data  # € is 0xD5 in CP858
    assert b"?" not in data  # nothing fell outside the code page
    assert b"**** 7K2Q" in data or b"*" in data  # the masked code
    assert escpos.ticket_bytes(["• 日"]).count(b"?") == 1  # a bullet as a star, the rest « ? »
    assert b"* ?" in escpos.ticket_bytes(["• 日"])


def test_the_amount_and_the_cancellation_are_bold():
    data = escpos.ticket_bytes(ticket_lines(_facts(TransactionStatus.CANCELLED), 32))
    bold = [chunk.split(b"\x1bE\x00")[0] for chunk in data.split(b"\x1bE\x01")[1:]]
    assert bold[0].startswith(b"MONTANT") and bold[0].endswith("12,50 €".encode("cp858"))
    assert b"TRANSACTION ANNUL\x90E" in bold[1]  # É is 0x90
