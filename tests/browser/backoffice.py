"""The back office's steps in Chromium: a staff member signs in and lands there; a
section's tab is there for the roles that own it only."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from models.accounts import StaffRole, User
from tests.browser.partner_space import open_page, sign_in
from tests.factories import staff_member

HOME = "/departement/"


async def staff_signed_in(page: Page, *roles: StaffRole) -> User:
    """A new staff member with `roles`, signed in: they land on the back office's home."""
    agent = await staff_member(*roles)
    await sign_in(page, agent)
    await expect(page).to_have_url(re.compile(re.escape(HOME) + "$"))
    return agent


def section_tabs(page: Page):
    return page.get_by_role("navigation", name="Espace du Département").get_by_role("link")


async def expect_refused(page: Page, path: str, tab: str) -> None:
    """No tab to the section, and its address answers 403 with the back office's page."""
    await expect(section_tabs(page)).not_to_contain_text([tab])
    answer = await open_page(page, path)
    assert answer.status == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
