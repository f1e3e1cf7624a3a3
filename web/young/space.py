"""Who may enter the young people's space: a signed-in young person. Others are sent to
sign in (nobody signed in) or told the space is not theirs (a partner, an agent)."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.responses import Response

from web.formatting import paris_today
from web.pages import Visit

YOUNG_PERSON = "YOUNG_PERSON"
PARENTAL_CONSENT_AGE = 15  # under it, consent-based processing waits for a parent
YOUNG_ADULT_AGES = (16, 25)  # who may ask for a digital card (the API decides)


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def age_of(me: dict[str, Any]) -> int | None:
    raw = me.get("birthDate")
    return age_on(date.fromisoformat(raw), paris_today()) if raw else None


async def enter(visit: Visit, operation: str, **variables: Any) -> dict[str, Any] | Response:
    """The operation's answer for the signed-in young person, or the page to show instead."""
    if not visit.signed_in:
        return visit.to_sign_in()
    data = await visit.run(operation, **variables)
    me = data.get("me")
    if me is None:
        return visit.to_sign_in(reason="session")
    if me["kind"] != YOUNG_PERSON:
        return visit.render("young/not_young.html", status=403)
    return data


def find_card(data: dict[str, Any], card_id: str) -> dict[str, Any] | None:
    return next((c for c in data["myCards"] if c["id"] == card_id), None)
