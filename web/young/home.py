"""`/mon-espace/`: the young person's home: their cards (or how to get one), and, under 15,
where their parent's consent stands, with a form to ask (again)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.graphql import user_error
from web.pages import Visit
from web.young.space import YOUNG_ADULT_AGES, age_of, enter

CONSENT_ERRORS = {"parentName": "parent_nom", "parentEmail": "parent_email"}


async def _render_home(
    visit: Visit, data: dict[str, Any], status: int = 200, **values: Any
) -> Response:
    consent = (await visit.run("young_consent"))["myMarketingConsent"]
    me = data["me"]
    age = age_of(me)
    usable = [c for c in data["myCards"] if c["state"] not in ("OPPOSED", "OBSOLETE", "EXPIRED")]
    query = visit.request.query_params
    return visit.render(
        "young/home.html",
        status=status,
        tab="home",
        me=me,
        cards=data["myCards"],
        may_ask_digital=(
            age is not None
            and YOUNG_ADULT_AGES[0] <= age <= YOUNG_ADULT_AGES[1]
            and not any(c["kind"] == "DIGITAL" for c in usable)
        ),
        consent=consent,
        welcome=query.get("bienvenue") == "1",
        consent_failed=query.get("consentement") == "erreur",
        data_asked=query.get("donnees") == "demandees",
        consent_values=values.pop("consent_values", {"parent_nom": "", "parent_email": ""}),
        consent_errors=values.pop("consent_errors", {}),
        digital_values=values.pop("digital_values", {"commune": ""}),
        digital_errors=values.pop("digital_errors", {}),
        **values,
    )


async def home(visit: Visit) -> Response:
    data = await enter(visit, "young_space")
    if isinstance(data, Response):
        return data
    return await _render_home(visit, data)


async def parental_consent(visit: Visit) -> Response:
    """Under 15: name the parent who will receive the consent link (again)."""
    data = await enter(visit, "young_space")
    if isinstance(data, Response):
        return data
    values = {"parent_nom": visit.field("parent_nom"), "parent_email": visit.field("parent_email")}
    answer = (
        await visit.run(
            "request_parental_consent",
            parentName=values["parent_nom"],
            parentEmail=values["parent_email"],
        )
    )["requestParentalConsent"]
    error = user_error(answer)
    if error is not None:
        errors = {CONSENT_ERRORS.get(error.field or "", "parent_form"): error.message}
        return await _render_home(
            visit, data, status=400, consent_values=values, consent_errors=errors
        )
    return visit.redirect("/mon-espace/?consentement=demande")
