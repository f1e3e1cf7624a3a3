"""Finance (finance staff): a fortnight closed by hand after a confirmation, its batch
generated, its SEPA file and CSV downloaded, sent, a transfer rejected, paid; figures that
disagree shown red and stopping the batch; bank details changes validated or refused; the
other roles have no tab and are refused everywhere."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import sepaxml
from lxml import etree

from domain.cards import ledger
from domain.core import clock
from domain.core.transactions import atomic
from domain.finance.bank_details import BankDetailsInput, submit
from models.accounts import StaffRole
from models.finance import (
    BankDetails,
    BankDetailsStatus,
    PaymentBatch,
    PaymentBatchStatus,
    Reimbursement,
    ReimbursementPeriod,
    ReimbursementStatus,
)
from models.ledger import LedgerTransactionKind
from tests.factories import staff_member
from tests.finance_helpers import (
    IBAN,
    debit,
    paid_partner,
    paris,
    past_fortnight,
    principal_viewer,
)
from tests.web.support import Browser, text_of

XSD = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.001.001.03.xsd")
FINANCE = "/departement/finance"
NEW_IBAN = "FR1420041010050500013M02606"  # La Banque Postale


async def finance_officer(browser: Browser) -> None:
    await browser.sign_in((await staff_member(StaffRole.FINANCE)).email)


async def download(browser: Browser, path: str):
    """The page's download: a 303 to a fresh signed link, then the file."""
    moved = await browser.http.get(path)
    assert moved.status_code == 303, moved.text
    return await browser.http.get(urlsplit(moved.headers["location"]).path)


async def close_by_hand(browser: Browser, fortnight) -> str:
    """Asks to close `fortnight`, confirms; returns the period's page address."""
    asked = await browser.get(f"{FINANCE}/cloture?jour={fortnight.starts_on}")
    assert asked.status_code == 200
    assert f"Clore la quinzaine qui contient le {fortnight.starts_on:%d/%m/%Y}" in text_of(asked)
    closed = await browser.post(
        f"{FINANCE}/cloture", {"jour": str(fortnight.starts_on), "confirmation": "oui"}
    )
    assert closed.status_code == 303, text_of(closed)
    return closed.headers["location"].split("?")[0]


async def test_a_fortnight_is_closed_by_hand_then_its_batch_paid(browser):
    fortnight = past_fortnight()
    cinema, pool = await paid_partner("Cinéma Prado"), await paid_partner("Piscine Vallier")
    await debit(cinema, paris(fortnight.starts_on + timedelta(days=1)), 1050)
    await debit(cinema, paris(fortnight.starts_on + timedelta(days=2)), 2000)
    await debit(pool, paris(fortnight.starts_on + timedelta(days=3)), 700)
    await finance_officer(browser)
    assert 'id="tab-finance"' in (await browser.get("/departement/")).text

    asked = await browser.get(f"{FINANCE}/cloture?jour={fortnight.starts_on:%d/%m/%Y}")
    assert not await ReimbursementPeriod.filter(starts_on=fortnight.starts_on).exists()
    assert 'id="confirm-close"' in asked.text  # nothing closed before the confirmation
    period_page = await close_by_hand(browser, fortnight)
    page = await browser.get(period_page + "?fait=close")
    shown = text_of(page)
    assert "La quinzaine est close" in shown
    assert f"Quinzaine du {fortnight.starts_on:%d/%m/%Y} au {fortnight.ends_on:%d/%m/%Y}" in shown
    assert "Concordance des comptes à la clôture : Concordant" in shown
    assert "Cinéma Prado" in shown and "30,50 €" in shown and "7,00 €" in shown

    # The list pages back from a day: the fortnights starting before it, latest first (other
    # tests close later ones).
    listed = await browser.get(f"{FINANCE}?avant={fortnight.starts_on + timedelta(days=1)}")
    period = await ReimbursementPeriod.get(starts_on=fortnight.starts_on)
    assert listed.text.split('<tr id="period-')[1].split('"')[0] == str(period.id)
    row = listed.text.split(f'id="period-{period.id}"')[1].split("</tr>")[0]
    assert "Concordant" in row and "Pas de lot" in row

    generated = await browser.post(period_page + "/lot")
    assert generated.status_code == 303
    page = await browser.follow(generated)
    assert "Le lot de virements est généré" in text_of(page)
    batch = await PaymentBatch.get(period_id=period.id)
    assert f"Lot {batch.reference} : Généré, à envoyer à la banque" in text_of(page)

    sepa = await download(browser, period_page + "/lot/virements.xml")
    assert sepa.status_code == 200 and sepa.headers["content-type"] == "application/xml"
    document = etree.fromstring(sepa.content)
    etree.XMLSchema(file=XSD).assertValid(document)
    assert IBAN.encode() in sepa.content
    csv = await download(browser, period_page + "/lot/virements.csv")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert "30,50" in csv.content.decode("utf-8-sig")

    sent = await browser.post(period_page + "/lot/envoye", {"lot": str(batch.id)})
    assert sent.status_code == 303
    page = await browser.follow(sent)
    assert "Envoyé à la banque" in text_of(page)

    pools = await Reimbursement.get(partner_id=pool.partner.id, period_id=period.id)
    missing = await browser.post(
        period_page + "/lot/rejet", {"lot": str(batch.id), "virement": pools.reference}
    )
    assert missing.status_code == 422
    assert (
        "Indiquez le motif du rejet" in text_of(missing) and 'aria-invalid="true"' in missing.text
    )
    rejected = await browser.post(
        period_page + "/lot/rejet",
        {"lot": str(batch.id), "virement": pools.reference, "motif": "AC04 compte clos"},
    )
    assert rejected.status_code == 303
    page = await browser.follow(rejected)
    assert "Rejeté : AC04 compte clos" in text_of(page)

    paid = await browser.post(period_page + "/lot/paye", {"lot": str(batch.id)})
    assert paid.status_code == 303
    page = await browser.follow(paid)
    assert "Le lot est marqué payé" in text_of(page)
    assert (await PaymentBatch.get(id=batch.id)).status == PaymentBatchStatus.PAID
    cinemas = await Reimbursement.get(partner_id=cinema.partner.id, period_id=period.id)
    assert cinemas.status == ReimbursementStatus.PAID
    assert (await Reimbursement.get(id=pools.id)).status == ReimbursementStatus.REJECTED

    again = await browser.post(period_page + "/lot/paye", {"lot": str(batch.id)})
    assert again.status_code == 422 and "Action impossible" in text_of(again)


async def test_a_fortnight_not_over_or_a_wrong_day_is_not_closed(browser):
    await finance_officer(browser)
    await browser.get(FINANCE)
    today = clock.paris_today()
    refused = await browser.post(f"{FINANCE}/cloture", {"jour": str(today), "confirmation": "oui"})
    assert refused.status_code == 422 and "n'est pas terminée" in text_of(refused)
    wrong = await browser.get(f"{FINANCE}/cloture?jour=31/02/2025")
    assert wrong.status_code == 422
    assert "Indiquez un jour de la quinzaine à clore" in text_of(wrong)


async def test_figures_that_disagree_are_shown_red_and_stop_the_batch(browser):
    fortnight = past_fortnight()
    team = await paid_partner("Librairie Maupetit")
    await debit(team, paris(fortnight.starts_on), 900)
    payable = await ledger.payable_account(team.partner.id)
    disbursed = await ledger.disbursed_account()
    async with atomic():  # a payment recorded in the ledger only: the figures disagree
        await ledger.post(
            LedgerTransactionKind.REIMBURSEMENT_PAYOUT,
            "Écriture manuelle erronée",
            [ledger.Line(payable, -900), ledger.Line(disbursed, 900)],
        )
    try:
        await finance_officer(browser)
        listed = text_of(await browser.get(FINANCE))
        assert "Concordance des comptes aujourd'hui Écart" in listed
        assert "aucun lot de virements ne peut être généré" in listed
        assert "Librairie Maupetit" in listed

        period_page = await close_by_hand(browser, fortnight)
        page = await browser.get(period_page)
        shown = text_of(page)
        assert "Concordance des comptes à la clôture : Écart" in shown
        assert 'id="period-gaps"' in page.text and "Librairie Maupetit" in shown

        refused = await browser.post(period_page + "/lot")
        assert refused.status_code == 422
        assert "Les comptes ne concordent pas" in text_of(refused)
        period = await ReimbursementPeriod.get(starts_on=fortnight.starts_on)
        assert not await PaymentBatch.filter(period_id=period.id).exists()
    finally:
        async with atomic():  # the correcting entry an accountant would write
            await ledger.post(
                LedgerTransactionKind.REIMBURSEMENT_PAYOUT,
                "Contre-passation de l'écriture erronée",
                [ledger.Line(payable, 900), ledger.Line(disbursed, -900)],
            )


async def test_bank_details_changes_are_validated_or_refused(browser):
    honest, doubtful = await paid_partner("Musée Cantini"), await paid_partner("Bowling")
    for team in (honest, doubtful):
        await submit(
            await principal_viewer(team),
            team.partner.id,
            BankDetailsInput(NEW_IBAN, "PSSTFRPP", "SARL nouvelle"),
        )
    first = await BankDetails.get(partner_id=honest.partner.id, status="pending_validation")
    second = await BankDetails.get(partner_id=doubtful.partner.id, status="pending_validation")
    await finance_officer(browser)

    page = await browser.get(f"{FINANCE}/coordonnees")
    shown = text_of(page)
    assert f'id="change-{first.id}"' in page.text and "Musée Cantini" in shown
    # The whole IBANs, new and current, in groups of four as on a RIB.
    assert "FR14 2004 1010 0505 0001 3M02 606" in shown
    assert "FR76 3000 4001 0000 0100 0123 456" in shown

    missing = await browser.post(f"{FINANCE}/coordonnees/{second.id}/refus", {"motif": ""})
    assert missing.status_code == 422 and "Indiquez le motif du refus" in text_of(missing)
    refused = await browser.post(
        f"{FINANCE}/coordonnees/{second.id}/refus", {"motif": "Appel du gérant : pas lui"}
    )
    assert refused.status_code == 303
    assert "Le changement de coordonnées bancaires est refusé" in text_of(
        await browser.follow(refused)
    )
    assert (await BankDetails.get(id=second.id)).status == BankDetailsStatus.REFUSED

    validated = await browser.post(f"{FINANCE}/coordonnees/{first.id}/validation")
    assert validated.status_code == 303
    after = await browser.follow(validated)
    assert "Les coordonnées bancaires sont validées" in text_of(after)
    assert f'id="change-{first.id}"' not in after.text
    assert (await BankDetails.get(id=first.id)).status == BankDetailsStatus.VALIDATED

    twice = await browser.post(f"{FINANCE}/coordonnees/{first.id}/validation")
    assert twice.status_code == 422 and "déjà été traitées" in text_of(twice)


async def test_finance_is_the_finance_staff_s_only(browser):
    team = await paid_partner("Stade")
    await submit(
        await principal_viewer(team),
        team.partner.id,
        BankDetailsInput(NEW_IBAN, "PSSTFRPP", "SARL Stade"),
    )
    pending = await BankDetails.get(partner_id=team.partner.id, status="pending_validation")
    await browser.sign_in((await staff_member(StaffRole.SUPPORT)).email)

    home = await browser.get("/departement/")
    assert 'id="tab-finance"' not in home.text and FINANCE not in home.text
    for path in (FINANCE, f"{FINANCE}/coordonnees", f"{FINANCE}/cloture?jour=2025-01-01"):
        assert (await browser.get(path)).status_code == 403, path
    files = await browser.http.get(f"{FINANCE}/quinzaines/{uuid.uuid4()}/lot/virements.xml")
    assert files.status_code == 403
    refused = await browser.post(f"{FINANCE}/coordonnees/{pending.id}/validation")
    assert refused.status_code == 403
    closing = await browser.post(
        f"{FINANCE}/cloture", {"jour": "2025-01-01", "confirmation": "oui"}
    )
    assert closing.status_code == 403
    assert (await BankDetails.get(id=pending.id)).status == BankDetailsStatus.PENDING_VALIDATION


async def test_an_administrator_has_finance(browser):
    await browser.sign_in((await staff_member(StaffRole.ADMINISTRATOR)).email)
    assert 'id="tab-finance"' in (await browser.get("/departement/")).text
    assert (await browser.get(FINANCE)).status_code == 200
