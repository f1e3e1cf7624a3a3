"""Jeunes et cartes (support): « Photos à valider », the photos young people send for their
card, oldest first, each beside the holder's name and birth date; validate it, or refuse it
with a reason from the list and words for the young person (`validateCardPhoto`,
`refuseCardPhoto`). The young person is told either way.

The photo of a minor is personal data like their record: the API audits every photo it
shows here (`cardPhotoQueue`), and its images are signed links valid a few minutes.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.backoffice.space import StaffSpace, enter
from web.graphql import user_error
from web.pages import Visit

SECTION = "jeunes"
PAGE = "/departement/jeunes/photos"

# The form's reasons: their French label, and the API's name of each.
REFUSAL_REASONS = {
    "visage": ("Visage pas entièrement visible, de face", "FACE_NOT_VISIBLE"),
    "floue": ("Photo floue, trop sombre ou trop petite", "BLURRY_OR_DARK"),
    "autre-personne": ("Ne semble pas être le titulaire", "NOT_THE_HOLDER"),
    "plusieurs": ("Plusieurs personnes sur la photo", "SEVERAL_PEOPLE"),
    "inadaptee": ("Ne convient pas (filtre, lunettes de soleil, couvre-chef…)", "NOT_SUITABLE"),
    "autre": ("Autre motif", "OTHER"),
}
DONE = {
    "validee": "La photo est validée : les partenaires la voient à la caisse. "
    "Le jeune est prévenu.",
    "refusee": "La photo est refusée : le jeune reçoit le motif et peut en envoyer une autre.",
}


async def queue(visit: Visit) -> Response:
    return await _show(visit, done=DONE.get(visit.request.query_params.get("fait", "")))


async def decide(visit: Visit) -> Response:
    """POST: `decision=valider`, or `refuser` with `motif` and `precision`."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    photo_id = visit.request.path_params["photo_id"]
    values = {"motif": visit.field("motif"), "precision": visit.field("precision")}
    errors: dict[str, str] = {}
    decision = visit.field("decision")
    if decision == "valider":
        answer = (await visit.run("validate_card_photo", id=photo_id))["validateCardPhoto"]
    elif decision == "refuser" and values["motif"] in REFUSAL_REASONS:
        reason = REFUSAL_REASONS[values["motif"]][1]
        answer = (
            await visit.run(
                "refuse_card_photo", id=photo_id, reason=reason, details=values["precision"]
            )
        )["refuseCardPhoto"]
    else:
        errors["motif"] = "Choisissez le motif du refus."
        answer = None
    if answer is not None:
        error = user_error(answer)
        if error is None:
            return visit.redirect(
                f"{PAGE}?fait={'validee' if decision == 'valider' else 'refusee'}"
            )
        errors["precision" if error.field == "details" else "motif"] = error.message
    return await _show(visit, status=422, failed=photo_id, errors=errors, values=values)


async def _show(
    visit: Visit,
    *,
    status: int = 200,
    done: str | None = None,
    failed: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    entered = await enter(visit, SECTION, "card_photo_queue")
    if isinstance(entered, Response):
        return entered
    space, data = entered
    return _render(
        visit,
        space,
        status,
        photos=data["cardPhotoQueue"],
        done=done,
        failed=failed,
        errors=errors or {},
        values=values or {},
    )


def _render(visit: Visit, space: StaffSpace, status: int, **values: Any) -> Response:
    reasons = {key: label for key, (label, _) in REFUSAL_REASONS.items()}
    return visit.render(
        "backoffice/card_photos.html",
        status=status,
        space=space,
        tab=SECTION,
        reasons=reasons,
        **values,
    )
