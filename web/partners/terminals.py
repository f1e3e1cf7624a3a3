"""The « Terminaux » tab: the partner's payment terminals, pairing a new one, renaming and
revoking them (for delegates with the terminals permission; the principal holds it).

- `/partenaires/terminaux`: GET the list (state, last seen) and the form of step 1; POST
  runs `createTerminal` and shows the one-time pairing code and its QR, once: the code is
  not kept anywhere we could show it again.
- `/partenaires/terminaux/{id}/nom` (POST): `renameTerminal`.
- `/partenaires/terminaux/{id}/revocation`: GET asks for confirmation, POST runs
  `revokeTerminal` (the terminal's next request is refused).
"""

from __future__ import annotations

from typing import Any

import segno
from starlette.responses import Response

from web.graphql import user_error
from web.pages import Visit
from web.partners.space import PartnerSpace, enter

TERMINALS = "TERMINALS"
PAIRING_PATH = "/terminal/appairage"
KINDS = {
    "SMART_TPE": "Smart TPE (téléphone ou ordinateur de la caisse)",
    "SUPPLIED_TPE": "TPE fourni par le Département",
    "SUPPLIED_TPE_PRINTER": "TPE fourni par le Département, avec imprimante",
}
STATES = {"PENDING": "En attente d'appairage", "ACTIVE": "Actif", "REVOKED": "Révoqué"}


def pairing_qr(visit: Visit, code: str) -> str:
    """The QR a terminal's camera reads: the pairing page's address with the code, as a
    data: URI (the CSP allows data: images, not inline markup with styles)."""
    url = f"{visit.settings.public_url.rstrip('/')}{PAIRING_PATH}?code={code}"
    return str(segno.make(url, error="m").svg_data_uri(scale=5, border=2))


async def _list(
    visit: Visit, **values: Any
) -> tuple[PartnerSpace, list[dict[str, Any]]] | Response:
    entered = await enter(visit, "terminals_page", with_partner=True)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    if not space.may(TERMINALS):
        return visit.render("errors/forbidden.html", status=403, space=space)
    return space, data["terminals"] or []


def _render(
    visit: Visit,
    space: PartnerSpace,
    terminals: list[dict[str, Any]],
    status: int = 200,
    **values: Any,
) -> Response:
    defaults: dict[str, Any] = {
        "errors": {},
        "pairing": None,
        "name": "",
        "kind": "SMART_TPE",
        "notice": None,
        "pairing_url": pairing_url(visit),
    }
    return visit.render(
        "partners/terminals.html",
        status=status,
        space=space,
        tab="terminals",
        terminals=terminals,
        kinds=KINDS,
        states=STATES,
        **{**defaults, **values},
    )


async def terminals_page(visit: Visit) -> Response:
    listed = await _list(visit)
    if isinstance(listed, Response):
        return listed
    space, terminals = listed
    if visit.request.method != "POST":
        return _render(visit, space, terminals)
    name, kind = visit.field("nom"), visit.field("type")
    if kind not in KINDS:
        kind = "SMART_TPE"
    answer = (await visit.run("create_terminal", partnerId=space.partner_id, name=name, kind=kind))[
        "createTerminal"
    ]
    error = user_error(answer)
    if error is not None:
        errors = {"nom" if error.field in (None, "name") else error.field: error.message}
        return _render(visit, space, terminals, 422, errors=errors, name=name, kind=kind)
    listed = await _list(visit)  # the new terminal in the list, waiting
    if isinstance(listed, Response):
        return listed
    pairing = {**answer, "qr": pairing_qr(visit, answer["pairingCode"])}
    return _render(visit, listed[0], listed[1], pairing=pairing)


def pairing_url(visit: Visit) -> str:
    return f"{visit.settings.public_url.rstrip('/')}{PAIRING_PATH}"


async def rename(visit: Visit) -> Response:
    listed = await _list(visit)
    if isinstance(listed, Response):
        return listed
    space, terminals = listed
    terminal_id = visit.request.path_params["id"]
    if not any(t["id"] == terminal_id for t in terminals):
        return visit.render("errors/not_found.html", status=404, space=space)
    answer = (await visit.run("rename_terminal", id=terminal_id, name=visit.field("nom")))[
        "renameTerminal"
    ]
    error = user_error(answer)
    if error is not None:
        errors = {f"nom-{terminal_id}": error.message}
        return _render(visit, space, terminals, 422, errors=errors)
    return visit.redirect("/partenaires/terminaux")


async def revocation(visit: Visit) -> Response:
    listed = await _list(visit)
    if isinstance(listed, Response):
        return listed
    space, terminals = listed
    terminal = next((t for t in terminals if t["id"] == visit.request.path_params["id"]), None)
    if terminal is None:
        return visit.render("errors/not_found.html", status=404, space=space)
    values: dict[str, Any] = {"space": space, "tab": "terminals", "terminal": terminal}
    if visit.request.method == "POST" and terminal["state"] != "REVOKED":
        answer = (await visit.run("revoke_terminal", id=terminal["id"]))["revokeTerminal"]
        error = user_error(answer)
        if error is not None:
            return visit.render(
                "partners/terminal_revocation.html", status=409, refusal=error.message, **values
            )
        values["terminal"] = {**terminal, **answer}
    return visit.render("partners/terminal_revocation.html", refusal=None, **values)
