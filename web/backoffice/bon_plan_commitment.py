"""« Engagement bon plan »: the active partners without a bon plan approved for the school
year (`partnersWithoutBonPlan`; the convention asks at least one a year), a button to email
each a reminder (`sendBonPlanReminder`, one a week at most), and the reminders sent."""

from __future__ import annotations

from starlette.responses import Response

from web.backoffice import partner_labels as labels
from web.backoffice.space import enter
from web.formatting import paris_today
from web.graphql import user_error
from web.pages import Visit

SECTION = "partenaires"


def current_school_year() -> str:
    today = paris_today()
    first = today.year if today.month >= 9 else today.year - 1
    return f"{first}-{first + 1}"


async def commitment(
    visit: Visit, status: int = 200, refused: dict[str, str] | None = None
) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    school_year = visit.request.query_params.get("annee", "").strip() or current_school_year()
    data = await visit.run("backoffice_bon_plan_commitment", schoolYear=school_year)
    answer = data["partnersWithoutBonPlan"]
    error = user_error(answer)
    errors: dict[str, str] = {}
    partners = []
    if error is not None:
        errors["annee"] = error.message
        status = 422
    else:
        partners = answer["partners"]
    reminders = data["bonPlanReminders"]
    last_reminder: dict[str, object] = {}
    for reminder in reminders:  # newest first: the first met is the last sent
        last_reminder.setdefault(reminder["partner"]["id"], reminder)
    return visit.render(
        "backoffice/bon_plan_commitment.html",
        status=status,
        space=space,
        tab=SECTION,
        labels=labels,
        school_year=school_year,
        errors=errors,
        partners=partners,
        reminders=reminders,
        last_reminder=last_reminder,
        refused=refused or {},
        reminded=visit.request.query_params.get("rappel"),
    )
