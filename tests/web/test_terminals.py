"""The « Terminaux » tab: pairing a terminal in two steps from the partner space (the code
and its QR shown once), the list with last seen, renaming, revoking; who sees the tab."""

from __future__ import annotations

import re

from models.partners import DelegatePermission
from models.terminals import Terminal
from tests.factories import collaborator, till
from tests.terminals import STATUS_QUERY, as_terminal, pair
from tests.web.support import Browser, text_of

CODE = re.compile(r'id="pairing-code">([0-9A-Z]{5}-[0-9A-Z]{5})<')


async def test_a_principal_pairs_renames_and_revokes_a_terminal(browser: Browser, gql):
    team, _ = await till()
    await browser.sign_in(team.principal.email)
    page = await browser.get("/partenaires/terminaux")
    assert page.status_code == 200 and 'id="tab-terminals"' in page.text
    assert "Aucun terminal" in text_of(page)

    created = await browser.post("/partenaires/terminaux", {"nom": "Caisse 1", "type": "SMART_TPE"})
    assert created.status_code == 200, text_of(created)
    code = CODE.search(created.text)
    assert code, text_of(created)
    assert 'id="pairing-qr" src="data:image/svg+xml' in created.text
    assert "En attente d'appairage" in text_of(created)
    # Shown once: the list does not show it again.
    assert code.group(1) not in (await browser.get("/partenaires/terminaux")).text

    paired = await pair(gql, code.group(1))
    terminal = as_terminal(gql, paired["credential"])
    assert (await terminal.post(STATUS_QUERY))["data"]["terminalStatus"]["terminal"]["name"] == (
        "Caisse 1"
    )
    listed = text_of(await browser.get("/partenaires/terminaux"))
    assert "Actif" in listed and "Jamais" not in listed  # last seen: when it paired

    terminal_id = paired["terminal"]["id"]
    renamed = await browser.post(f"/partenaires/terminaux/{terminal_id}/nom", {"nom": "Bar"})
    assert renamed.status_code == 303
    assert (await Terminal.get(id=terminal_id)).name == "Bar"

    confirm = await browser.get(f"/partenaires/terminaux/{terminal_id}/revocation")
    assert "Révoquer « Bar » ?" in text_of(confirm)
    assert await Terminal.filter(id=terminal_id, state="active").exists()  # a GET changes nothing
    done = await browser.post(f"/partenaires/terminaux/{terminal_id}/revocation")
    assert 'id="revocation-done"' in done.text
    refused = await terminal.post(STATUS_QUERY)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Révoqué le" in text_of(await browser.get("/partenaires/terminaux"))


async def test_a_nameless_terminal_is_refused_next_to_its_field(browser: Browser):
    team, _ = await till()
    await browser.sign_in(team.principal.email)
    await browser.get("/partenaires/terminaux")
    refused = await browser.post("/partenaires/terminaux", {"nom": "  ", "type": "SMART_TPE"})
    assert refused.status_code == 422
    assert 'id="terminal-name-erreur"' in refused.text and 'aria-invalid="true"' in refused.text
    assert await Terminal.filter(partner_id=team.partner.id).count() == 0


async def test_only_delegates_with_the_terminals_permission_see_the_tab(
    browser: Browser, other_browser: Browser
):
    team, cashier = await till()
    await browser.sign_in(cashier.email)
    till_page = await browser.get("/partenaires/caisse")
    assert 'id="tab-terminals"' not in till_page.text
    assert (await browser.get("/partenaires/terminaux")).status_code == 403
    manager = await collaborator(team, DelegatePermission.TERMINALS)
    await other_browser.sign_in(manager.email)
    assert (await other_browser.get("/partenaires/terminaux")).status_code == 200
