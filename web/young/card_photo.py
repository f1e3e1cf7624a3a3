"""`/mon-espace/photo`, « Ma photo »: the photo partners see when they check the card at
the till. The young person sends it from their phone (a plain multipart form: the camera
opens where the phone offers it, no JavaScript needed); the API checks and crops it
(`submitCardPhoto`) and it waits for the département's support team, who validate or refuse
it with a reason shown here (`myCardPhoto`). The photo shown stays until a new one is
validated."""

from __future__ import annotations

from starlette.responses import Response

from web.graphql import user_error
from web.pages import Visit
from web.young.space import enter

PAGE = "/mon-espace/photo"
FIELD = "photo"


async def card_photo(visit: Visit) -> Response:
    errors: dict[str, str] = {}
    if visit.request.method == "POST":
        if not visit.signed_in:
            return visit.to_sign_in()
        file = visit.upload(FIELD)
        if file is None:
            errors[FIELD] = "Choisissez une photo ou prenez-en une."
        else:
            answer = (await visit.run("submit_card_photo", file=file))["submitCardPhoto"]
            error = user_error(answer)
            if error is None:
                return visit.redirect(f"{PAGE}?envoyee=1")
            errors[FIELD] = error.message
    data = await enter(visit, "young_card_photo")
    if isinstance(data, Response):
        return data
    return visit.render(
        "young/card_photo.html",
        status=422 if errors else 200,
        tab="photo",
        me=data["me"],
        photos=data["myCardPhoto"],
        sent=visit.request.query_params.get("envoyee") == "1",
        errors=errors,
        rules=_rules(visit),
    )


def _rules(visit: Visit) -> str:
    megabytes = f"{visit.settings.max_upload_bytes / (1024 * 1024):.3g}".replace(".", ",")
    return (
        f"JPEG, PNG ou WebP, {megabytes} Mo au plus, au moins 240 × 320 pixels. Votre visage "
        "de face, seul, sans lunettes de soleil ni casquette : la photo est recadrée en "
        "portrait autour du centre."
    )
