"""A ticket's lines as the bytes an ESC/POS thermal printer prints (Epson's command set,
which most receipt printers follow).

Our own small encoder rather than python-escpos: a ticket needs five commands, and its
text must be in a code page the printer holds. French needs é è à ç ô ù and €: CP858
(PC850 with the euro sign in place of the dotless ı) carries them all, and is code page 19
on Epson-compatible printers. Characters outside it print as « ? » rather than garbage.

Layout: initialise, choose the code page, the header centred, the amount and the
cancellation in bold, feed and cut.
"""

from __future__ import annotations

ESC, GS, LF = b"\x1b", b"\x1d", b"\n"
INITIALISE = ESC + b"@"
CODE_PAGE_CP858 = ESC + b"t" + bytes([19])
CENTRE, LEFT = ESC + b"a\x01", ESC + b"a\x00"
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
FEED_AND_CUT = GS + b"V" + bytes([66, 3])  # feed 3 lines, then a partial cut
ENCODING = "cp858"
# What CP858 lacks but has a plain stand-in for.
_STAND_INS = str.maketrans(
    {"•": "*", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...", "\u202f": " ", "\u00a0": " "}
)


def _emphasised(line: str) -> bool:
    text = line.strip()
    return text.startswith("MONTANT") or text.startswith("TRANSACTION ")


def ticket_bytes(lines: list[str]) -> bytes:
    """The ticket for the printer. The lines come from receipts.ticket_lines, already laid out
    at the paper's width (centred lines are padded), so only emphasis is added here."""
    out = bytearray(INITIALISE + CODE_PAGE_CP858 + LEFT)
    for line in lines:
        text = line.translate(_STAND_INS).encode(ENCODING, errors="replace")
        if _emphasised(line):
            out += BOLD_ON + text + BOLD_OFF + LF
        else:
            out += text + LF
    out += FEED_AND_CUT
    return bytes(out)
