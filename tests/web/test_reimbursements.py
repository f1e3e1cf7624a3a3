"""« Mes remboursements »: a closed fortnight with its state in French, its amounts per
wallet and its statement as PDF and CSV; the evening reports; who may see them."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from domain.core import clock
from domain.finance.daily_collection import send_daily_collection
from domain.finance.reimbursements import close_period
from models.finance import Reimbursement
from models.partners import DelegatePermission
from tests.factories import collaborator, partner_team
from tests.finance_helpers import debit, finance_staff, fresh_fortnights, paris
from tests.web.support import Browser, text_of


async def closed_fortnight(team) -> tuple:
    """A past fortnight of `team` with two debits (10,55 € and 4 €), closed, and its first
    day's evening report sent."""
    [period] = fresh_fortnights()
    await debit(team, paris(period.starts_on), 1055)
    await debit(team, paris(period.starts_on, 15), 400)
    with clock.frozen(paris(period.ends_on + timedelta(days=1), 3)):
        await close_period(period.starts_on, await finance_staff())
    await send_daily_collection(period.starts_on)
    return period


async def download(browser: Browser, path: str):
    moved = await browser.http.get(path)
    assert moved.status_code == 303, moved.text
    link = urlsplit(moved.headers["location"])
    return await browser.http.get(link.path)


async def test_a_closed_fortnight_shows_its_state_amounts_and_statement(browser):
    team = await partner_team(name="Librairie")
    period = await closed_fortnight(team)
    treasurer = await collaborator(team, DelegatePermission.FINANCE)
    await browser.sign_in(treasurer.email)

    page = await browser.get("/partenaires/remboursements")

    assert page.status_code == 200 and 'id="tab-reimbursements"' in page.text
    shown = text_of(page)
    assert f"Quinzaine du {period.starts_on:%d/%m/%Y} au {period.ends_on:%d/%m/%Y}" in shown
    assert "En attente" in shown and "14,55 €" in shown and "2 transactions" in shown
    assert "Pas encore payé" in shown and "Sport" in shown  # the wallet's label
    assert f"{period.starts_on:%d/%m/%Y} 2 14,55 €" in shown  # the evening report
    assert f'href="/partenaires/transactions?jour={period.starts_on}"' in page.text

    pdf_path = page.text.split('class="button button--secondary statement-pdf" href="')[1]
    pdf = await download(browser, pdf_path.split('"')[0])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    csv = await download(browser, pdf_path.split('"')[0].replace(".pdf", ".csv"))
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    content = csv.content.decode("utf-8-sig")
    assert ";" in content.splitlines()[0] and "10,55" in content and "4,00" in content


async def test_only_finance_delegates_of_the_partner_reach_the_reimbursements(
    browser, other_browser
):
    team, other = await partner_team(), await partner_team(name="Autre")
    await closed_fortnight(other)
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    await browser.sign_in(cashier.email)

    home = await browser.get("/partenaires/")
    assert 'id="tab-reimbursements"' not in home.text
    assert (await browser.get("/partenaires/remboursements")).status_code == 403

    theirs = await Reimbursement.get(partner_id=other.partner.id)
    guessed = await browser.http.get(f"/partenaires/remboursements/{theirs.id}/bordereau.pdf")
    assert guessed.status_code == 403
    await other_browser.sign_in(team.principal.email)
    mine = await other_browser.get("/partenaires/remboursements")
    assert mine.status_code == 200 and "Aucun remboursement pour l'instant" in text_of(mine)
    assert "Aucune télécollecte" in text_of(mine)
    stranger = await other_browser.http.get(
        f"/partenaires/remboursements/{theirs.id}/bordereau.csv"
    )
    assert stranger.status_code == 404
