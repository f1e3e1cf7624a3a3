"""A person's steps in the web space, in Chromium, by what a person sees: labels, button
names, headings (the pages are web/templates/; their parts are named after the DSFR's
patterns: a label above its field, the error under it tied by aria-describedby)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.async_api import Locator, Page, Response, expect

from models.accounts import User
from tests.browser.support import assert_strict_policy, csp_of
from tests.factories import PASSWORD

SIGN_IN = "/connexion"
PARTNER_HOME = "/partenaires/"
TILL = "/partenaires/caisse"
TRANSACTIONS = "/partenaires/transactions"


def path_of(url: str) -> str:
    """The path and query of a link (an email's, or a page's URL)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def link_in(message) -> str:
    """The path and query of the link with a `jeton=` an email sends."""
    body = message.get_body(("plain",)).get_content()
    return path_of(next(word for word in body.split() if "jeton=" in word))


async def open_page(page: Page, path: str) -> Response:
    """Go to `path`, check its answer carries a strict CSP; return the answer."""
    response = await page.goto(path)
    assert response is not None
    assert_strict_policy(csp_of(response))
    return response


async def sign_in(page: Page, user: User | str, password: str = PASSWORD) -> None:
    """Sign in through /connexion as a person does; lands in the partner space."""
    email = user if isinstance(user, str) else user.email
    await open_page(page, SIGN_IN)
    await page.get_by_label("Adresse e-mail").fill(email)
    await page.get_by_label("Mot de passe", exact=True).fill(password)
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page).not_to_have_url(re.compile(SIGN_IN))


async def sign_out(page: Page) -> None:
    await page.get_by_role("button", name="Se déconnecter").click()
    await expect(page).to_have_url(re.compile(SIGN_IN))


async def expect_error_next_to(field: Locator, message: str | re.Pattern[str]) -> None:
    """The field is marked invalid and its error is announced with it: the message is part
    of the field's accessible description (aria-describedby), shown under it."""
    await expect(field).to_have_attribute("aria-invalid", "true")
    pattern = message if isinstance(message, re.Pattern) else re.compile(re.escape(message))
    await expect(field).to_have_accessible_description(pattern)
    described_by = (await field.get_attribute("aria-describedby") or "").split()
    page = field.page
    shown = [page.locator(f"[id='{ident}']") for ident in described_by]
    visible = [await element.is_visible() for element in shown]
    assert any(visible), f"the error of {field} is not shown on the page"


def main_heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)
