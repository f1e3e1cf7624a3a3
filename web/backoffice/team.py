"""Équipe (administrators): the département's staff members, their roles and state.

- `/departement/equipe`: the team (`staffMembers`) and the invitation form; POST
  `/departement/equipe` invites (`inviteStaffMember`: an emailed link to choose a password).
- `/departement/equipe/{staff_id}`: one member; POST `…/roles` (`setStaffRoles`),
  `…/desactivation` (`deactivateStaffMember`), `…/reactivation` (`reactivateStaffMember`).

The API refuses leaving the team without an active administrator (LAST_ADMINISTRATOR):
the page shows its message next to the form.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.backoffice.space import enter
from web.graphql import user_error
from web.pages import Visit

SECTION = "equipe"
HOME = "/departement/equipe"
ROLE_LABELS = {
    "MODERATION": "Modération",
    "SUPPORT": "Support (jeunes, cartes, hotline)",
    "FINANCE": "Finances",
    "MARKETING": "Marketing (campagnes)",
    "ADMINISTRATOR": "Administrateur (tous les rôles, l'équipe)",
}
SHORT_ROLES = {
    "MODERATION": "Modération",
    "SUPPORT": "Support",
    "FINANCE": "Finances",
    "MARKETING": "Marketing",
    "ADMINISTRATOR": "Administrateur",
}
STATE_LABELS = {"INVITED": "Invité", "ACTIVE": "Actif", "DEACTIVATED": "Désactivé"}
DONE = {
    "invitation": "L'invitation est envoyée : la personne choisit son mot de passe avec le lien "
    "reçu par e-mail (valable 7 jours).",
    "roles": "Les rôles sont enregistrés.",
    "desactive": "Le compte est désactivé : ses sessions sont fermées.",
    "reactive": "Le compte est réactivé.",
}
_FIELDS = {"email": "email", "firstName": "firstName", "lastName": "lastName", "roles": "roles"}


def _chosen_roles(visit: Visit) -> list[str]:
    return [r for r in visit.form.getlist("roles") if r in ROLE_LABELS]


def _labels() -> dict[str, Any]:
    return {"role_labels": ROLE_LABELS, "short_roles": SHORT_ROLES, "state_labels": STATE_LABELS}


async def team(visit: Visit) -> Response:
    entered = await enter(visit, SECTION, "staff_members")
    if isinstance(entered, Response):
        return entered
    space, data = entered
    form: dict[str, Any] = {"email": "", "firstName": "", "lastName": "", "roles": []}
    errors: dict[str, str] = {}
    if visit.request.method == "POST":
        form = {
            "email": visit.field("email"),
            "firstName": visit.field("firstName"),
            "lastName": visit.field("lastName"),
            "roles": _chosen_roles(visit),
        }
        for name, message in (
            ("email", "Saisissez l'adresse e-mail professionnelle."),
            ("firstName", "Saisissez le prénom."),
            ("lastName", "Saisissez le nom."),
        ):
            if not form[name]:
                errors[name] = message
        if not form["roles"]:
            errors["roles"] = "Choisissez au moins un rôle."
        if not errors:
            answer = (await visit.run("invite_staff_member", input=form))["inviteStaffMember"]
            error = user_error(answer)
            if error is None:
                return visit.redirect(f"{HOME}?fait=invitation")
            errors[_FIELDS.get(error.field or "", "form")] = error.message
    return visit.render(
        "backoffice/team.html",
        status=422 if errors else 200,
        space=space,
        tab=SECTION,
        members=data["staffMembers"],
        form=form,
        errors=errors,
        done=DONE.get(visit.request.query_params.get("fait", "")),
        **_labels(),
    )


async def member(visit: Visit) -> Response:
    return await _member_page(visit, None, {})


async def _member_page(visit: Visit, chosen: list[str] | None, errors: dict[str, str]) -> Response:
    entered = await enter(visit, SECTION, "staff_members")
    if isinstance(entered, Response):
        return entered
    space, data = entered
    staff_id = visit.request.path_params["staff_id"]
    found = next((m for m in data["staffMembers"] if m["id"] == staff_id), None)
    if found is None:
        return visit.render("errors/not_found.html", status=404)
    return visit.render(
        "backoffice/team_member.html",
        status=422 if errors else 200,
        space=space,
        tab=SECTION,
        member=found,
        chosen=found["roles"] if chosen is None else chosen,
        is_me=found["id"] == space.me.get("id"),
        errors=errors,
        done=DONE.get(visit.request.query_params.get("fait", "")),
        **_labels(),
    )


async def set_roles(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    staff_id = visit.request.path_params["staff_id"]
    roles = _chosen_roles(visit)
    if not roles:
        return await _member_page(visit, roles, {"roles": "Choisissez au moins un rôle."})
    answer = (await visit.run("set_staff_roles", staffId=staff_id, roles=roles))["setStaffRoles"]
    error = user_error(answer)
    if error is not None:
        return await _member_page(visit, roles, {"roles": error.message})
    return visit.redirect(f"{HOME}/{staff_id}?fait=roles")


async def deactivate(visit: Visit) -> Response:
    return await _set_state(visit, "deactivate_staff_member", "deactivateStaffMember", "desactive")


async def reactivate(visit: Visit) -> Response:
    return await _set_state(visit, "reactivate_staff_member", "reactivateStaffMember", "reactive")


async def _set_state(visit: Visit, operation: str, field: str, done: str) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    staff_id = visit.request.path_params["staff_id"]
    error = user_error((await visit.run(operation, staffId=staff_id))[field])
    if error is not None:
        return await _member_page(visit, None, {"state": error.message})
    return visit.redirect(f"{HOME}/{staff_id}?fait={done}")
