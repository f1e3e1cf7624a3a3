"""Hotline in Chromium: a support agent finds yesterday's transaction by the partner's
name and regularises it; a finance officer has no tab to it and is refused."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Page, expect

from domain.core import clock
from models.accounts import StaffRole
from models.transactions import CardTransaction, TransactionStatus
from tests.browser.backoffice import expect_refused, section_tabs, staff_signed_in
from tests.browser.partner_space import sign_out
from tests.web.backoffice_helpers import yesterday_s_debit


async def test_a_support_agent_regularises_yesterday_s_transaction(page: Page, look_at):
    team, _, _, transaction = await yesterday_s_debit("12,40")
    await staff_signed_in(page, StaffRole.SUPPORT)

    await section_tabs(page).get_by_text("Hotline").click()
    await page.get_by_label("Partenaire (nom ou SIRET)").fill(team.partner.trade_name)
    await page.get_by_label("Jour").fill((clock.paris_today() - timedelta(days=1)).isoformat())
    await page.get_by_role("button", name="Rechercher").click()
    row = page.locator(f"#transaction-{transaction.id}")
    await expect(row).to_contain_text("12,40 €")
    await look_at(page, "results")
    await row.get_by_role("link", name="Régulariser").click()
    await page.get_by_role("button", name="Régulariser la transaction").click()
    await expect(page.get_by_label("Motif de la régularisation")).to_have_attribute(
        "aria-invalid", "true"
    )
    await look_at(page, "error")
    await page.get_by_label("Motif de la régularisation").fill("Le jeune a payé deux fois.")
    await page.get_by_role("button", name="Régulariser la transaction").click()

    await expect(page.locator("#regularization-done")).to_contain_text(transaction.reference)
    regularized = await CardTransaction.get(id=transaction.id)
    assert regularized.status == TransactionStatus.REGULARIZED
    await sign_out(page)


async def test_a_finance_officer_has_no_hotline(page: Page, look_at):
    await staff_signed_in(page, StaffRole.FINANCE)
    await expect_refused(page, "/departement/hotline", "Hotline")
    await look_at(page, "refused")
    await sign_out(page)
