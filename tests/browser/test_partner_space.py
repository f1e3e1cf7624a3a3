"""The partner space around the till, in Chromium: what each delegate sees (their permissions
open the tabs), the choice of partner for a delegate of several, and a revoked delegate's open
page signed out at its next click."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from models.partners import Delegate, DelegatePermission
from server import viewer_listener
from tests.browser.partner_space import (
    SIGN_IN,
    main_heading,
    sign_in,
)
from tests.factories import LOGIN, PASSWORD, accept, collaborator, partner_team, till

REVOKE = "mutation($id: ID!) { revokeDelegate(delegateId: $id) { __typename } }"


def tabs(page: Page):
    return page.get_by_role("navigation", name="Espace partenaire").get_by_role("link")


async def test_a_cashier_with_only_transactions_sees_the_till_and_nothing_else(page: Page, look_at):
    _, cashier = await till()

    await sign_in(page, cashier)

    await expect(tabs(page)).to_have_text(
        ["Accueil", "Effectuer une transaction", "Transactions", "Paramètres", "Aide"]
    )
    await look_at(page)


async def test_a_collaborator_without_transactions_never_sees_the_till(page: Page, look_at):
    team = await partner_team()
    editor = await collaborator(team, DelegatePermission.OFFERS_AND_POSTS)

    await sign_in(page, editor)

    await expect(tabs(page)).not_to_contain_text(["Effectuer une transaction"])
    await expect(page.get_by_role("link", name="Effectuer une transaction")).to_have_count(0)
    await look_at(page)


async def test_a_delegate_of_two_partners_chooses_the_one_they_act_for(page: Page, look_at):
    first, cashier = await till()
    second = await partner_team(name="Librairie")
    await accept(await second_delegation(second, cashier))

    await sign_in(page, cashier)

    await expect(main_heading(page)).to_have_text("Pour quelle structure agissez-vous ?")
    await look_at(page, "choose")
    await page.get_by_label(second.partner.trade_name).check()
    await page.get_by_role("button", name="Continuer").click()
    await expect(page).to_have_url(re.compile(r"/partenaires/$"))
    await expect(page.get_by_label("Vous agissez pour")).to_have_value(str(second.partner.id))
    await look_at(page, "acting")
    assert first.partner.trade_name != second.partner.trade_name


async def second_delegation(team, user) -> Delegate:
    """`user` invited by `team`'s principal too (TRANSACTIONS)."""
    from domain.accounts.viewer import Viewer
    from domain.core.transactions import atomic
    from domain.partners.delegates import invite

    principal = await Delegate.get(partner_id=team.partner.id, is_principal=True)
    async with atomic():
        return await invite(
            Viewer(user=team.principal, delegations={team.partner.id: principal}),
            team.partner,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            permissions=[DelegatePermission.TRANSACTIONS],
        )


async def test_a_revoked_delegates_open_page_is_signed_out_at_its_next_click(page: Page, gql):
    team, cashier = await till()
    await sign_in(page, cashier)
    await expect(main_heading(page)).to_have_text("Bonjour Colette")

    signed_in = await gql.post(LOGIN, {"email": team.principal.email, "password": PASSWORD})
    principal = signed_in["data"]["login"]["accessToken"]
    delegate = await Delegate.get(partner_id=team.partner.id, user_id=cashier.id)
    revoked = await gql.post(REVOKE, {"id": str(delegate.id)}, token=principal)
    assert revoked["data"]["revokeDelegate"]["__typename"] == "DelegationSuccess"
    await viewer_listener.settle()

    await tabs(page).get_by_text("Accueil").click()

    await expect(page).to_have_url(re.compile(SIGN_IN))
    await expect(page.get_by_role("status")).to_contain_text("Votre session a pris fin")
