"""The pages that stand without the partner space, in Chromium: the service's `/`, GraphiQL
(development only), and the pages a person reaches from a link in an email (marketing
unsubscribe, a parent's consent, an expired or wrong statement link).

Each is looked at as a person would (axe-core at 360 and 1280 px, screenshots), carries a
Content-Security-Policy without inline scripts, and loads nothing from another host (the
guard of tests/browser/conftest.py refuses such a request and fails the test).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import Page, expect

from domain.consent.parental import consent_url
from domain.core import clock
from domain.finance.links import statement_links
from models.notifications import ParentalConsent
from push.unsubscribe import unsubscribe_token
from tests.browser.support import assert_strict_policy, csp_of
from tests.factories import young_person


def path_with_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_the_service_page(page: Page, look_at):
    response = await page.goto("/")

    assert response is not None and response.status == 200
    assert_strict_policy(csp_of(response))
    # The service's name (the web space may take `/` over: its words may change).
    await expect(page.get_by_role("heading", level=1)).to_contain_text("CJeune")
    await expect(page.locator("html")).to_have_attribute("lang", "fr")
    await look_at(page)


async def test_graphiql_runs_offline_from_the_app(page: Page, screenshot):
    response = await page.goto("/graphql")

    assert response is not None and response.status == 200
    assert_strict_policy(csp_of(response))
    editor = page.locator(".graphiql-query-editor")
    await expect(editor).to_be_visible()  # React and GraphiQL ran under the CSP, from the app
    await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    # The sample sign-in (a demo login, absent from the tests' database) reached the API.
    await expect(page.locator(".graphiql-response")).to_contain_text("INVALID_CREDENTIALS")
    # GraphiQL is a vendored tool for developers, not a page of the service: it is
    # screenshotted, not held to our accessibility bar.
    await screenshot(page)


async def test_the_unsubscribe_link(page: Page, look_at, settings):
    user = await young_person(date(2004, 3, 1))
    token = unsubscribe_token(settings, user.id, "email")

    response = await page.goto(f"/desabonnement?jeton={token}")
    assert_strict_policy(csp_of(response))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Se désabonner")
    await look_at(page, "asked")

    await page.get_by_role("button", name="Confirmer mon désabonnement").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Désabonnement confirmé")
    await look_at(page, "done")


async def test_a_wrong_unsubscribe_link(page: Page, look_at):
    response = await page.goto("/desabonnement?jeton=abimé")

    assert response is not None and response.status == 400
    assert_strict_policy(csp_of(response))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Lien non valable")
    await look_at(page)


async def test_a_parent_gives_consent(page: Page, look_at):
    user = await young_person(date(2013, 2, 1))
    consent = await ParentalConsent.create(
        young_person_id=user.id,
        parent_name="Nadia Vidal",
        parent_email="nadia.vidal@famille.test",
        requested_at=clock.now(),
    )
    link = path_with_query(consent_url(consent))
    assert parse_qs(urlsplit(link).query)["jeton"]

    response = await page.goto(link)
    assert_strict_policy(csp_of(response))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Votre accord pour Jade")
    await look_at(page, "asked")

    await page.get_by_role("button", name="Je donne mon accord").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Merci, votre accord est enregistré"
    )
    await expect(page.get_by_role("button", name="Retirer mon accord")).to_be_visible()
    await look_at(page, "given")
    assert (await ParentalConsent.get(id=consent.id)).given_at is not None


async def test_an_expired_statement_link(page: Page, look_at):
    with clock.frozen(clock.now() - timedelta(days=1)):
        links = statement_links(
            uuid.uuid4(), uuid.uuid4(), first=date(2026, 9, 1), last=date(2026, 9, 15)
        )

    response = await page.goto(urlsplit(links.urls["pdf"]).path)

    assert response is not None and response.status == 410
    assert_strict_policy(csp_of(response))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Lien expiré")
    await expect(page.get_by_text("Mes remboursements")).to_be_visible()
    await look_at(page)
