"""Signing in and out, and the account pages our emails link to, in Chromium, as a person
goes through them: each page checked by axe-core and screenshotted at 360 and 1280 px, each
answer with a strict Content-Security-Policy, and the security a browser enforces: the
session cookie's flags, a form posted without its CSRF token refused."""

from __future__ import annotations

import re
from datetime import date

from playwright.async_api import Page, expect

from domain.accounts.users import Registration, register_young_person
from domain.accounts.viewer import Viewer
from domain.core.transactions import atomic
from domain.partners.delegates import invite
from models.accounts import User
from models.partners import Delegate, DelegatePermission
from tests.browser.partner_space import (
    PARTNER_HOME,
    SIGN_IN,
    expect_error_next_to,
    link_in,
    main_heading,
    open_page,
    sign_in,
    sign_out,
)
from tests.factories import PASSWORD, partner_team
from tests.support import jobs_done, unique

NEW_PASSWORD = "Savon-de-Marseille-1688"


async def test_sign_in_then_sign_out(page: Page, look_at, settings):
    team = await partner_team()

    await open_page(page, PARTNER_HOME)  # signed out: sent to sign in, then brought back
    await expect(page).to_have_url(re.compile(r"/connexion\?suite=(%2F|/)partenaires(%2F|/)$"))
    await expect(page.get_by_label("Adresse e-mail")).to_be_focused()
    await look_at(page, "form")
    await page.get_by_label("Adresse e-mail").fill(team.principal.email)
    await page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()

    await expect(page).to_have_url(re.compile(r"/partenaires/$"))
    await expect(main_heading(page)).to_have_text("Bonjour Paul")
    await expect(page.get_by_text(team.partner.trade_name).first).to_be_visible()
    await look_at(page, "home")
    from web.session import cookie_name

    cookies = {c["name"]: c for c in await page.context.cookies()}
    session = cookies[cookie_name(settings)]
    assert session["httpOnly"] is True and session["sameSite"] == "Lax"
    assert session["secure"] is False  # plain http in tests; Secure (and __Host-) in production

    await sign_out(page)
    await expect(page.get_by_role("status")).to_contain_text("Vous êtes déconnecté")
    await look_at(page, "signed-out")
    await open_page(page, PARTNER_HOME)
    await expect(page).to_have_url(re.compile(SIGN_IN))


async def test_sign_in_errors_show_next_to_their_field(page: Page, look_at):
    await open_page(page, SIGN_IN)
    await page.get_by_role("button", name="Se connecter").click()

    await expect_error_next_to(page.get_by_label("Adresse e-mail"), "Saisissez votre adresse")
    await expect_error_next_to(page.get_by_label("Mot de passe", exact=True), "Saisissez votre")
    await expect(page.get_by_role("alert")).to_be_visible()  # the summary, announced
    await look_at(page, "empty")

    await page.get_by_label("Adresse e-mail").fill(f"{unique('nobody')}@partenaire.test")
    await page.get_by_label("Mot de passe", exact=True).fill("pas-le-bon-mot-de-passe")
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page.get_by_role("alert")).to_contain_text("mot de passe incorrect")
    await look_at(page, "refused")


async def test_a_form_posted_without_its_csrf_token_is_refused(page: Page, look_at):
    team = await partner_team()
    await open_page(page, SIGN_IN)
    await page.get_by_label("Adresse e-mail").fill(team.principal.email)
    await page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    await page.locator("input[name=csrf]").evaluate("input => input.remove()")

    async with page.expect_response(lambda r: r.request.method == "POST") as answer:
        await page.get_by_role("button", name="Se connecter").click()

    assert (await answer.value).status == 403
    await expect(main_heading(page)).to_be_visible()
    await expect(page.locator("body")).not_to_contain_text("Bonjour Paul")
    await look_at(page)
    await open_page(page, PARTNER_HOME)  # not signed in
    await expect(page).to_have_url(re.compile(SIGN_IN))


async def test_a_forgotten_password_is_replaced_through_the_emailed_link(
    page: Page, look_at, mailbox
):
    team = await partner_team()
    email = team.principal.email
    await open_page(page, SIGN_IN)
    await page.get_by_role("link", name="Mot de passe oublié ?").click()
    await expect(main_heading(page)).to_have_text("Mot de passe oublié")
    await look_at(page, "ask")
    await page.get_by_label("Adresse e-mail").fill(email)
    await page.get_by_role("button", name="Recevoir le lien").click()
    await expect(main_heading(page)).to_have_text("Vérifiez votre messagerie")
    await look_at(page, "asked")

    await jobs_done()
    link = link_in(await mailbox.wait_for(email, "Réinitialisation"))
    await open_page(page, link)
    await open_page(page, link)  # a second GET (a mail scanner's) uses nothing up
    await expect(main_heading(page)).to_have_text("Choisir un nouveau mot de passe")
    await look_at(page, "form")
    await page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    await page.get_by_label("Confirmez le nouveau mot de passe").fill("autre chose")
    await page.get_by_role("button", name="Enregistrer le mot de passe").click()
    await expect_error_next_to(
        page.get_by_label("Confirmez le nouveau mot de passe"), re.compile(".")
    )
    await look_at(page, "mismatch")

    await page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    await page.get_by_label("Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Enregistrer le mot de passe").click()
    await expect(page).to_have_url(re.compile(r"/connexion\?raison=mot-de-passe"))
    await sign_in(page, email, NEW_PASSWORD)
    await expect(main_heading(page)).to_have_text("Bonjour Paul")

    await sign_out(page)
    used = await open_page(page, link)  # used: said at once, before any typing
    assert used.status == 410
    await expect(main_heading(page)).to_have_text("Ce lien n'est plus valable")
    await expect(page.get_by_label("Nouveau mot de passe", exact=True)).to_have_count(0)
    await expect(page.get_by_role("link", name="Demander un nouveau lien")).to_be_visible()
    await look_at(page, "used")


async def test_a_delegate_accepts_an_invitation_and_chooses_a_password(
    page: Page, look_at, mailbox
):
    team = await partner_team()
    principal = await Delegate.get(partner_id=team.partner.id, is_principal=True)
    email = f"{unique('caisse')}@partenaire.test"
    async with atomic():
        await invite(
            Viewer(user=team.principal, delegations={team.partner.id: principal}),
            team.partner,
            email=email,
            first_name="Colette",
            last_name="Laborde",
            permissions=[DelegatePermission.TRANSACTIONS],
        )
    await jobs_done()
    link = link_in(await mailbox.wait_for(email))
    assert link.startswith("/partenaires/invitation?jeton=")

    await open_page(page, link)
    await expect(main_heading(page)).to_have_text("Rejoindre l'espace partenaire")
    await look_at(page, "form")
    await page.get_by_label("Mot de passe", exact=True).fill("court")
    await page.get_by_role("button", name="Accepter l'invitation").click()
    await expect_error_next_to(
        page.get_by_label("Mot de passe", exact=True), re.compile("10 caractères")
    )
    await look_at(page, "weak")

    await page.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Accepter l'invitation").click()
    await expect(page).to_have_url(re.compile(r"/partenaires/"))
    await expect(main_heading(page)).to_have_text("Bonjour Colette")
    await sign_out(page)
    await sign_in(page, email, NEW_PASSWORD)
    await expect(main_heading(page)).to_have_text("Bonjour Colette")


async def test_a_young_person_confirms_their_email_address(page: Page, look_at, mailbox):
    email = f"{unique('jeune')}@jeune.test"
    await register_young_person(
        Registration(
            email=email,
            password=PASSWORD,
            first_name="Jade",
            last_name="Vidal",
            birth_date=date(2010, 5, 4),
            postal_code="13001",
        )
    )
    await jobs_done()
    link = link_in(await mailbox.wait_for(email))

    await open_page(page, link)
    await expect(main_heading(page)).to_have_text("Confirmer votre adresse e-mail")
    await look_at(page, "form")
    assert (await User.get(email=email)).email_verified_at is None  # a GET confirms nothing
    await page.get_by_role("button", name="Confirmer mon adresse e-mail").click()
    await expect(main_heading(page)).to_have_text("Adresse e-mail confirmée")
    await look_at(page, "done")
    assert (await User.get(email=email)).email_verified_at is not None


async def test_a_wrong_link_gets_a_page_with_a_way_forward(page: Page, look_at):
    await open_page(page, "/nouveau-mot-de-passe?jeton=abime")

    await expect(main_heading(page)).to_have_text("Ce lien n'est plus valable")
    await expect(page.get_by_role("link", name="Demander un nouveau lien")).to_be_visible()
    await look_at(page)


async def test_the_accessibility_statement_the_footer_links_to(page: Page, look_at):
    await open_page(page, SIGN_IN)

    await page.get_by_role("contentinfo").get_by_role("link", name="Accessibilité").click()

    await expect(main_heading(page)).to_have_text("Déclaration d'accessibilité")
    await look_at(page)
