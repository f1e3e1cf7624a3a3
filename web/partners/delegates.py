"""« Mes délégués »: the people who act for the partner, and the trail of what they did.

- `/partenaires/delegues`: the list (permissions, state, last activity); POST invites a
  person (`inviteDelegate`). The principal and the collaborators holding the « délégués »
  permission manage them, as the API allows; only the principal grants that permission.
- `/partenaires/delegues/{id}`: one delegate; POST `action=` `droits` (`updateDelegatePermissions`),
  `suspendre`, `reactiver`, `revoquer`, `renvoyer` (a pending invitation's link again:
  `inviteDelegate` with the same person and permissions). Each answers by a redirect (a
  reload repeats nothing) and a notice.
- `/partenaires/delegues/journal`: the partner's audit trail (the principal only, as
  `auditLog`), by delegate, action and Paris days, 50 a page.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from starlette.responses import Response

from web.formatting import PARIS
from web.graphql import user_error
from web.pages import Visit
from web.partners.space import PartnerSpace, enter

DELEGATES = "DELEGATES"

PERMISSIONS = {
    "TRANSACTIONS": "Transactions : la caisse, la liste des transactions et l'annulation",
    "OFFERS_AND_POSTS": "Bons plans, événements et publications",
    "PROFILE": "Profil de la structure",
    "FINANCE": "Finances : remboursements, bordereaux et coordonnées bancaires",
    "DELEGATES": "Gestion des délégués (accordée par le délégué principal seulement)",
}
SHORT_PERMISSIONS = {
    "TRANSACTIONS": "Transactions",
    "OFFERS_AND_POSTS": "Bons plans et publications",
    "PROFILE": "Profil",
    "FINANCE": "Finances",
    "DELEGATES": "Délégués",
}
STATUSES = {
    "INVITED": "Invitation envoyée",
    "ACTIVE": "Actif",
    "SUSPENDED": "Suspendu",
    "REVOKED": "Révoqué",
}
# The audit trail's actions a partner meets, in its words (others show their code).
ACTIONS = {
    "delegate.invited": "Délégué invité",
    "delegate.invitation_accepted": "Invitation acceptée",
    "delegate.permissions_changed": "Droits d'un délégué modifiés",
    "delegate.suspended": "Délégué suspendu",
    "delegate.reactivated": "Délégué réactivé",
    "delegate.revoked": "Délégué révoqué",
    "bank_details.submitted": "Coordonnées bancaires envoyées",
    "bank_details.validated": "Coordonnées bancaires validées",
    "bank_details.refused": "Coordonnées bancaires refusées",
    "partner.profile_updated": "Profil modifié",
    "partner.pin_moved": "Politique de code PIN modifiée",
    "partner.pin_minimum_imposed": "Minimum de code PIN imposé par le Département",
    "delegate.daily_collection_email_set": "Préférence de télécollecte modifiée",
    "offer.created": "Bon plan ou événement créé",
    "offer.edited": "Bon plan ou événement modifié",
    "offer.submitted": "Bon plan ou événement soumis",
    "offer.approved": "Bon plan ou événement validé",
    "offer.rejected": "Bon plan ou événement refusé",
    "offer.withdrawn": "Bon plan ou événement retiré",
    "post.created": "Publication créée",
    "post.edited": "Publication modifiée",
    "post.deleted": "Publication supprimée",
    "bon_plan.used": "Bon plan utilisé en caisse",
    "bon_plan.use_cancelled": "Utilisation d'un bon plan annulée",
    "image.uploaded": "Image envoyée",
}
STATUS_ACTIONS = {
    "suspendre": ("suspend_delegate", "suspendDelegate", "Le délégué est suspendu."),
    "reactiver": ("reactivate_delegate", "reactivateDelegate", "Le délégué est réactivé."),
    "revoquer": (
        "revoke_delegate",
        "revokeDelegate",
        "Le délégué est révoqué : il n'a plus accès à votre espace.",
    ),
}
DONE = {
    "invitation": "Invitation envoyée : la personne reçoit un lien par e-mail, valable 7 jours.",
    "renvoi": "Invitation envoyée à nouveau : seul le nouveau lien fonctionne.",
    "droits": "Les droits du délégué sont enregistrés.",
    **{key: message for key, (_, _, message) in STATUS_ACTIONS.items()},
}


def manages(space: PartnerSpace) -> bool:
    return space.may(DELEGATES)


def _labels() -> dict[str, Any]:
    return {
        "permission_labels": PERMISSIONS,
        "short_permissions": SHORT_PERMISSIONS,
        "status_labels": STATUSES,
    }


async def _delegates_page(visit: Visit) -> tuple[PartnerSpace, list[dict[str, Any]]] | Response:
    entered = await enter(visit, "delegates_page", with_partner=True)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    partner = data.get("partner") or {}
    if not manages(space) or partner.get("delegates") is None:
        return visit.render("errors/forbidden.html", status=403)
    return space, partner["delegates"]


def _chosen_permissions(visit: Visit) -> list[str]:
    return [p for p in visit.form.getlist("permissions") if p in PERMISSIONS]


async def delegates_list(visit: Visit) -> Response:
    found = await _delegates_page(visit)
    if isinstance(found, Response):
        return found
    space, delegates = found
    errors: dict[str, str] = {}
    form = {"email": "", "firstName": "", "lastName": "", "permissions": ["TRANSACTIONS"]}
    if visit.request.method == "POST":
        form = {
            "email": visit.field("email"),
            "firstName": visit.field("firstName"),
            "lastName": visit.field("lastName"),
            "permissions": _chosen_permissions(visit),
        }
        for name, label in (("email", "l'adresse e-mail"), ("firstName", "le prénom")):
            if not form[name]:
                errors[name] = f"Indiquez {label} de la personne."
        if not form["lastName"]:
            errors["lastName"] = "Indiquez le nom de la personne."
        if not form["permissions"]:
            errors["permissions"] = (
                "Cochez au moins une rubrique que cette personne pourra utiliser."
            )
        if not errors:
            answer = (
                await visit.run("invite_delegate", input={"partnerId": space.partner_id, **form})
            )["inviteDelegate"]
            error = user_error(answer)
            if error is None:
                return visit.redirect("/partenaires/delegues?fait=invitation")
            errors[error.field if error.field in form else "form"] = error.message
    return visit.render(
        "partners/delegates.html",
        status=422 if errors else 200,
        space=space,
        tab="delegates",
        delegates=delegates,
        form=form,
        errors=errors,
        done=DONE.get(visit.request.query_params.get("fait", "")),
        may_grant_delegates=bool((space.current or {}).get("isPrincipal")),
        **_labels(),
    )


async def delegate_detail(visit: Visit) -> Response:
    found = await _delegates_page(visit)
    if isinstance(found, Response):
        return found
    space, delegates = found
    wanted = visit.request.path_params["id"]
    delegate = next((d for d in delegates if d["id"] == wanted), None)
    if delegate is None:
        return visit.render("errors/not_found.html", status=404, space=space)
    errors: dict[str, str] = {}
    chosen = delegate["permissions"]
    if visit.request.method == "POST":
        action = visit.field("action")
        chosen = _chosen_permissions(visit) if action == "droits" else chosen
        error = await _act(visit, space, delegate, action, chosen)
        if error is None:
            return visit.redirect(f"/partenaires/delegues/{delegate['id']}?fait={action}")
        errors["permissions" if action == "droits" else "form"] = error
    return visit.render(
        "partners/delegate.html",
        status=422 if errors else 200,
        space=space,
        tab="delegates",
        delegate=delegate,
        chosen=chosen,
        errors=errors,
        is_self=delegate["person"]["id"] == space.me["id"],
        done=DONE.get(visit.request.query_params.get("fait", "")),
        may_grant_delegates=bool((space.current or {}).get("isPrincipal")),
        **_labels(),
    )


async def _act(
    visit: Visit, space: PartnerSpace, delegate: dict[str, Any], action: str, chosen: list[str]
) -> str | None:
    """Run one of the detail page's actions; the French error, or None when done."""
    if action == "droits":
        if not chosen:
            return "Cochez au moins une rubrique (ou suspendez le délégué)."
        answer = (
            await visit.run(
                "update_delegate_permissions", delegateId=delegate["id"], permissions=chosen
            )
        )["updateDelegatePermissions"]
    elif action in STATUS_ACTIONS:
        operation, field, _ = STATUS_ACTIONS[action]
        answer = (await visit.run(operation, delegateId=delegate["id"]))[field]
    elif action == "renvoi" and delegate["status"] == "INVITED":
        person = delegate["person"]
        answer = (
            await visit.run(
                "invite_delegate",
                input={
                    "partnerId": space.partner_id,
                    "email": person["email"],
                    "firstName": person["firstName"],
                    "lastName": person["lastName"],
                    "permissions": delegate["permissions"],
                },
            )
        )["inviteDelegate"]
    else:
        return "Cette action n'est pas possible pour ce délégué."
    error = user_error(answer)
    return None if error is None else error.message


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _paris_midnight(day: date) -> str:
    return datetime.combine(day, time(0), PARIS).isoformat()


async def audit_trail(visit: Visit) -> Response:
    query = visit.request.query_params
    since, until = _day(query.get("du")), _day(query.get("au"))
    action = query.get("action") or ""
    variables: dict[str, Any] = {
        "actorId": query.get("delegue") or None,
        "action": action if action in ACTIONS else None,
        "since": _paris_midnight(since) if since else None,
        "until": _paris_midnight(until + timedelta(days=1)) if until else None,
        "after": query.get("apres") or None,
    }
    entered = await enter(visit, "audit_page", with_partner=True, **variables)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    if not (space.current or {}).get("isPrincipal"):
        return visit.render("errors/forbidden.html", status=403)
    people = sorted(
        (d["person"] for d in (data.get("partner") or {}).get("delegates") or []),
        key=lambda p: (p["lastName"], p["firstName"]),
    )
    page = data["auditLog"] or {"entries": [], "nextCursor": None}
    invalid = [name for name in ("du", "au") if query.get(name) and _day(query.get(name)) is None]
    filters = {
        "delegue": variables["actorId"] or "",
        "action": variables["action"] or "",
        "du": since.isoformat() if since else "",
        "au": until.isoformat() if until else "",
    }
    return visit.render(
        "partners/audit.html",
        status=400 if invalid else 200,
        space=space,
        tab="delegates",
        entries=page["entries"],
        next_cursor=page["nextCursor"],
        people=people,
        actions=ACTIONS,
        filters=filters,
        invalid=invalid,
    )
