"""Partenaires (support; administrators): find a partner by name, SIRET or commune, create
one (its legal representative gets the invitation), its record in tabs, the PIN minimum,
suspension, reactivation and termination (administrators), the lent equipment, and the
yearly bon plan commitment with its reminder email and history."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from models.accounts import StaffRole
from models.audit import AuditEntry
from models.partners import BonPlanReminder, Partner, PartnerStatus, PinPolicy
from models.social import PartnerProfile
from models.terminals import Terminal, TerminalState
from tests.factories import partner_team, staff_member, till
from tests.support import jobs_done, unique, valid_siret
from tests.web.support import Browser, text_of
from web.formatting import paris_today

HOME = "/departement/partenaires"


async def post_pairs(browser: Browser, url: str, pairs: list[tuple[str, str]]):
    """A form with a field given several times (checkboxes), as a browser sends it."""
    body = urlencode([*pairs, ("csrf", browser.csrf())])
    kind = {"content-type": "application/x-www-form-urlencoded"}
    return await browser.http.post(url, content=body, headers=kind)


async def signed_in(browser: Browser, *roles: StaffRole):
    await browser.sign_in((await staff_member(*roles)).email)


def partner_form(siret: str, email: str) -> list[tuple[str, str]]:
    return [
        ("raison_sociale", "SAS Les Voiles du Vieux-Port"),
        ("nom_commercial", "Les Voiles"),
        ("siret", siret),
        ("categories", "SPORT"),
        ("categories", "LOISIRS"),
        ("porte_monnaie", "SPORT_CULTURE_LOISIRS"),
        ("signature", "2025-09-01"),
        ("representant_prenom", "Marius"),
        ("representant_nom", "Olivier"),
        ("representant_email", email),
        ("code_pin", "TERMINALS"),
    ]


async def test_support_creates_a_partner_whose_representative_is_invited(browser, mailbox):
    await signed_in(browser, StaffRole.SUPPORT)
    home = await browser.get("/departement/")
    assert 'id="tab-partenaires"' in home.text
    await browser.get(f"{HOME}/nouveau")

    empty = await post_pairs(browser, f"{HOME}/nouveau", [])
    assert empty.status_code == 422
    for field in ("raison-sociale", "siret", "categories", "signature", "representant-email"):
        assert f'id="{field}-erreur"' in empty.text, field
    wrong = await post_pairs(
        browser, f"{HOME}/nouveau", partner_form("12345678901234", "m@voiles.test")
    )
    assert wrong.status_code == 422 and 'id="siret-erreur"' in wrong.text
    assert "Numéro SIRET invalide" in text_of(wrong)

    email = f"{unique('marius')}@voiles.test"
    siret = valid_siret(int(unique("")) + 700000)
    created = await post_pairs(browser, f"{HOME}/nouveau", partner_form(siret, email))
    assert created.status_code == 303
    record = await browser.follow(created)
    assert "Le partenaire est créé" in text_of(record) and siret in text_of(record)
    partner = await Partner.get(siret=siret)
    assert partner.categories == ["loisirs", "sport"] and partner.status == PartnerStatus.ACTIVE
    assert partner.pin_policy_minimum == PinPolicy.TERMINALS
    await jobs_done()
    invitation = await mailbox.wait_for(email, "Invitation")
    assert "Les Voiles" in invitation["Subject"]

    again = await post_pairs(browser, f"{HOME}/nouveau", partner_form(siret, "x@voiles.test"))
    assert again.status_code == 422 and "existe déjà avec ce SIRET" in text_of(again)


async def test_partners_are_found_by_name_siret_and_commune(browser):
    aubagne = await partner_team(name="Piscine")
    other = await partner_team(name="Librairie")
    await PartnerProfile.update_or_create(
        defaults={"city": "Aubagne", "postal_code": "13400"}, partner_id=aubagne.partner.id
    )
    await signed_in(browser, StaffRole.SUPPORT)

    def listed(page, team) -> bool:
        return f'id="partner-{team.partner.id}"' in page.text

    by_siret = await browser.get(HOME, params={"siret": aubagne.partner.siret})
    assert listed(by_siret, aubagne) and not listed(by_siret, other)
    by_commune = await browser.get(HOME, params={"commune": "aubagne"})
    assert listed(by_commune, aubagne) and not listed(by_commune, other)
    by_postal_code = await browser.get(HOME, params={"commune": "13400"})
    assert listed(by_postal_code, aubagne)
    by_name = await browser.get(HOME, params={"nom": other.partner.trade_name})
    assert listed(by_name, other) and not listed(by_name, aubagne)
    nothing = await browser.get(HOME, params={"siret": "99999999999999"})
    assert 'id="no-partner"' in nothing.text


async def test_an_administrator_suspends_reactivates_then_terminates_the_convention(browser):
    team, _ = await till()
    await signed_in(browser, StaffRole.ADMINISTRATOR)
    url = f"{HOME}/{team.partner.id}"
    await browser.get(url)

    short = await browser.post(f"{url}/statut", {"action": "suspendre", "motif": "Court"})
    assert short.status_code == 422 and 'id="suspension-motif-erreur"' in short.text
    suspended = await browser.post(
        f"{url}/statut", {"action": "suspendre", "motif": "Contrôle de la convention en cours"}
    )
    assert suspended.status_code == 303
    page = await browser.follow(suspended)
    assert "Le partenaire est suspendu" in text_of(page)
    assert "Contrôle de la convention en cours" in text_of(page)
    assert (await Partner.get(id=team.partner.id)).status == PartnerStatus.SUSPENDED

    reactivated = await browser.post(f"{url}/statut", {"action": "reactiver"})
    assert reactivated.status_code == 303
    assert (await Partner.get(id=team.partner.id)).status == PartnerStatus.ACTIVE

    await browser.get(url)
    future = await browser.post(
        f"{url}/statut",
        {"action": "resilier", "date": "2999-01-01", "motif": "Cessation d'activité du club"},
    )
    assert future.status_code == 422 and 'id="resiliation-date-erreur"' in future.text
    today = paris_today().isoformat()
    terminated = await browser.post(
        f"{url}/statut",
        {"action": "resilier", "date": today, "motif": "Cessation d'activité du club"},
    )
    assert terminated.status_code == 303
    page = await browser.follow(terminated)
    assert "La convention est résiliée" in text_of(page)
    assert 'id="reactivate-button"' not in page.text
    partner = await Partner.get(id=team.partner.id)
    assert partner.status == PartnerStatus.TERMINATED
    assert partner.status_reason == "Cessation d'activité du club"
    actions = await AuditEntry.filter(partner_id=partner.id).values_list("action", flat=True)
    assert {"partner.suspended", "partner.reactivated", "partner.terminated"} <= set(actions)
    journal = await browser.get(url, params={"onglet": "journal"})
    assert "Convention résiliée" in text_of(journal) and "Partenaire suspendu" in text_of(journal)


async def test_the_support_sees_the_record_but_suspending_is_the_administrators(browser):
    team = await partner_team()
    await signed_in(browser, StaffRole.SUPPORT)
    url = f"{HOME}/{team.partner.id}"
    page = await browser.get(url)
    assert page.status_code == 200 and 'id="admin-only"' in page.text
    assert 'id="suspend-button"' not in page.text
    refused = await browser.post(
        f"{url}/statut", {"action": "suspendre", "motif": "Contrôle de la convention"}
    )
    assert refused.status_code == 403
    assert (await Partner.get(id=team.partner.id)).status == PartnerStatus.ACTIVE
    assert 'id="partner-tab-remboursements"' not in page.text  # the finance staff's


async def test_the_pin_minimum_is_imposed_from_the_record(browser):
    team = await partner_team()
    await signed_in(browser, StaffRole.SUPPORT)
    url = f"{HOME}/{team.partner.id}"
    await browser.get(url)
    done = await browser.post(f"{url}/code-pin", {"niveau": "EVERY_TILL"})
    assert done.status_code == 303
    page = await browser.follow(done)
    assert "Le minimum du code PIN est enregistré" in text_of(page)
    assert (await Partner.get(id=team.partner.id)).pin_policy_minimum == PinPolicy.EVERY_TILL


async def test_equipment_is_lent_pre_paired_and_returned(browser):
    team = await partner_team()
    await signed_in(browser, StaffRole.SUPPORT)
    url = f"{HOME}/{team.partner.id}"
    await browser.get(url, params={"onglet": "materiel"})
    missing = await browser.post(
        f"{url}/materiel", {"action": "enregistrer", "type": "SUPPLIED_TPE"}
    )
    assert missing.status_code == 422 and 'id="materiel-serie-erreur"' in missing.text
    serial = unique("SN-")
    lent = await browser.post(
        f"{url}/materiel",
        {
            "action": "enregistrer",
            "type": "SUPPLIED_TPE_PRINTER",
            "numero_serie": serial,
            "nom": "TPE 12",
        },
    )
    assert lent.status_code == 303
    page = await browser.follow(lent)
    assert serial in text_of(page) and "En attente d'appairage" in text_of(page)
    terminal = await Terminal.get(serial_number=serial)
    assert terminal.partner_id == team.partner.id

    paired = await browser.post(
        f"{url}/materiel", {"action": "pre-appairer", "terminal": str(terminal.id)}
    )
    assert paired.status_code == 200 and 'id="credential-value"' in paired.text
    assert (await Terminal.get(id=terminal.id)).state == TerminalState.ACTIVE
    shown = await browser.get(url, params={"onglet": "terminaux"})
    assert f'id="terminal-{terminal.id}"' in shown.text

    await browser.get(url, params={"onglet": "materiel"})
    returned = await browser.post(
        f"{url}/materiel", {"action": "rendre", "terminal": str(terminal.id)}
    )
    assert returned.status_code == 303
    back = await Terminal.get(id=terminal.id)
    assert back.state == TerminalState.REVOKED and back.partner_id is None


async def test_a_partner_without_bon_plan_is_reminded_once_a_week(browser, mailbox):
    team = await partner_team(name="Escalade")
    await signed_in(browser, StaffRole.SUPPORT)
    listing = await browser.get(f"{HOME}/engagement")
    assert listing.status_code == 200
    assert f'id="commitment-{team.partner.id}"' in listing.text

    sent = await browser.post(f"{HOME}/{team.partner.id}/rappel", {"retour": "engagement"})
    assert sent.status_code == 303
    page = await browser.follow(sent)
    assert 'id="reminder-sent"' in page.text
    history = page.text.split('id="reminders-history"', 1)[1]
    assert team.partner.trade_name in history and team.principal.email in history
    await jobs_done()
    message = await mailbox.wait_for(team.principal.email, "bon plan")
    body = message.get_body(("plain",)).get_content()
    assert "a minima un bon plan par an" in body and "/partenaires/bons-plans/nouveau" in body

    again = await browser.post(f"{HOME}/{team.partner.id}/rappel", {"retour": "engagement"})
    assert again.status_code == 422
    assert f'id="remind-{team.partner.id}-erreur"' in again.text
    assert "Un rappel a déjà été envoyé le" in text_of(again)
    assert await BonPlanReminder.filter(partner_id=team.partner.id).count() == 1
    record = await browser.get(f"{HOME}/{team.partner.id}")
    assert 'id="reminders-table"' in record.text and team.principal.email in record.text


async def test_every_tab_of_the_record_opens(browser):
    team, _ = await till()
    await signed_in(browser, StaffRole.ADMINISTRATOR)
    url = f"{HOME}/{team.partner.id}"
    expected = {
        "delegues": team.principal.email,
        "terminaux": 'id="no-terminal"',
        "offres": 'id="no-offer"',
        "transactions": 'id="no-transaction"',
        "remboursements": 'id="no-reimbursement"',
        "journal": "Partenaire créé",
    }
    for tab, shown in expected.items():
        page = await browser.get(url, params={"onglet": tab})
        assert page.status_code == 200, tab
        assert shown in page.text, tab
        assert re.search(rf'id="partner-tab-{tab}" aria-current="page"', page.text), tab
    assert (await browser.get(f"{HOME}/00000000-0000-0000-0000-000000000000")).status_code == 404


async def test_a_staff_role_that_does_not_own_the_section_is_refused(browser):
    team = await partner_team()
    await signed_in(browser, StaffRole.MODERATION)
    home = await browser.get("/departement/")
    assert 'id="tab-partenaires"' not in home.text and HOME not in home.text
    for url in (HOME, f"{HOME}/nouveau", f"{HOME}/engagement", f"{HOME}/{team.partner.id}"):
        refused = await browser.get(url)
        assert refused.status_code == 403 and 'id="forbidden"' in refused.text, url
    await browser.get("/departement/")
    posted = await browser.post(f"{HOME}/{team.partner.id}/rappel", {})
    assert posted.status_code == 403
    assert not await BonPlanReminder.exists(partner_id=team.partner.id)
