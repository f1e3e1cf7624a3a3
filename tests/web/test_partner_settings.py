"""« Paramètres »: the principal's PIN policy within the département's minimum, each
recipient's evening report by email on or off (and the job then skips them), the
convention read only; what a collaborator may change there."""

from __future__ import annotations

from datetime import timedelta

from domain.finance.daily_collection import send_daily_collection
from models.finance import DailyCollectionReport
from models.partners import Delegate, DelegatePermission, Partner, PinPolicy
from tests.factories import collaborator, partner_team
from tests.finance_helpers import debit, fresh_fortnights, paris
from tests.support import jobs_done
from tests.web.support import text_of


async def test_the_principal_chooses_the_pin_policy_above_the_minimum(browser):
    team = await partner_team()
    await Partner.filter(id=team.partner.id).update(pin_policy_minimum=PinPolicy.TERMINALS)
    await browser.sign_in(team.principal.email)

    page = await browser.get("/partenaires/parametres")

    assert page.status_code == 200 and 'id="tab-settings"' in page.text
    assert 'id="pin-TERMINALS"' in page.text and 'id="pin-NONE"' not in page.text
    shown = text_of(page)
    assert "01/09/2024" in shown and "Sport, culture et loisirs" in shown  # the convention
    below = await browser.post("/partenaires/parametres", {"action": "pin", "niveau": "NONE"})
    assert below.status_code == 422
    chosen = await browser.post(
        "/partenaires/parametres", {"action": "pin", "niveau": "EVERY_TILL"}
    )
    assert chosen.status_code == 303
    after = await browser.follow(chosen)
    assert "La politique de code PIN est enregistrée" in text_of(after)
    assert (await Partner.get(id=team.partner.id)).pin_policy_chosen == PinPolicy.EVERY_TILL


async def test_a_treasurer_turns_the_evening_report_off_and_gets_none(browser, mailbox):
    [period] = fresh_fortnights()
    day = period.starts_on + timedelta(days=2)
    team = await partner_team(name="Piscine")
    treasurer = await collaborator(team, DelegatePermission.FINANCE)
    await browser.sign_in(treasurer.email)
    page = await browser.get("/partenaires/parametres")
    assert 'id="daily-collection"' in page.text and 'id="pin-form"' not in page.text
    csrf = browser.csrf()
    refused = await browser.post(
        "/partenaires/parametres", {"action": "pin", "niveau": "NONE", "csrf": csrf}
    )
    assert refused.status_code == 403

    off = await browser.post("/partenaires/parametres", {"action": "emails", "csrf": csrf})
    assert off.status_code == 303
    delegate = await Delegate.get(partner_id=team.partner.id, user_id=treasurer.id)
    assert delegate.daily_collection_email is False
    assert (
        'id="daily-collection" checked' not in (await browser.get("/partenaires/parametres")).text
    )

    await debit(team, paris(day, 11), 1200)
    await send_daily_collection(day)
    await jobs_done()
    report = await DailyCollectionReport.get(partner_id=team.partner.id, day=day)
    assert report.recipients_count == 1  # the principal only
    await mailbox.wait_for(team.principal.email, "Télécollecte")
    assert not [m for m in mailbox.to(treasurer.email) if "Télécollecte" in m["Subject"]]

    await browser.get("/partenaires/parametres")
    on = await browser.post("/partenaires/parametres", {"action": "emails", "telecollecte": "oui"})
    assert on.status_code == 303
    assert (await Delegate.get(id=delegate.id)).daily_collection_email is True


async def test_a_cashier_reads_the_settings_but_changes_nothing(browser):
    team = await partner_team()
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    await browser.sign_in(cashier.email)
    page = await browser.get("/partenaires/parametres")
    assert page.status_code == 200 and 'id="convention"' in page.text
    assert 'id="emails-form"' not in page.text and 'id="pin-form"' not in page.text
    refused = await browser.post("/partenaires/parametres", {"action": "emails"})
    assert refused.status_code == 403
