"""« Coordonnées bancaires »: the principal changes the account with their password, the
payments are held until the département validates; the live check; who may do what."""

from __future__ import annotations

from domain.finance.bank_details import decide
from models.accounts import StaffRole
from models.finance import BankDetails, BankDetailsStatus
from models.partners import DelegatePermission
from tests.factories import PASSWORD, collaborator, staff_member
from tests.finance_helpers import finance_staff, paid_partner
from tests.support import jobs_done
from tests.web.support import text_of

NEW_IBAN = "FR14 2004 1010 0505 0001 3M02 606"  # La Banque Postale
NEW_BIC = "PSSTFRPP"


async def test_the_principal_changes_the_iban_and_payments_are_held(browser, mailbox):
    team = await paid_partner("Banque")
    agent = await staff_member(StaffRole.FINANCE)
    await browser.sign_in(team.principal.email)
    page = await browser.get("/partenaires/coordonnees-bancaires")
    assert page.status_code == 200 and 'id="payments-held"' not in page.text
    shown = text_of(page)
    assert "FR76 •••• 456" in shown and "Paul Principal" in shown
    assert "04 86 68 80 07" in shown and "contact.partenaire@cjeunedeprovence.fr" in shown

    form = {"iban": NEW_IBAN, "bic": NEW_BIC, "holderName": "SARL Banque"}
    wrong = await browser.post("/partenaires/coordonnees-bancaires", {**form, "password": "non"})
    assert wrong.status_code == 422 and 'id="password-erreur"' in wrong.text
    assert "Mot de passe incorrect" in text_of(wrong)
    bad_key = await browser.post(
        "/partenaires/coordonnees-bancaires",
        {**form, "iban": NEW_IBAN[:-1] + "7", "password": PASSWORD},
    )
    assert bad_key.status_code == 422 and 'id="iban-erreur"' in bad_key.text
    assert await BankDetails.filter(partner_id=team.partner.id).count() == 1

    changed = await browser.post(
        "/partenaires/coordonnees-bancaires", {**form, "password": PASSWORD}
    )
    assert changed.status_code == 303
    held = await browser.follow(changed)
    assert 'id="payments-held"' in held.text and 'id="pending-account"' in held.text
    assert "FR14 •••• 606" in text_of(held)
    await jobs_done()
    await mailbox.wait_for(team.principal.email, "Coordonnées bancaires modifiées")
    await mailbox.wait_for(agent.email, "Coordonnées bancaires à vérifier")

    pending = await BankDetails.get(
        partner_id=team.partner.id, status=BankDetailsStatus.PENDING_VALIDATION
    )
    await decide(await finance_staff(), pending.id, approve=True)
    after = await browser.get("/partenaires/coordonnees-bancaires")
    assert 'id="payments-held"' not in after.text and "FR14 •••• 606" in text_of(after)


async def test_the_live_check_names_the_bank_or_the_error(browser):
    team = await paid_partner("Verif")
    await browser.sign_in(team.principal.email)
    await browser.get("/partenaires/coordonnees-bancaires")
    htmx = {"hx-request": "true"}
    csrf = browser.csrf()  # the page's, sent again with each check as htmx includes it
    url = "/partenaires/coordonnees-bancaires/verification"

    good = await browser.post(url, {"iban": NEW_IBAN, "bic": "", "csrf": csrf}, headers=htmx)
    assert good.status_code == 200 and 'id="bank-check"' in good.text
    assert "IBAN valide : LA BANQUE POSTALE (BIC PSSTFRPP)" in text_of(good)
    other_bank = await browser.post(
        url, {"iban": NEW_IBAN, "bic": "BNPAFRPP", "csrf": csrf}, headers=htmx
    )
    assert "ne correspond pas" in text_of(other_bank)
    typo = await browser.post(
        url, {"iban": "FR14 2004 1010", "bic": "", "csrf": csrf}, headers=htmx
    )
    assert "IBAN invalide" in text_of(typo)


async def test_a_finance_delegate_sees_the_details_but_cannot_change_them(browser, other_browser):
    team = await paid_partner("Tresor")
    treasurer = await collaborator(team, DelegatePermission.FINANCE)
    await browser.sign_in(treasurer.email)
    page = await browser.get("/partenaires/coordonnees-bancaires")
    assert page.status_code == 200 and 'id="principal-only"' in page.text
    assert 'id="bank-form"' not in page.text
    refused = await browser.post(
        "/partenaires/coordonnees-bancaires",
        {"iban": NEW_IBAN, "bic": NEW_BIC, "holderName": "X", "password": PASSWORD},
    )
    assert refused.status_code == 403

    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    await other_browser.sign_in(cashier.email)
    assert (await other_browser.get("/partenaires/coordonnees-bancaires")).status_code == 403
