"""`/inscription`: a young person of 11 to 25 living in the Bouches-du-Rhône creates their
account (`register`, whose rules decide: age, postal code, password), is signed in
(`login`), and lands in their space. Under 15, the same form names a parent, who is sent
the consent link at once (`requestParentalConsent`): what waits for the parent is only the
processing that rests on consent (marketing by email and push); the card, its wallets and
the deals never wait."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.responses import Response

from web import session as web_session
from web.formatting import paris_today
from web.graphql import user_error
from web.pages import Visit
from web.young.space import PARENTAL_CONSENT_AGE, age_on

FIELDS = ("prenom", "nom", "naissance", "code_postal", "email", "parent_nom", "parent_email")
# The API's field names -> the form's.
API_FIELDS = {
    "firstName": "prenom",
    "lastName": "nom",
    "birthDate": "naissance",
    "postalCode": "code_postal",
    "email": "email",
    "password": "mot_de_passe",
    "parentName": "parent_nom",
    "parentEmail": "parent_email",
}


def _birth_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _check(values: dict[str, str], password: str) -> tuple[dict[str, str], date | None]:
    """What the page itself can tell before asking the API: fields left empty, a date that
    is not one, an under-15 without a parent named."""
    errors: dict[str, str] = {}
    required = {
        "prenom": "Saisissez votre prénom.",
        "nom": "Saisissez votre nom.",
        "naissance": "Saisissez votre date de naissance.",
        "code_postal": "Saisissez le code postal de votre domicile.",
        "email": "Saisissez votre adresse e-mail.",
    }
    for name, message in required.items():
        if not values[name]:
            errors[name] = message
    if not password:
        errors["mot_de_passe"] = "Choisissez un mot de passe."
    born = _birth_date(values["naissance"]) if values["naissance"] else None
    if values["naissance"] and born is None:
        errors["naissance"] = "Date de naissance invalide : utilisez le format JJ/MM/AAAA."
    if born is not None and age_on(born, paris_today()) < PARENTAL_CONSENT_AGE:
        if not values["parent_nom"]:
            errors["parent_nom"] = "Moins de 15 ans : saisissez le nom de votre parent."
        if "@" not in values["parent_email"]:
            errors["parent_email"] = "Moins de 15 ans : saisissez l'adresse e-mail de votre parent."
        elif values["parent_email"].lower() == values["email"].lower():
            errors["parent_email"] = "Indiquez l'adresse e-mail de votre parent, pas la vôtre."
    return errors, born


async def sign_up(visit: Visit) -> Response:
    if visit.signed_in:
        return visit.redirect("/mon-espace/")
    values = {name: visit.field(name) for name in FIELDS}
    if visit.request.method != "POST":
        return visit.render("young/sign_up.html", values=values, errors={})
    password = visit.raw_field("mot_de_passe")
    errors, born = _check(values, password)
    if errors:
        return visit.render("young/sign_up.html", status=400, values=values, errors=errors)
    assert born is not None
    registration = {
        "email": values["email"],
        "password": password,
        "firstName": values["prenom"],
        "lastName": values["nom"],
        "birthDate": born.isoformat(),
        "postalCode": values["code_postal"],
    }
    answer = (await visit.run("register", input=registration))["register"]
    error = user_error(answer)
    if error is not None:
        name = API_FIELDS.get(error.field or "", "form")
        return visit.render(
            "young/sign_up.html", status=400, values=values, errors={name: error.message}
        )
    login = (await visit.run("sign_in", email=values["email"], password=password))["login"]
    if user_error(login) is not None:  # throttled meanwhile: the account exists, sign in later
        return visit.redirect("/connexion?suite=/mon-espace/")
    viewer = visit.context.viewer
    assert viewer.user is not None and viewer.session_id is not None
    visit.open_session(web_session.opened(viewer.user.id, viewer.session_id))
    target = "/mon-espace/?bienvenue=1"
    if age_on(born, paris_today()) < PARENTAL_CONSENT_AGE:
        asked = await _ask_parent(visit, values["parent_nom"], values["parent_email"])
        target += "" if asked else "&consentement=erreur"
    return visit.redirect(target)


async def _ask_parent(visit: Visit, name: str, email: str) -> bool:
    answer: dict[str, Any] = (
        await visit.run("request_parental_consent", parentName=name, parentEmail=email)
    )["requestParentalConsent"]
    return user_error(answer) is None
