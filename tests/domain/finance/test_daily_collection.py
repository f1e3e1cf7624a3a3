"""The evening collection report: once per partner and day, to the principal and the
finance delegates, with the day's detail per wallet."""

from __future__ import annotations

from datetime import timedelta

from domain.cards.transactions import cancel_transaction
from domain.core import clock
from domain.finance.daily_collection import send_daily_collection
from models.finance import DailyCollectionReport
from models.partners import DelegatePermission
from tests.factories import collaborator, partner_team
from tests.finance_helpers import debit, fresh_fortnights, paris, principal_viewer
from tests.support import jobs_done


async def test_each_partner_gets_the_day_once_even_if_the_job_runs_twice(app, mailbox):
    [period] = fresh_fortnights()
    day = period.starts_on + timedelta(days=4)
    team = await partner_team(name="Bowling")
    treasurer = await collaborator(team, DelegatePermission.FINANCE)
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    await debit(team, paris(day, 10, 15), 1050)
    await debit(team, paris(day, 16, 40), 2000)
    cancelled = await debit(team, paris(day, 17), 700)
    with clock.frozen(paris(day, 17, 30)):
        await cancel_transaction(await principal_viewer(team), cancelled.id)
    await debit(team, paris(day + timedelta(days=1), 9), 999)  # the next day: not in it

    with clock.frozen(paris(day, 20)):
        first = await send_daily_collection(day)
        second = await send_daily_collection(day)
    await jobs_done()

    assert first >= 1 and second == 0
    report = await DailyCollectionReport.get(partner_id=team.partner.id, day=day)
    assert (report.transactions_count, report.amount_cents, report.recipients_count) == (
        2,
        3050,
        2,
    )
    [to_principal] = [m for m in mailbox.to(team.principal.email) if "Télécollecte" in m["Subject"]]
    assert (
        to_principal["Subject"] == f"Télécollecte du {day:%d/%m/%Y} : 2 transactions, 30,50\u00a0€"
    )
    body = to_principal.get_body(("plain",)).get_content()
    assert "10:15" in body and "16:40" in body and "Annulée" in body
    assert "2 transactions, 30,50" in body
    assert len([m for m in mailbox.to(treasurer.email) if "Télécollecte" in m["Subject"]]) == 1
    assert mailbox.to(cashier.email) == [] or all(
        "Télécollecte" not in m["Subject"] for m in mailbox.to(cashier.email)
    )
