"""Équipe (administrators): invite a staff member who accepts with the emailed link and
lands in the back office, take a role back, deactivate the account (the person is signed
out at once); the last administrator stays; other roles have no tab and are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from models.accounts import StaffRole, User, UserKind
from models.audit import AuditEntry
from tests.factories import staff_member
from tests.support import jobs_done, unique
from tests.web.support import Browser, text_of
from tests.web.test_account_pages import NEW_PASSWORD, link_path
from tests.web.test_delegates import post_pairs


async def invite(browser: Browser, email: str, *roles: str) -> httpx.Response:
    await browser.get("/departement/equipe")
    pairs = [("email", email), ("firstName", "Inès"), ("lastName", "Garcia")]
    pairs += [("roles", role) for role in roles]
    return await post_pairs(browser, "/departement/equipe", pairs)


async def test_an_invited_member_accepts_loses_a_role_and_is_deactivated(
    browser, other_browser, mailbox
):
    admin = await staff_member(StaffRole.ADMINISTRATOR)
    await browser.sign_in(admin.email)
    assert 'id="tab-equipe"' in (await browser.get("/departement/")).text
    email = f"{unique('equipe')}@departement13.test"

    empty = await invite(browser, "")
    assert empty.status_code == 422
    assert 'id="invite-email-erreur"' in empty.text and 'id="roles-erreur"' in empty.text
    invited = await invite(browser, email, "MODERATION", "SUPPORT")
    assert invited.status_code == 303
    listed = await browser.follow(invited)
    assert "L'invitation est envoyée" in text_of(listed)
    member = await User.get(email=email)
    row = text_of(listed).split(email, 1)[1]
    assert "Modération, Support" in row and "Invité" in row and "Jamais" in row
    again = await invite(browser, admin.email, "SUPPORT")
    assert again.status_code == 422 and "fait déjà partie de l'équipe" in text_of(again)

    # The invitee opens the emailed link, chooses a password and lands in the back office.
    await jobs_done()
    link = link_path(await mailbox.wait_for(email, "Invitation"))
    assert link.startswith("/departement/invitation?jeton=")
    form = await other_browser.get(link)
    assert form.status_code == 200 and "Rejoindre l'équipe du Département" in text_of(form)
    mismatch = await other_browser.post(
        link, {"password": NEW_PASSWORD, "confirmation": "autre chose"}
    )
    assert mismatch.status_code == 400 and "pas identiques" in text_of(mismatch)
    accepted = await other_browser.post(
        link, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
    )
    assert accepted.status_code == 303 and accepted.headers["location"] == "/departement/"
    home = await other_browser.follow(accepted)
    assert 'id="tab-moderation"' in home.text and 'id="tab-jeunes"' in home.text
    assert 'id="tab-equipe"' not in home.text
    assert (await other_browser.get(link)).status_code == 410  # the link served once

    # The administrator takes the support role back: the member's next click is refused.
    page = await browser.get(f"/departement/equipe/{member.id}")
    assert "Actif" in text_of(page) and "Jamais" not in text_of(page)
    changed = await browser.post(f"/departement/equipe/{member.id}/roles", {"roles": "MODERATION"})
    assert changed.status_code == 303
    assert "Les rôles sont enregistrés" in text_of(await browser.follow(changed))
    assert (await User.get(id=member.id)).staff_roles == ["moderation"]
    assert (await other_browser.get("/departement/jeunes")).status_code == 403
    assert (await other_browser.get("/departement/moderation")).status_code == 200

    # Deactivated: signed out at once, and the password no longer opens the back office.
    deactivated = await browser.post(f"/departement/equipe/{member.id}/desactivation")
    assert deactivated.status_code == 303
    assert "Désactivé" in text_of(await browser.follow(deactivated))
    after = await other_browser.get("/departement/moderation")
    assert after.status_code == 303 and after.headers["location"].startswith("/connexion")
    await other_browser.get("/connexion")
    refused = await other_browser.post("/connexion", {"email": email, "password": NEW_PASSWORD})
    assert refused.status_code == 400
    reactivated = await browser.post(f"/departement/equipe/{member.id}/reactivation")
    assert "Le compte est réactivé" in text_of(await browser.follow(reactivated))

    actions = await AuditEntry.filter(object_id=str(member.id)).values_list("action", flat=True)
    assert set(actions) >= {
        "staff.invited",
        "staff.invitation_accepted",
        "staff.roles_changed",
        "staff.deactivated",
        "staff.reactivated",
    }


async def test_the_team_is_the_administrators_only(browser):
    member = await staff_member(StaffRole.SUPPORT)
    for role in (StaffRole.SUPPORT, StaffRole.FINANCE, StaffRole.MODERATION):
        viewer = await staff_member(role)
        await browser.sign_in(viewer.email)
        home = await browser.get("/departement/")
        assert "/departement/equipe" not in home.text
        assert (await browser.get("/departement/equipe")).status_code == 403
        assert (await browser.get(f"/departement/equipe/{member.id}")).status_code == 403
        refused = await browser.post(
            f"/departement/equipe/{member.id}/roles", {"roles": "ADMINISTRATOR"}
        )
        assert refused.status_code == 403
        assert (
            await browser.post(f"/departement/equipe/{member.id}/desactivation")
        ).status_code == 403
        await browser.post("/deconnexion")
    assert (await User.get(id=member.id)).staff_roles == ["support"]
    assert (await User.get(id=member.id)).is_active


@pytest.fixture
async def alone_administrator(settings) -> AsyncIterator[User]:
    """One administrator, the others of earlier tests set aside (and put back after)."""
    others = [
        u.id
        for u in await User.filter(kind=UserKind.STAFF, is_active=True)
        if StaffRole.ADMINISTRATOR in u.staff_roles
    ]
    await User.filter(id__in=others).update(is_active=False)
    try:
        yield await staff_member(StaffRole.ADMINISTRATOR)
    finally:
        await User.filter(id__in=others).update(is_active=True)


async def test_the_last_administrator_keeps_the_role_and_the_account(browser, alone_administrator):
    admin = alone_administrator
    await browser.sign_in(admin.email)
    await browser.get(f"/departement/equipe/{admin.id}")

    demoted = await browser.post(f"/departement/equipe/{admin.id}/roles", {"roles": "SUPPORT"})
    assert demoted.status_code == 422
    assert "plus aucun administrateur actif" in text_of(demoted)
    assert 'id="role-SUPPORT" checked' in demoted.text  # the choice is shown again
    deactivated = await browser.post(f"/departement/equipe/{admin.id}/desactivation")
    assert deactivated.status_code == 422 and 'id="member-refused"' in deactivated.text

    assert (await User.get(id=admin.id)).staff_roles == ["administrator"]
    assert (await browser.get("/departement/equipe")).status_code == 200


async def test_a_new_invitation_replaces_the_last_and_deactivation_cancels_it(
    browser, other_browser, mailbox
):
    await browser.sign_in((await staff_member(StaffRole.ADMINISTRATOR)).email)
    email = f"{unique('relance')}@departement13.test"
    assert (await invite(browser, email, "FINANCE")).status_code == 303
    await jobs_done()
    first = link_path(await mailbox.wait_for(email, "Invitation"))
    assert (await invite(browser, email, "FINANCE", "MARKETING")).status_code == 303
    await jobs_done()
    messages = [m for m in mailbox.to(email) if "Invitation" in m["Subject"]]
    assert len(messages) == 2
    second = link_path(messages[-1])

    old = await other_browser.get(first)
    assert old.status_code == 410 and "a expiré" in text_of(old)
    assert (await other_browser.get(second)).status_code == 200
    member = await User.get(email=email)
    assert member.staff_roles == ["finance", "marketing"]
    await browser.get(f"/departement/equipe/{member.id}")
    await browser.post(f"/departement/equipe/{member.id}/desactivation")
    cancelled = await other_browser.get(second)
    assert cancelled.status_code == 410 and "demandez à un administrateur" in text_of(cancelled)
