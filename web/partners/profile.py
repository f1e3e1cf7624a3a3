"""« Mon profil » (`/partenaires/profil`): what young people read about the partner.

One form for the text, the address, the week's opening hours, the public holidays and the
accessibility (`updatePartnerProfile`); the logo and the banner, uploaded with their preview
(`uploadImage`, then the profile); the exceptional periods (`addOpeningException`,
`removeOpeningException`); the map pin (`movePartnerPin`); and « Voir comme un jeune »
(`/partenaires/profil/apercu`), the public profile as a young person reads it. The API
checks the `profile` permission again.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from web.formatting import paris_today
from web.graphql import user_error
from web.pages import Visit, Web
from web.partners.space import PartnerSpace, enter
from web.partners.uploads import image_hint, upload_images

PROFILE = "PROFILE"
BASE = "/partenaires/profil"
WEEKDAYS = {
    "MONDAY": "Lundi",
    "TUESDAY": "Mardi",
    "WEDNESDAY": "Mercredi",
    "THURSDAY": "Jeudi",
    "FRIDAY": "Vendredi",
    "SATURDAY": "Samedi",
    "SUNDAY": "Dimanche",
}
RANGES_SHOWN = 2  # a morning and an afternoon; the API takes up to 6
ACCESSIBILITY = {
    "MOTOR": "Handicap moteur",
    "HEARING": "Handicap auditif",
    "VISUAL": "Handicap visuel",
    "MENTAL": "Handicap mental",
}
LOCATION_SOURCES = {
    "GEOCODED": "localisée d'après l'adresse",
    "MOVED_BY_PARTNER": "placée par vous sur la carte",
    "COMMUNE_CENTRE": "au centre de la commune, en attendant la localisation de l'adresse",
}
_API_FIELDS = {
    "description": "description",
    "phone": "telephone",
    "contactEmail": "email",
    "website": "site",
    "street": "rue",
    "postalCode": "cp",
    "city": "ville",
    "address": "rue",
    "accessibilityNotes": "accessibilite-notes",
    "accessibility": "accessibilite-MOTOR",
    "weeklyHours": "MONDAY-1-ouvre",
    "logoId": "logo",
    "bannerId": "banniere",
    "file": "logo",
    "startsOn": "exception-du",
    "endsOn": "exception-au",
    "label": "exception-motif",
    "hours": "exception-ouvre",
    "latitude": "latitude",
    "longitude": "longitude",
}
DONE_MESSAGES = {
    "profil": "Profil enregistré : les jeunes voient ces informations dès maintenant.",
    "images": "Image enregistrée.",
    "exception": "Période exceptionnelle ajoutée.",
    "exception-retiree": "Période exceptionnelle retirée.",
    "position": "Position enregistrée.",
}


def field_of_api(name: str | None) -> str:
    if not name:
        return "general"
    day = re.fullmatch(r"weeklyHours\.(\w+)", name)
    if day:
        return f"{day.group(1).upper()}-1-ouvre"
    return _API_FIELDS.get(name, "general")


def display_phone(phone: str | None) -> str:
    """+33491000000 -> 04 91 00 00 00, as a French reader writes it."""
    if not phone or not phone.startswith("+33") or len(phone) != 12:
        return phone or ""
    digits = "0" + phone[3:]
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


# --- reading -----------------------------------------------------------------------------------


async def _entered(visit: Visit, operation: str = "partner_profile_page") -> Any:
    entered = await enter(visit, operation, with_partner=True)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    if not space.may(PROFILE):
        return visit.render("errors/forbidden.html", status=403)
    return space, data


def form_of(partner: dict[str, Any]) -> dict[str, str]:
    """The main form's values from the profile as the API answers it."""
    address = partner.get("address") or {}
    values = {
        "description": partner["description"],
        "telephone": display_phone(partner.get("phone")),
        "email": partner.get("contactEmail") or "",
        "site": partner.get("website") or "",
        "rue": address.get("street", ""),
        "cp": address.get("postalCode", ""),
        "ville": address.get("city", ""),
        "feries": "oui" if partner["closedOnPublicHolidays"] else "",
        "accessibilite-notes": partner["accessibility"]["notes"],
    }
    for kind in partner["accessibility"]["types"]:
        values[f"accessibilite-{kind}"] = "oui"
    for day in partner["weeklyHours"]:
        for index, time_range in enumerate(day["ranges"][:RANGES_SHOWN], start=1):
            values[f"{day['day']}-{index}-ouvre"] = time_range["opens"]
            values[f"{day['day']}-{index}-ferme"] = time_range["closes"]
    return values


def _render(
    visit: Visit,
    space: PartnerSpace,
    partner: dict[str, Any],
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    errors = errors or {}
    hidden_ranges = {
        day["day"]: day["ranges"][RANGES_SHOWN:]
        for day in partner["weeklyHours"]
        if len(day["ranges"]) > RANGES_SHOWN
    }
    return visit.render(
        "partners/profile.html",
        status=status,
        space=space,
        tab="profile",
        partner=partner,
        values=values if values is not None else form_of(partner),
        errors=errors,
        error_labels={name: name for name in errors},
        weekdays=WEEKDAYS,
        ranges_shown=RANGES_SHOWN,
        hidden_ranges=hidden_ranges,
        accessibility=ACCESSIBILITY,
        location_sources=LOCATION_SOURCES,
        display_phone=display_phone,
        logo_hint=image_hint(visit, "LOGO"),
        banner_hint=image_hint(visit, "BANNER"),
        done=DONE_MESSAGES.get(visit.request.query_params.get("fait", "")),
        today=paris_today(),
    )


async def profile_page(visit: Visit) -> Response:
    entered = await _entered(visit)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    if visit.request.method == "GET":
        return _render(visit, space, data["partner"])
    values = {name: visit.field(name) for name in visit.form if isinstance(name, str)}
    values.pop("csrf", None)
    week, errors = _week_of(values)
    partner = data["partner"]
    profile_input: dict[str, Any] = {
        "description": values.get("description", ""),
        "phone": values.get("telephone", ""),
        "contactEmail": values.get("email", ""),
        "website": values.get("site", ""),
        "weeklyHours": week,
        "closedOnPublicHolidays": values.get("feries") == "oui",
        "accessibility": [k for k in ACCESSIBILITY if values.get(f"accessibilite-{k}") == "oui"],
        "accessibilityNotes": values.get("accessibilite-notes", ""),
    }
    street, postal_code, city = (values.get(k, "") for k in ("rue", "cp", "ville"))
    if street or postal_code or city:
        profile_input["address"] = {"street": street, "postalCode": postal_code, "city": city}
    elif partner.get("address"):
        profile_input["address"] = None
    if errors:
        return _render(visit, space, partner, values=values, errors=errors, status=422)
    answer = (
        await visit.run("update_partner_profile", partnerId=space.partner_id, input=profile_input)
    )["updatePartnerProfile"]
    error = user_error(answer)
    if error is not None:
        errors = {field_of_api(error.field): error.message}
        return _render(visit, space, partner, values=values, errors=errors, status=422)
    return visit.redirect(f"{BASE}?fait=profil")


def _week_of(values: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The week as the API takes it, from the form's HH:MM fields; a half-filled range is
    an error next to its empty field. Ranges beyond those shown are kept as they were."""
    week, errors = [], {}
    for day, name in WEEKDAYS.items():
        ranges = []
        for index in range(1, RANGES_SHOWN + 1):
            opens = values.get(f"{day}-{index}-ouvre", "").replace("h", ":")
            closes = values.get(f"{day}-{index}-ferme", "").replace("h", ":")
            if not opens and not closes:
                continue
            if not opens or not closes:
                missing = f"{day}-{index}-{'ouvre' if not opens else 'ferme'}"
                errors[missing] = f"{name} : indiquez l'heure d'ouverture et celle de fermeture."
                continue
            ranges.append({"opens": opens, "closes": closes})
        for kept in values.get(f"{day}-autres", "").split(";"):
            if "-" in kept:
                opens, closes = kept.split("-", 1)
                ranges.append({"opens": opens, "closes": closes})
        week.append({"day": day, "ranges": ranges})
    return week, errors


async def profile_images(visit: Visit) -> Response:
    entered = await _entered(visit)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    partner = data["partner"]
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    for field, purpose, key in (("logo", "LOGO", "logoId"), ("banniere", "BANNER", "bannerId")):
        if visit.field(f"retirer-{field}") == "oui":
            changes[key] = None
            continue
        uploaded = await upload_images(visit, space.partner_id, purpose, [field])
        errors.update(uploaded.errors)
        if field in uploaded.ids:
            changes[key] = uploaded.ids[field]
    if not changes and not errors:
        errors["logo"] = "Choisissez une image à envoyer."
    if changes:
        answer = (
            await visit.run("update_partner_profile", partnerId=space.partner_id, input=changes)
        )["updatePartnerProfile"]
        error = user_error(answer)
        if error is not None:
            errors[field_of_api(error.field)] = error.message
    if errors:
        if changes:  # what was accepted is shown
            data = await visit.run("partner_profile_page", partnerId=space.partner_id)
            partner = data["partner"]
        return _render(visit, space, partner, errors=errors, status=422)
    return visit.redirect(f"{BASE}?fait=images#images")


async def add_exception(visit: Visit) -> Response:
    entered = await _entered(visit)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    values = {
        name: visit.field(name)
        for name in (
            "exception-du",
            "exception-au",
            "exception-motif",
            "exception-ouvre",
            "exception-ferme",
            "exception-type",
        )
    }
    errors: dict[str, str] = {}
    starts, ends = (
        _day(values["exception-du"]),
        _day(values["exception-au"] or values["exception-du"]),
    )
    if starts is None:
        errors["exception-du"] = "Indiquez le premier jour (JJ/MM/AAAA)."
    if ends is None:
        errors["exception-au"] = "Indiquez le dernier jour (JJ/MM/AAAA)."
    hours = None
    if values["exception-type"] == "horaires":
        if not values["exception-ouvre"] or not values["exception-ferme"]:
            errors["exception-ouvre"] = (
                "Indiquez les horaires de ces jours, ou choisissez « Fermé »."
            )
        else:
            hours = [{"opens": values["exception-ouvre"], "closes": values["exception-ferme"]}]
    if not errors:
        answer = (
            await visit.run(
                "add_opening_exception",
                partnerId=space.partner_id,
                startsOn=starts.isoformat() if starts else None,
                endsOn=ends.isoformat() if ends else None,
                label=values["exception-motif"],
                hours=hours,
            )
        )["addOpeningException"]
        error = user_error(answer)
        if error is None:
            return visit.redirect(f"{BASE}?fait=exception#exceptions")
        errors[field_of_api(error.field)] = error.message
    current = {**form_of(data["partner"]), **values}
    return _render(visit, space, data["partner"], values=current, errors=errors, status=422)


async def remove_exception(visit: Visit) -> Response:
    entered = await _entered(visit)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    exception_id = visit.request.path_params["id"]
    if exception_id not in {e["id"] for e in data["partner"]["openingExceptions"]}:
        return visit.render("errors/not_found.html", status=404)
    answer = (await visit.run("remove_opening_exception", id=exception_id))[
        "removeOpeningException"
    ]
    error = user_error(answer)
    if error is not None:
        errors = {"exceptions": error.message}
        return _render(visit, space, data["partner"], errors=errors, status=422)
    return visit.redirect(f"{BASE}?fait=exception-retiree#exceptions")


async def move_pin(visit: Visit) -> Response:
    entered = await _entered(visit)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    errors: dict[str, str] = {}
    position: dict[str, float] = {}
    for name in ("latitude", "longitude"):
        try:
            position[name] = float(visit.field(name).replace(",", "."))
        except ValueError:
            errors[name] = f"Indiquez la {name} en degrés décimaux, par exemple 43,2965."
    if not errors:
        answer = (await visit.run("move_partner_pin", partnerId=space.partner_id, **position))[
            "movePartnerPin"
        ]
        error = user_error(answer)
        if error is None:
            return visit.redirect(f"{BASE}?fait=position#position")
        errors[field_of_api(error.field) if error.field else "latitude"] = error.message
    values = {**form_of(data["partner"]), **{k: visit.field(k) for k in ("latitude", "longitude")}}
    return _render(visit, space, data["partner"], values=values, errors=errors, status=422)


async def preview(visit: Visit) -> Response:
    """The public profile as a young person reads it: what is on show today only."""
    entered = await _entered(visit, "partner_profile_preview")
    if isinstance(entered, Response):
        return entered
    space, data = entered
    today = paris_today()
    on_show = [
        o
        for o in data["partnerOffers"]["offers"]
        if o["published"]
        and not o["withdrawnAt"]
        and date.fromisoformat(o["published"]["validFrom"]) <= today
        and date.fromisoformat(o["published"]["validUntil"]) >= today
    ]
    return visit.render(
        "partners/profile_preview.html",
        space=space,
        tab="profile",
        partner=data["partner"],
        offers=on_show,
        weekdays=WEEKDAYS,
        accessibility=ACCESSIBILITY,
        display_phone=display_phone,
    )


def _day(text: str) -> date | None:
    text = text.strip()
    try:
        if re.fullmatch(r"\d{2}/\d{2}/\d{4}", text):
            return date(int(text[6:]), int(text[3:5]), int(text[:2]))
        return date.fromisoformat(text)
    except ValueError:
        return None


def profile_routes(web: Web) -> list[Route]:
    both = ["GET", "POST"]
    return [
        Route(BASE, web.page(profile_page), methods=both),
        Route(f"{BASE}/images", web.page(profile_images), methods=["POST"]),
        Route(f"{BASE}/exceptions", web.page(add_exception), methods=["POST"]),
        Route(
            f"{BASE}/exceptions/{{id}}/suppression", web.page(remove_exception), methods=["POST"]
        ),
        Route(f"{BASE}/position", web.page(move_pin), methods=["POST"]),
        Route(f"{BASE}/apercu", web.page(preview), methods=["GET"]),
    ]
