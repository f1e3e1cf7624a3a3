"""Payment batches: a valid SEPA file, the accounting CSV, held and rejected transfers carried
over, the ledger paid out, and the checks that stop a wrong batch."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal

import pytest
import sepaxml
from lxml import etree

from domain.cards import ledger
from domain.core import clock
from domain.core.errors import DomainError, ErrorCode
from domain.finance import files as finance_files
from domain.finance import payment_batches
from domain.finance.bank_details import BankDetailsInput, decide, submit
from domain.finance.payment_batches import Rejection, create_payment_batch, mark_paid, mark_sent
from domain.finance.reimbursements import close_period
from models import sql
from models.finance import PaymentBatch, Reimbursement, ReimbursementStatus
from models.ledger import LedgerTransactionKind
from tests.factories import partner_team
from tests.finance_helpers import (
    BIC,
    IBAN,
    debit,
    finance_staff,
    fresh_fortnights,
    paid_partner,
    paris,
    principal_viewer,
)
from tests.ledger_invariants import assert_ledger_invariants

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
XSD = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.001.001.03.xsd")


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(app):
    yield
    await assert_ledger_invariants()


def after(fortnight):
    return clock.frozen(paris(fortnight.ends_on + timedelta(days=1), 2))


async def closed(fortnight):
    with after(fortnight):
        return (await close_period(fortnight.starts_on)).period


async def mine(team, period) -> Reimbursement:
    return await Reimbursement.get(partner_id=team.partner.id, period_id=period.id)


async def test_a_batch_pays_validated_partners_with_a_valid_sepa_file_and_csv(settings):
    [fortnight] = fresh_fortnights()
    paid = await paid_partner("Cinéma Prado")
    no_details = await partner_team()
    changed = await paid_partner("Piscine")
    await submit(
        await principal_viewer(changed),
        changed.partner.id,
        BankDetailsInput("FR1420041010050500013M02606", "PSSTFRPP", "Escroc"),
    )
    for team, cents in ((paid, 1050), (paid, 2000), (no_details, 500), (changed, 700)):
        await debit(team, paris(fortnight.starts_on + timedelta(days=2)), cents)
    period = await closed(fortnight)
    staff = await finance_staff()

    with after(fortnight):
        batch = await create_payment_batch(staff, period.id)

    assert (await mine(paid, period)).status == ReimbursementStatus.IN_BATCH
    assert (await mine(no_details, period)).status == ReimbursementStatus.PENDING
    assert (await mine(changed, period)).status == ReimbursementStatus.PENDING  # fraud hold
    xml = await finance_files.read(batch.sepa_key)
    document = etree.fromstring(xml)
    etree.XMLSchema(file=XSD).assertValid(document)
    transfers = document.findall(".//p:CdtTrfTxInf", NS)
    amounts = {t.findtext("p:PmtId/p:EndToEndId", namespaces=NS): t for t in transfers}
    reference = (await mine(paid, period)).reference
    transfer = amounts[reference]
    assert transfer.findtext("p:Amt/p:InstdAmt", namespaces=NS) == "30.50"
    assert transfer.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == IBAN
    assert reference in transfer.findtext("p:RmtInf/p:Ustrd", namespaces=NS)
    control = document.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS)
    assert (
        Decimal(control) * 100
        == batch.total_cents
        == sum(r.amount_cents for r in await Reimbursement.filter(batch_id=batch.id))
    )
    assert len(transfers) == batch.transfers_count

    csv = await finance_files.read(batch.csv_key)
    assert csv.startswith(b"\xef\xbb\xbf")
    lines = csv.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Lot;Date d'exécution;Référence remboursement;")
    row = next(line for line in lines if reference in line)
    assert row.endswith(";2;30,50;0,00;0,00;30,50")

    with pytest.raises(DomainError) as twice:
        await create_payment_batch(staff, period.id)
    assert twice.value.code == ErrorCode.INVALID_STATE


async def test_paying_moves_the_money_out_of_the_payable_account(settings):
    [fortnight] = fresh_fortnights()
    team = await paid_partner()
    await debit(team, paris(fortnight.starts_on), 1234)
    period = await closed(fortnight)
    staff = await finance_staff()
    batch = await create_payment_batch(staff, period.id)
    payable = await ledger.payable_account(team.partner.id)
    assert await ledger.balance_of(payable) == 1234

    await mark_sent(staff, batch.id)
    await mark_paid(staff, batch.id)

    reimbursement = await mine(team, period)
    assert reimbursement.status == ReimbursementStatus.PAID and reimbursement.paid_at
    assert await ledger.balance_of(payable) == 0
    payout = await reimbursement.payout
    assert payout.kind == LedgerTransactionKind.REIMBURSEMENT_PAYOUT
    assert (await PaymentBatch.get(id=batch.id)).status == "paid"
    with pytest.raises(Exception, match=r"already in (a )?payment batch"):
        await sql.execute(
            "UPDATE reimbursements SET batch_id = NULL WHERE id = $1", reimbursement.id
        )


async def test_held_then_validated_details_carry_the_amount_into_the_next_batch(settings):
    [first, second] = fresh_fortnights(2)
    team = await partner_team()
    await debit(team, paris(first.starts_on), 800)
    staff = await finance_staff()
    other = await paid_partner()  # so that the first batch has something to pay
    await debit(other, paris(first.starts_on), 100)
    await debit(other, paris(second.starts_on), 100)
    period = await closed(first)
    held = await mine(team, period)
    with after(first):
        await create_payment_batch(staff, period.id)
    assert (await mine(team, period)).status == ReimbursementStatus.PENDING

    submitted = await submit(
        await principal_viewer(team), team.partner.id, BankDetailsInput(IBAN, BIC, "SARL Team")
    )
    await decide(staff, submitted.id, approve=True)
    next_period = await closed(second)  # the partner debited nothing in this period
    with after(second):
        batch = await create_payment_batch(staff, next_period.id)

    carrier = await mine(team, next_period)
    assert (carrier.lines_cents, carrier.carried_in_cents, carrier.amount_cents) == (0, 800, 800)
    assert carrier.batch_id == batch.id
    held = await Reimbursement.get(id=held.id)
    assert (held.status, held.carried_over_to_id) == (ReimbursementStatus.CARRIED_OVER, carrier.id)


async def test_a_rejected_transfer_waits_for_new_details_then_is_carried_over(settings):
    [first, second, third] = fresh_fortnights(3)
    team = await paid_partner()
    await debit(team, paris(first.starts_on), 4200)
    staff = await finance_staff()
    period = await closed(first)
    batch = await create_payment_batch(staff, period.id)
    await mark_sent(staff, batch.id)
    reference = (await mine(team, period)).reference
    await payment_batches.reject_transfers(
        staff, batch.id, [Rejection(reference, "AC04 compte clos")]
    )
    await mark_paid(staff, batch.id)
    rejected = await mine(team, period)
    assert rejected.status == ReimbursementStatus.REJECTED
    payable = await ledger.payable_account(team.partner.id)
    assert await ledger.balance_of(payable) == 4200  # still owed

    await debit(team, paris(second.starts_on), 100)
    second_period = await closed(second)
    with pytest.raises(DomainError) as nothing:  # the details were refused by the bank
        await create_payment_batch(staff, second_period.id)
    assert nothing.value.code == ErrorCode.NOTHING_TO_PAY

    submitted = await submit(
        await principal_viewer(team),
        team.partner.id,
        BankDetailsInput("FR1420041010050500013M02606", "PSSTFRPP", "SARL Nouvelle banque"),
    )
    await decide(staff, submitted.id, approve=True)
    await debit(team, paris(third.starts_on), 50)
    third_period = await closed(third)
    batch = await create_payment_batch(staff, third_period.id)
    carrier = await mine(team, third_period)
    assert (carrier.lines_cents, carrier.carried_in_cents, carrier.amount_cents) == (50, 4300, 4350)
    assert carrier.batch_id == batch.id
    assert (await Reimbursement.get(id=rejected.id)).carried_over_to_id == carrier.id


async def test_figures_that_do_not_add_up_stop_the_batch(settings):
    [fortnight] = fresh_fortnights()
    team = await paid_partner()
    await debit(team, paris(fortnight.starts_on), 900)
    period = await closed(fortnight)
    payable = await ledger.payable_account(team.partner.id)
    funding = await ledger.disbursed_account()
    from domain.core.transactions import atomic

    async with atomic():  # a payment recorded in the ledger only: the figures disagree
        await ledger.post(
            LedgerTransactionKind.REIMBURSEMENT_PAYOUT,
            "Écriture manuelle erronée",
            [ledger.Line(payable, -900), ledger.Line(funding, 900)],
        )
    try:
        with pytest.raises(DomainError) as stopped:
            await create_payment_batch(await finance_staff(), period.id)
        assert stopped.value.code == ErrorCode.RECONCILIATION_FAILED
        assert not await PaymentBatch.filter(period_id=period.id).exists()
        assert (await mine(team, period)).status == ReimbursementStatus.PENDING
    finally:
        async with atomic():  # the correcting entry an accountant would write
            await ledger.post(
                LedgerTransactionKind.REIMBURSEMENT_PAYOUT,
                "Contre-passation de l'écriture erronée",
                [ledger.Line(payable, 900), ledger.Line(funding, -900)],
            )
    batch = await create_payment_batch(await finance_staff(), period.id)
    assert batch.total_cents >= 900


async def test_a_batch_recomputed_differently_from_its_reimbursements_is_refused(settings):
    [fortnight] = fresh_fortnights()
    team = await paid_partner()
    await debit(team, paris(fortnight.starts_on), 300)
    period = await closed(fortnight)
    batch = await create_payment_batch(await finance_staff(), period.id)
    with pytest.raises(DomainError) as mismatch:
        await payment_batches._verified_transfers(batch, batch.total_cents + 1)
    assert mismatch.value.code == ErrorCode.BATCH_TOTAL_MISMATCH
    await payment_batches._verified_transfers(batch, batch.total_cents)  # the true total
