"""Finance in Chromium: a finance officer closes a fortnight by hand, generates its batch,
downloads the SEPA file (valid against the pain.001.001.03 XSD) and the accounting CSV,
marks the batch sent then paid, and validates a bank details change; a support agent has
no tab to it and is refused."""

from __future__ import annotations

import asyncio
import os
import re
from datetime import timedelta
from pathlib import Path

import sepaxml
from lxml import etree
from playwright.async_api import Page, expect

from domain.finance.bank_details import BankDetailsInput, submit
from models.accounts import StaffRole
from models.finance import BankDetails, BankDetailsStatus, PaymentBatch, PaymentBatchStatus
from tests.browser.backoffice import expect_refused, section_tabs, staff_signed_in
from tests.browser.partner_space import sign_out
from tests.finance_helpers import debit, paid_partner, paris, past_fortnight, principal_viewer

XSD = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.001.001.03.xsd")
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


async def downloaded(page: Page, link_name: str) -> bytes:
    async with page.expect_download() as download:
        await page.get_by_role("link", name=re.compile(link_name)).click()
    path = Path(await (await download.value).path())
    return await asyncio.to_thread(path.read_bytes)


async def test_a_finance_officer_closes_a_fortnight_and_pays_its_batch(page: Page, look_at):
    fortnight = past_fortnight()
    team = await paid_partner("Cinéma Les Variétés")
    await debit(team, paris(fortnight.starts_on + timedelta(days=2)), 1250)
    await debit(team, paris(fortnight.starts_on + timedelta(days=4)), 800)
    await staff_signed_in(page, StaffRole.FINANCE)

    await section_tabs(page).get_by_text("Finance").click()
    await expect(page.locator("#check-badge")).to_be_visible()
    await look_at(page, "periods")
    await page.get_by_label("Un jour de la quinzaine à clore").fill(str(fortnight.starts_on))
    await page.get_by_role("button", name="Clore cette quinzaine…").click()
    await expect(page.locator("#close-question")).to_contain_text(f"{fortnight.starts_on:%d/%m/%Y}")
    await look_at(page, "confirm")
    await page.get_by_role("button", name="Confirmer la clôture").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Quinzaine du {fortnight.starts_on:%d/%m/%Y} au {fortnight.ends_on:%d/%m/%Y}"
    )
    await expect(page.locator("#period-badge")).to_have_text("Concordant")
    await expect(page.locator("#reimbursements")).to_contain_text("Cinéma Les Variétés")
    await expect(page.locator("#reimbursements")).to_contain_text("20,50 €")
    await page.get_by_role("button", name="Générer le lot de virements").click()
    await expect(page.locator("#batch-status")).to_have_text("Généré, à envoyer à la banque")
    await look_at(page, "batch")

    sepa = await downloaded(page, "Fichier SEPA")
    document = etree.fromstring(sepa)
    etree.XMLSchema(file=XSD).assertValid(document)
    amounts = [a.text for a in document.findall(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", NS)]
    assert "20.50" in amounts
    csv = await downloaded(page, "Écritures comptables")
    assert csv.startswith(b"\xef\xbb\xbf") and "20,50" in csv.decode("utf-8-sig")

    await page.get_by_role("button", name="Marquer le lot envoyé à la banque").click()
    await expect(page.locator("#batch-status")).to_have_text("Envoyé à la banque")
    await page.get_by_role("button", name="Enregistrer le rejet").click()
    await expect(page.get_by_label("Virement rejeté")).to_have_attribute("aria-invalid", "true")
    await look_at(page, "sent")
    await page.get_by_role("button", name="Marquer le lot payé").click()
    await expect(page.locator("#batch-status")).to_have_text("Payé")
    batch = await PaymentBatch.get(reference=f"CJ-VIR-{fortnight.starts_on:%Y%m%d}")
    assert batch.status == PaymentBatchStatus.PAID
    await sign_out(page)


async def test_a_finance_officer_validates_new_bank_details(page: Page, look_at):
    team = await paid_partner("Théâtre Toursky")
    await submit(
        await principal_viewer(team),
        team.partner.id,
        BankDetailsInput("FR1420041010050500013M02606", "PSSTFRPP", "SARL Toursky"),
    )
    pending = await BankDetails.get(partner_id=team.partner.id, status="pending_validation")
    await staff_signed_in(page, StaffRole.FINANCE)

    await section_tabs(page).get_by_text("Finance").click()
    await page.get_by_role("link", name=re.compile("Coordonnées bancaires à valider")).click()
    change = page.locator(f"#change-{pending.id}")
    await expect(change).to_contain_text("FR14 2004 1010 0505 0001 3M02 606")
    await look_at(page, "waiting")
    await change.get_by_role("button", name=re.compile("^Valider")).click()

    await expect(page.get_by_role("status")).to_contain_text("Les coordonnées bancaires sont")
    await expect(change).to_have_count(0)
    assert (await BankDetails.get(id=pending.id)).status == BankDetailsStatus.VALIDATED
    await sign_out(page)


async def test_a_support_agent_has_no_finance(page: Page, look_at):
    await staff_signed_in(page, StaffRole.SUPPORT)
    await expect_refused(page, "/departement/finance", "Finance")
    await look_at(page, "refused")
    await sign_out(page)
