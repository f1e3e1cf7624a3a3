"""« Mes délégués »: invite a collaborator from the page, follow the emailed link, change
their permissions, suspend, revoke (their open page is signed out), resend an invitation;
the audit trail and its filters; who may open these pages."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

from models.partners import Delegate, DelegatePermission, DelegateStatus
from tests.factories import collaborator, partner_team
from tests.support import jobs_done, unique
from tests.web.support import Browser, text_of
from tests.web.test_account_pages import NEW_PASSWORD, link_path
from web.formatting import paris_today


async def post_pairs(browser: Browser, url: str, pairs: list[tuple[str, str]]):
    """A form with a field given several times (checkboxes), as a browser sends it."""
    body = urlencode([*pairs, ("csrf", browser.csrf())])
    kind = {"content-type": "application/x-www-form-urlencoded"}
    return await browser.http.post(url, content=body, headers=kind)


async def invite_from_page(browser: Browser, email: str, *permissions: str):
    await browser.get("/partenaires/delegues")
    form = [("email", email), ("firstName", "Théo"), ("lastName", "Marin")]
    form += [("permissions", p) for p in permissions]
    return await post_pairs(browser, "/partenaires/delegues", form)


async def test_the_principal_invites_a_cashier_who_then_sees_only_the_till(
    browser, other_browser, mailbox
):
    team = await partner_team()
    await browser.sign_in(team.principal.email)
    email = f"{unique('caissier')}@partenaire.test"

    empty = await invite_from_page(browser, "")
    assert empty.status_code == 422
    assert 'id="invite-email-erreur"' in empty.text and 'id="permissions-erreur"' in empty.text
    invited = await invite_from_page(browser, email, "TRANSACTIONS")
    assert invited.status_code == 303
    listed = await browser.get(invited.headers["location"])
    assert "Invitation envoyée" in text_of(listed)
    assert email in text_of(listed) and "Invitation envoyée" in text_of(listed)

    await jobs_done()
    link = link_path(await mailbox.wait_for(email, "Invitation"))
    await other_browser.get(link)
    accepted = await other_browser.post(link, {"password": NEW_PASSWORD})
    assert accepted.status_code == 303
    home = await other_browser.follow(accepted)
    assert 'id="tab-till"' in home.text and 'id="tab-delegates"' not in home.text
    refused = await other_browser.get("/partenaires/delegues")
    assert refused.status_code == 403
    assert (await other_browser.get("/partenaires/delegues/journal")).status_code == 403

    # The principal sees their activity and revokes them: the cashier's next click signs out.
    listed = await browser.get("/partenaires/delegues")
    row = text_of(listed).split(email, 1)[1]
    assert "Actif" in row.split("Gérer", 1)[0] and "Jamais" not in row.split("Gérer", 1)[0]
    delegate = await Delegate.get(partner_id=team.partner.id, user__email=email)
    await browser.get(f"/partenaires/delegues/{delegate.id}")
    revoked = await browser.post(f"/partenaires/delegues/{delegate.id}", {"action": "revoquer"})
    assert revoked.status_code == 303
    assert "révoqué" in text_of(await browser.follow(revoked))
    assert (await Delegate.get(id=delegate.id)).status == DelegateStatus.REVOKED
    after = await other_browser.get("/partenaires/caisse")
    assert after.status_code == 303 and after.headers["location"].startswith("/connexion")


async def test_permissions_suspension_and_a_resent_invitation(browser, mailbox):
    team = await partner_team()
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    delegate = await Delegate.get(partner_id=team.partner.id, user_id=cashier.id)
    await browser.sign_in(team.principal.email)
    page = f"/partenaires/delegues/{delegate.id}"

    await browser.get(page)
    none = await browser.post(page, {"action": "droits"})
    assert none.status_code == 422 and 'id="permissions-erreur"' in none.text
    form = [("action", "droits"), ("permissions", "FINANCE"), ("permissions", "PROFILE")]
    saved = await post_pairs(browser, page, form)
    assert saved.status_code == 303
    assert sorted((await Delegate.get(id=delegate.id)).permissions) == ["finance", "profile"]

    await browser.get(page)
    assert (await browser.post(page, {"action": "suspendre"})).status_code == 303
    suspended = await browser.get(page)
    assert "Suspendu" in text_of(suspended) and 'id="reactivate-delegate"' in suspended.text
    assert (await browser.post(page, {"action": "reactiver"})).status_code == 303
    assert (await Delegate.get(id=delegate.id)).status == DelegateStatus.ACTIVE

    email = f"{unique('invite')}@partenaire.test"
    assert (await invite_from_page(browser, email, "PROFILE")).status_code == 303
    pending = await Delegate.get(partner_id=team.partner.id, user__email=email)
    await jobs_done()
    first = link_path(await mailbox.wait_for(email, "Invitation"))
    await browser.get(f"/partenaires/delegues/{pending.id}")
    resent = await browser.post(f"/partenaires/delegues/{pending.id}", {"action": "renvoi"})
    assert resent.status_code == 303
    await jobs_done()
    messages = [m for m in mailbox.to(email) if "Invitation" in m["Subject"]]
    assert len(messages) == 2 and link_path(messages[-1]) != first

    # Another partner's delegate is not found by URL guessing.
    other = await partner_team(name="Autre")
    stranger = await Delegate.get(partner_id=other.partner.id, is_principal=True)
    assert (await browser.get(f"/partenaires/delegues/{stranger.id}")).status_code == 404


async def trail(browser: Browser, query: str = "") -> str:
    """The words of the audit trail's table (not of its filters' options)."""
    page = await browser.get(f"/partenaires/delegues/journal{query}")
    assert page.status_code == 200
    table = re.search(r'<table id="audit-table".*?</table>', page.text, re.S)
    assert table is not None
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", table.group(0))).split())


async def test_the_audit_trail_is_filtered_by_delegate_action_and_day(browser):
    team = await partner_team()
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    delegate = await Delegate.get(partner_id=team.partner.id, user_id=cashier.id)
    await browser.sign_in(team.principal.email)
    await browser.get(f"/partenaires/delegues/{delegate.id}")
    await browser.post(f"/partenaires/delegues/{delegate.id}", {"action": "suspendre"})

    everything = await trail(browser)
    assert "Délégué suspendu" in everything and "Délégué invité" in everything
    assert "Paul Principal" in everything
    suspended = await trail(browser, "?action=delegate.suspended")
    assert "Délégué suspendu" in suspended and "Délégué invité" not in suspended
    assert "Aucune action" in await trail(browser, f"?delegue={cashier.id}")
    assert "Aucune action" in await trail(browser, "?au=2020-01-01")
    assert "Délégué suspendu" in await trail(browser, f"?du={paris_today()}")
    assert (await browser.get("/partenaires/delegues/journal?du=hier")).status_code == 400
