"""Signing in and out, and the account pages our emails link to.

- `/connexion`: the `login` mutation (its throttling and Argon2id), then the web session.
- `/deconnexion` (POST): the `logout` mutation closes the API session; the cookie goes.
- `/mot-de-passe-oublie`: `requestPasswordReset` (the same answer whether the account
  exists or not).
- `/nouveau-mot-de-passe?jeton=…`: `resetPassword`.
- `/verifier-email?jeton=…`: `verifyEmail`.
- `/partenaires/invitation?jeton=…`: `acceptInvitation`, which also signs the delegate in.
- `/departement/invitation?jeton=…`: `acceptStaffInvitation`, which signs the new staff
  member in and lands them in the back office.

A GET of a page reached by an emailed token never uses the token (mail scanners and link
previews open every link): it shows a form whose button POSTs it. An expired or used token
gets a page saying so and what to do instead.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.responses import Response
from starlette.routing import Route

from web import session as web_session
from web.graphql import UserError, user_error
from web.pages import Visit, Web, local_path

SIGN_IN_REASONS = {
    "deconnexion": "Vous êtes déconnecté. À bientôt !",
    "session": "Votre session a pris fin : reconnectez-vous pour continuer.",
    "mot-de-passe": "Votre mot de passe est changé : connectez-vous avec le nouveau.",
}


# What the API answers for an emailed link that does not work (any more): unknown, and (with
# the email-link codes) expired or already used. Each has its own French way forward.
LINK_REFUSALS = {"INVALID_TOKEN", "LINK_EXPIRED", "LINK_USED"}


def _link_refused_by(error: UserError | None) -> bool:
    return error is not None and (error.code in LINK_REFUSALS or error.field == "token")


def _asked_suite(visit: Visit) -> str:
    """The page the sign-in was asked for (`?suite=`), or "" for the person's own home."""
    return local_path(visit.request.query_params.get("suite"), "")


def home_of(kind: str | None) -> str:
    """Where a person lands after signing in: a young person in their space, staff in the
    back office, delegates in the partner space."""
    return {"YOUNG_PERSON": "/mon-espace/", "STAFF": "/departement/"}.get(
        kind or "", "/partenaires/"
    )


def _field_errors(error: UserError, default_field: str) -> dict[str, str]:
    """The error under its field: the API names it (`password`, `token`…) or not."""
    return {error.field or default_field: error.message}


async def sign_in(visit: Visit) -> Response:
    suite = _asked_suite(visit)
    if visit.signed_in:
        if not suite:
            me = (await visit.run("viewer_kind"))["me"]
            suite = home_of(me["kind"] if me else None)
        return visit.redirect(suite)
    reason = SIGN_IN_REASONS.get(visit.request.query_params.get("raison", ""))
    values: dict[str, Any] = {"email": "", "errors": {}, "suite": suite, "reason": None}
    if visit.request.method == "POST":
        email, password = visit.field("email"), visit.raw_field("password")
        values["email"] = email
        if not email or not password:
            errors = {}
            if not email:
                errors["email"] = "Saisissez votre adresse e-mail."
            if not password:
                errors["password"] = "Saisissez votre mot de passe."
            values["errors"] = errors
            return visit.render("account/sign_in.html", status=400, **values)
        answer = (await visit.run("sign_in", email=email, password=password))["login"]
        error = user_error(answer)
        if error is not None:
            values["errors"] = {"form": error.message}
            status = 429 if error.code == "TOO_MANY_ATTEMPTS" else 400
            return visit.render("account/sign_in.html", status=status, **values)
        return _signed_in(visit, suite or home_of(answer["user"]["kind"]))
    return visit.render("account/sign_in.html", **{**values, "reason": reason})


def _signed_in(visit: Visit, then: str) -> Response:
    """The mutation signed someone in: the context's viewer is them, in their new session."""
    viewer = visit.context.viewer
    assert viewer.user is not None and viewer.session_id is not None
    visit.open_session(web_session.opened(viewer.user.id, viewer.session_id))
    return visit.redirect(then)


async def sign_out(visit: Visit) -> Response:
    if visit.signed_in:
        await visit.run("sign_out")
    visit.end_session()
    return visit.redirect("/connexion?raison=deconnexion")


async def forgotten_password(visit: Visit) -> Response:
    values: dict[str, Any] = {"email": visit.request.query_params.get("email", ""), "errors": {}}
    if visit.request.method == "POST":
        email = visit.field("email")
        if not email or "@" not in email:
            values.update(email=email, errors={"email": "Saisissez l'adresse e-mail du compte."})
            return visit.render("account/forgotten_password.html", status=400, **values)
        await visit.run("request_password_reset", email=email)
        return visit.render("account/reset_requested.html", email=email)
    return visit.render("account/forgotten_password.html", **values)


def _token(visit: Visit) -> str:
    return visit.request.query_params.get("jeton", "")


def _action(path: str, token: str) -> str:
    return f"{path}?jeton={quote(token, safe='')}"


async def new_password(visit: Visit) -> Response:
    token = _token(visit)
    values: dict[str, Any] = {"action": _action("/nouveau-mot-de-passe", token), "errors": {}}
    if not token:
        return _link_refused(visit, "reset", None)
    if visit.request.method == "POST":
        password, confirmation = visit.raw_field("password"), visit.raw_field("confirmation")
        if not password:
            values["errors"] = {"password": "Choisissez un mot de passe."}
        elif password != confirmation:
            values["errors"] = {"confirmation": "Les deux mots de passe ne sont pas identiques."}
        if values["errors"]:
            return visit.render("account/new_password.html", status=400, **values)
        answer = (await visit.run("reset_password", token=token, newPassword=password))[
            "resetPassword"
        ]
        error = user_error(answer)
        if _link_refused_by(error):
            assert error is not None
            return _link_refused(visit, "reset", error.message)
        if error is not None:
            values["errors"] = _field_errors(error, "password")
            return visit.render("account/new_password.html", status=400, **values)
        return visit.redirect("/connexion?raison=mot-de-passe")
    _, refused = await _open_link(visit, token, "RESET_PASSWORD", "reset")
    return refused or visit.render("account/new_password.html", **values)


async def verify_email(visit: Visit) -> Response:
    token = _token(visit)
    if not token:
        return _link_refused(visit, "verify", None)
    if visit.request.method == "POST":
        answer = (await visit.run("verify_email", token=token))["verifyEmail"]
        error = user_error(answer)
        if error is not None:
            return _link_refused(visit, "verify", error.message)
        return visit.render("account/email_verified.html")
    _, refused = await _open_link(visit, token, "VERIFY_EMAIL", "verify")
    action = _action("/verifier-email", token)
    return refused or visit.render("account/verify_email.html", action=action)


async def accept_invitation(visit: Visit) -> Response:
    token = _token(visit)
    values: dict[str, Any] = {"action": _action("/partenaires/invitation", token), "errors": {}}
    if not token:
        return _link_refused(visit, "invitation", None)
    if visit.request.method == "POST":
        password = visit.raw_field("password")
        if not password:
            values["errors"] = {"password": "Saisissez un mot de passe."}
        else:
            answer = (await visit.run("accept_invitation", token=token, password=password))[
                "acceptInvitation"
            ]
            error = user_error(answer)
            if _link_refused_by(error):
                assert error is not None
                return _link_refused(visit, "invitation", error.message)
            if error is None:
                return _signed_in(visit, "/partenaires/")
            values["errors"] = _field_errors(error, "password")
    # The form: to whom, for which partner, a new password or the one the person has.
    invitation, refused = await _open_link(visit, token, "DELEGATE_INVITATION", "invitation")
    status = 400 if values["errors"] else 200
    return refused or visit.render(
        "account/invitation.html", status=status, invitation=invitation, **values
    )


async def accept_staff_invitation(visit: Visit) -> Response:
    token = _token(visit)
    values: dict[str, Any] = {"action": _action("/departement/invitation", token), "errors": {}}
    if not token:
        return _link_refused(visit, "staff_invitation", None)
    if visit.request.method == "POST":
        password, confirmation = visit.raw_field("password"), visit.raw_field("confirmation")
        if not password:
            values["errors"] = {"password": "Choisissez un mot de passe."}
        elif password != confirmation:
            values["errors"] = {"confirmation": "Les deux mots de passe ne sont pas identiques."}
        else:
            answer = (await visit.run("accept_staff_invitation", token=token, password=password))[
                "acceptStaffInvitation"
            ]
            error = user_error(answer)
            if _link_refused_by(error):
                assert error is not None
                return _link_refused(visit, "staff_invitation", error.message)
            if error is None:
                return _signed_in(visit, "/departement/")
            values["errors"] = _field_errors(error, "password")
    invitation, refused = await _open_link(visit, token, "STAFF_INVITATION", "staff_invitation")
    status = 400 if values["errors"] else 200
    return refused or visit.render(
        "account/staff_invitation.html", status=status, invitation=invitation, **values
    )


async def _open_link(
    visit: Visit, token: str, purpose: str, kind: str
) -> tuple[dict[str, Any] | None, Response | None]:
    """The emailed link's details (`emailLink`), or the page saying it no longer works."""
    answer = (await visit.run("email_link", token=token, purpose=purpose))["emailLink"]
    error = user_error(answer)
    if error is not None:
        return None, _link_refused(visit, kind, error.message)
    return answer, None


def _link_refused(visit: Visit, kind: str, message: str | None) -> Response:
    return visit.render("account/link_refused.html", status=410, kind=kind, message=message)


def account_routes(web: Web) -> list[Route]:
    both = ["GET", "POST"]
    return [
        Route("/connexion", web.page(sign_in), methods=both),
        Route("/deconnexion", web.page(sign_out), methods=["POST"]),
        Route("/mot-de-passe-oublie", web.page(forgotten_password), methods=both),
        Route("/nouveau-mot-de-passe", web.page(new_password), methods=both),
        Route("/verifier-email", web.page(verify_email), methods=both),
        Route("/partenaires/invitation", web.page(accept_invitation), methods=both),
        Route("/departement/invitation", web.page(accept_staff_invitation), methods=both),
    ]
