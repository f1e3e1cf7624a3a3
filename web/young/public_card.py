"""`/carte/<code>`: the address the printed QR code holds. A phone's camera opens it: the
page says what the card is and how its holder signs in or activates it.

It is the same page, byte for byte, for every code, valid or not, known or not: it never
looks the code up, so it tells an anonymous visitor nothing (no oracle for guessing codes)
and shows nobody's personal data."""

from __future__ import annotations

from starlette.responses import Response

from web.pages import Visit


async def printed_card(visit: Visit) -> Response:
    return visit.render("young/printed_card.html")
