"""The till in terminal mode (`/terminal/…`): a phone's or a till PC's browser paired as the
partner's payment terminal, installable as a full-screen web app.

- `/terminal/appairage`: GET the code field (filled from `?code=`, as the QR of the partner
  space's « Terminaux » tab opens it; a GET changes nothing), POST `pairTerminal`: the
  credential goes into the terminal's cookie, then the till.
- `/terminal/caisse` (GET, POST a lookup), `/terminal/caisse/paiement` (POST a debit): the
  partner space's till (templates/partners/_till.html), its requests made as the terminal.
- `/terminal/tickets/{id}`: the terminal's own ticket (`?largeur=58|80`).
- `/terminal/manifest.webmanifest`: the web app's manifest (full screen, icons).
- `/terminal/oublier` (POST): the browser forgets the credential.

Where the credential lives: a cookie, HttpOnly (no script, so no injected script, can read
it), SameSite=Strict (no other site's link or form sends it), Secure in production, with
`Path=/terminal` so it goes only to these pages: not to `/graphql`, not to the partner
space. Every page reads the terminal's row again (`Context.resume_terminal`), so a
revocation in the partner space stops this browser at its next page. A person's web
session in the same browser is not used here: these pages act as the terminal only.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.responses import Response

from web.graphql import user_error
from web.pages import Visit
from web.partners.card_input import card_text
from web.partners.till import INVALID_STATUS, DebitForm, TillView, _checked, _refusal

BASE = "/terminal"
TILL = f"{BASE}/caisse"
PAIRING = f"{BASE}/appairage"
WIDTHS = {"58": 32, "80": 48}
COOKIE_MAX_AGE = 400 * 86400  # browsers cap cookies at 400 days


def cookie_name(visit: Visit) -> str:
    return "__Secure-cjeune-terminal" if visit.settings.is_production else "cjeune_terminal"


def _set_credential(visit: Visit, response: Response, credential: str) -> Response:
    response.set_cookie(
        cookie_name(visit),
        credential,
        max_age=COOKIE_MAX_AGE,
        path=BASE,
        secure=visit.settings.is_production,
        httponly=True,
        samesite="strict",
    )
    return response


def _forget(visit: Visit, response: Response) -> Response:
    response.delete_cookie(
        cookie_name(visit),
        path=BASE,
        secure=visit.settings.is_production,
        httponly=True,
        samesite="strict",
    )
    return response


async def _as_terminal(visit: Visit) -> dict[str, Any] | Response:
    """The terminal's status, its viewer in place; the pairing page when this browser holds
    no valid credential (never paired, revoked, rotated elsewhere)."""
    credential = visit.request.cookies.get(cookie_name(visit))
    if not credential or not await visit.context.resume_terminal(credential):
        response = visit.redirect(f"{PAIRING}?raison=revoque" if credential else PAIRING)
        return _forget(visit, response) if credential else response
    status: dict[str, Any] = (await visit.run("terminal_status"))["terminalStatus"]
    return status


def _render_till(visit: Visit, status: dict[str, Any], view: TillView, code: int) -> Response:
    values = {"till": view, "till_base": TILL, "terminal": status, "ticket_base": f"{BASE}/tickets"}
    if visit.is_htmx:
        return visit.render("partners/_till.html", status=code, **values)
    return visit.render("partners/terminal_till.html", status=code, **values)


async def pairing(visit: Visit) -> Response:
    if visit.request.method != "POST":
        reason = visit.request.query_params.get("raison")
        return visit.render(
            "partners/terminal_pairing.html",
            code=visit.request.query_params.get("code", "")[:20],
            error=None,
            revoked=reason == "revoque",
        )
    code = visit.field("code")
    if not code:
        error = "Saisissez le code d'appairage affiché dans votre espace partenaire."
    else:
        answer = (await visit.run("pair_terminal", code=code))["pairTerminal"]
        refusal = user_error(answer)
        if refusal is None:
            return _set_credential(visit, visit.redirect(TILL), answer["credential"])
        error = refusal.message
    return visit.render(
        "partners/terminal_pairing.html",
        status=INVALID_STATUS,
        code=code,
        error=error,
        revoked=False,
    )


async def till_page(visit: Visit) -> Response:
    status = await _as_terminal(visit)
    if isinstance(status, Response):
        return status
    return _render_till(visit, status, TillView(), 200)


async def _lookup(visit: Visit, status: dict[str, Any], typed: str, view: TillView) -> None:
    partner_id = status["terminal"]["partnerId"]
    answer = (await visit.run("lookup_card", partnerId=partner_id, code=card_text(typed)))[
        "lookupCard"
    ]
    error = user_error(answer)
    if error is not None:
        view.card_error = error.message
        return
    view.check = answer
    view.typed = answer["cardCode"]
    if len(answer["wallets"]) == 1:
        view.debit.wallet = view.debit.wallet or answer["wallets"][0]["kind"]


async def lookup(visit: Visit) -> Response:
    status = await _as_terminal(visit)
    if isinstance(status, Response):
        return status
    view = TillView(typed=visit.field("code"))
    if not view.typed:
        view.card_error = "Saisissez ou scannez le code de la carte."
        return _render_till(visit, status, view, INVALID_STATUS)
    await _lookup(visit, status, view.typed, view)
    return _render_till(visit, status, view, INVALID_STATUS if view.card_error else 200)


async def pay(visit: Visit) -> Response:
    status = await _as_terminal(visit)
    if isinstance(status, Response):
        return status
    code = visit.field("code")
    if not code:
        return visit.redirect(TILL)
    form = DebitForm(
        wallet=visit.field("wallet"),
        amount=visit.field("amount"),
        key=visit.field("idempotency_key") or uuid.uuid4().hex,
    )
    form.errors = _checked(visit, form)
    if not form.errors:
        debit = {
            "partnerId": status["terminal"]["partnerId"],
            "code": code,
            "walletKind": form.wallet,
            "amount": form.amount,
            "idempotencyKey": form.key,
            "pin": visit.field("pin") or None,
            "channel": "TERMINAL",
        }
        answer = (await visit.run("debit_card", input=debit))["debitCard"]
        error = user_error(answer)
        if error is None:
            return _render_till(visit, status, TillView(done=answer), 200)
        form.errors = _refusal(error)
    view = TillView(typed=code, debit=DebitForm(wallet=form.wallet, amount=form.amount))
    view.debit.errors = form.errors
    await _lookup(visit, status, code, view)
    return _render_till(visit, status, view, INVALID_STATUS)


async def ticket(visit: Visit) -> Response:
    status = await _as_terminal(visit)
    if isinstance(status, Response):
        return status
    paper = visit.request.query_params.get("largeur", "58")
    paper = paper if paper in WIDTHS else "58"
    data = await visit.run(
        "terminal_ticket",
        partnerId=status["terminal"]["partnerId"],
        id=visit.request.path_params["id"],
        width=WIDTHS[paper],
    )
    if data["transaction"] is None:  # another terminal's, or none
        return visit.render("errors/not_found.html", status=404)
    return visit.render(
        "partners/terminal_ticket.html",
        terminal=status,
        transaction=data["transaction"],
        paper=paper,
    )


async def forget(visit: Visit) -> Response:
    return _forget(visit, visit.redirect(PAIRING))


async def manifest(visit: Visit) -> Response:
    assets = visit.web.assets
    body = {
        "name": "CJeune de Provence — Terminal de paiement",
        "short_name": "CJeune TPE",
        "lang": "fr",
        "start_url": TILL,
        "scope": f"{BASE}/",
        "display": "fullscreen",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#005493",
        "icons": [
            {
                "src": assets.url(f"terminal/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )
