"""The partner's finance screens and the finance staff's work, through GraphQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.core import clock
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.finance import BankDetails
from models.partners import DelegatePermission
from tests.factories import PASSWORD, collaborator, partner_team, staff_member, token_for
from tests.finance_helpers import BIC, IBAN, debit, fresh_fortnights, paid_partner, paris
from tests.ledger_invariants import assert_ledger_invariants
from tests.support import error_codes

SET = """mutation($p: ID!, $iban: String!, $bic: String!, $holder: String!, $pw: String!) {
  setBankDetails(partnerId: $p, input: {iban: $iban, bic: $bic, holderName: $holder},
      password: $pw) {
    __typename
    ... on BankDetailsSuccess { bankAccount { id maskedIban status } }
    ... on UserError { code message field } } }"""
DETAILS = """query($p: ID!) { bankDetails(partnerId: $p) {
  paymentsHeld current { maskedIban } pending { id maskedIban holderName } } }"""
VALIDATE = """mutation($id: ID!) { validateBankDetails(bankDetailsId: $id) {
  __typename ... on BankDetailsSuccess { bankAccount { status iban } } } }"""
REIMBURSEMENTS = """query($p: ID!) { reimbursements(partnerId: $p) {
  id reference status amountCents amount transactionsCount transferDate periodStartsOn
  walletTotals { kind label transactionsCount amountCents }
  statement { pdfUrl csvUrl expiresAt } } }"""
STATEMENT = """query($p: ID!, $r: ID) { statement(partnerId: $p, reimbursementId: $r) {
  __typename ... on StatementLinks { pdfUrl csvUrl } ... on UserError { code message } } }"""
CLOSE = """mutation($day: Date!) { closePeriod(day: $day) { __typename
  ... on PeriodSuccess { period { id closedAt reimbursementsCount totalCents figuresAddUp } }
  ... on UserError { code message } } }"""
BATCH = """mutation($id: ID!) { createPaymentBatch(periodId: $id) { __typename
  ... on PaymentBatchSuccess { batch { id reference status transfersCount totalCents
      files { sepaUrl csvUrl } } }
  ... on UserError { code message } } }"""
SENT = """mutation($id: ID!) { markPaymentBatchSent(batchId: $id) { __typename
  ... on PaymentBatchSuccess { batch { status } } } }"""
PAID = """mutation($id: ID!) { markPaymentBatchPaid(batchId: $id) { __typename
  ... on PaymentBatchSuccess { batch { status paidAt } } } }"""


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(app):
    yield
    await assert_ledger_invariants()


def local(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


async def test_bank_details_are_checked_in_french(gql):
    team = await partner_team()
    token = await token_for(gql, team.principal)
    p = str(team.partner.id)

    async def answer(iban: str, bic: str, holder: str = "SARL Cinéma") -> dict:
        variables = {"p": p, "iban": iban, "bic": bic, "holder": holder, "pw": PASSWORD}
        result = await gql.post(SET, variables, token)
        return result["data"]["setBankDetails"]

    bad_key = await answer("FR7630004001000001000123457", BIC)
    assert (bad_key["code"], bad_key["field"]) == ("INVALID_INPUT", "iban")
    assert "clé de contrôle" in bad_key["message"] or "IBAN invalide" in bad_key["message"]
    assert (await answer("FR76 3000", BIC))["field"] == "iban"
    other_bank = await answer(IBAN, "AGRIFRPP")
    assert other_bank["field"] == "bic" and "ne correspond pas" in other_bank["message"]
    assert "BNPAFRPP" in other_bank["message"]
    assert (await answer(IBAN, "BNP"))["field"] == "bic"
    assert (await answer(IBAN, BIC, " "))["field"] == "holderName"
    spaced = await answer("fr76 3000 4001 0000 0100 0123 456", "bnpafrpp")
    assert spaced["__typename"] == "BankDetailsSuccess"
    assert spaced["bankAccount"]["status"] == "PENDING_VALIDATION"


async def test_a_changed_iban_is_audited_emailed_and_holds_payments_until_validated(gql, mailbox):
    from tests.support import jobs_done

    team = await paid_partner("Fraude")
    treasurer = await collaborator(team, DelegatePermission.FINANCE)
    agent = await staff_member(StaffRole.FINANCE)
    p = str(team.partner.id)
    token = await token_for(gql, treasurer)
    assert (await gql.post(DETAILS, {"p": p}, token))["data"]["bankDetails"][
        "paymentsHeld"
    ] is False
    new = {"p": p, "iban": "FR1420041010050500013M02606", "bic": "PSSTFRPP", "holder": "M. X"}

    # Only the principal changes them, and only with their password typed again.
    by_treasurer = await gql.post(SET, {**new, "pw": PASSWORD}, token)
    assert error_codes(by_treasurer) == ["FORBIDDEN"]
    principal = await token_for(gql, team.principal)
    wrong = (await gql.post(SET, {**new, "pw": "pas-le-bon"}, principal))["data"]
    assert (wrong["setBankDetails"]["code"], wrong["setBankDetails"]["field"]) == (
        "INVALID_CREDENTIALS",
        "password",
    )
    assert await BankDetails.filter(partner_id=team.partner.id).count() == 1
    changed = await gql.post(SET, {**new, "pw": PASSWORD}, principal)
    assert changed["data"]["setBankDetails"]["__typename"] == "BankDetailsSuccess"
    await jobs_done()
    message = await mailbox.wait_for(team.principal.email, "Coordonnées bancaires")
    body = message.get_body(("plain",)).get_content()
    assert "FR14 •••• 606" in body and "suspendus" in body and "Paul Principal" in body
    to_staff = await mailbox.wait_for(agent.email, "Coordonnées bancaires à vérifier")
    assert "FR14 •••• 606" in to_staff.get_body(("plain",)).get_content()
    entry = (
        await AuditEntry.filter(partner_id=team.partner.id, action="bank_details.submitted")
        .order_by("-id")
        .first()
    )
    assert entry.before["iban"] == "FR76 •••• 456" and entry.after["iban"] == "FR14 •••• 606"
    details = (await gql.post(DETAILS, {"p": p}, token))["data"]["bankDetails"]
    assert details["paymentsHeld"] is True
    assert details["current"]["maskedIban"] == "FR76 •••• 456"
    assert details["pending"]["holderName"] == "M. X"

    staff = await token_for(gql, agent)
    validated = await gql.post(VALIDATE, {"id": details["pending"]["id"]}, staff)
    assert validated["data"]["validateBankDetails"]["bankAccount"] == {
        "status": "VALIDATED",
        "iban": "FR1420041010050500013M02606",
    }
    after = (await gql.post(DETAILS, {"p": p}, token))["data"]["bankDetails"]
    assert after["paymentsHeld"] is False and after["pending"] is None
    assert await BankDetails.filter(partner_id=team.partner.id, status="superseded").count() == 1


async def test_only_finance_delegates_of_the_partner_see_its_reimbursements(gql):
    [period] = fresh_fortnights()
    team, other = await partner_team(), await partner_team()
    await debit(team, paris(period.starts_on), 1500)
    agent = await staff_member(StaffRole.FINANCE)
    with clock.frozen(paris(period.ends_on + timedelta(days=1), 3)):
        finance = await token_for(gql, agent)  # signed in at that time
        closed = await gql.post(CLOSE, {"day": period.starts_on.isoformat()}, finance)
    assert closed["data"]["closePeriod"]["__typename"] == "PeriodSuccess"

    cashier = await token_for(gql, await collaborator(team, DelegatePermission.TRANSACTIONS))
    p = str(team.partner.id)
    refused = await gql.post(REIMBURSEMENTS, {"p": p}, cashier)
    assert error_codes(refused) == ["FORBIDDEN"]
    assert error_codes(
        await gql.post(
            SET, {"p": p, "iban": IBAN, "bic": BIC, "holder": "X", "pw": PASSWORD}, cashier
        )
    ) == ["FORBIDDEN"]
    outsider = await token_for(gql, other.principal)
    assert error_codes(await gql.post(REIMBURSEMENTS, {"p": p}, outsider)) == ["FORBIDDEN"]

    mine = await gql.post(REIMBURSEMENTS, {"p": p}, await token_for(gql, team.principal))
    [reimbursement] = mine["data"]["reimbursements"]
    assert reimbursement["status"] == "PENDING" and reimbursement["amount"] == "15,00\u00a0€"
    assert reimbursement["walletTotals"] == [
        {
            "kind": "SPORT_CULTURE_LOISIRS",
            "label": reimbursement["walletTotals"][0]["label"],
            "transactionsCount": 1,
            "amountCents": 1500,
        }
    ]
    pdf = await gql.http.get(local(reimbursement["statement"]["pdfUrl"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # Partner B asking for A's reimbursement under its own identity learns nothing.
    theirs = await gql.post(
        STATEMENT, {"p": str(other.partner.id), "r": reimbursement["id"]}, outsider
    )
    assert theirs["data"]["statement"]["code"] == "NOT_FOUND"


async def test_finance_staff_close_batch_and_pay_a_period(gql):
    [period] = fresh_fortnights()
    team = await paid_partner("Stade")
    await debit(team, paris(period.starts_on + timedelta(days=5)), 2500)
    agent = await staff_member(StaffRole.FINANCE)
    day = {"day": period.ends_on.isoformat()}
    with clock.frozen(paris(period.ends_on + timedelta(days=1), 3)):
        frozen_token = await token_for(gql, agent)
        first = (await gql.post(CLOSE, day, frozen_token))["data"]["closePeriod"]["period"]
        again = (await gql.post(CLOSE, day, frozen_token))["data"]["closePeriod"]["period"]
    finance = await token_for(gql, agent)
    assert first == again and first["figuresAddUp"] is True

    created = (await gql.post(BATCH, {"id": first["id"]}, finance))["data"]["createPaymentBatch"]
    batch = created["batch"]
    assert batch["status"] == "GENERATED" and batch["totalCents"] >= 2500
    sepa = await gql.http.get(local(batch["files"]["sepaUrl"]))
    assert sepa.status_code == 200 and b"pain.001.001.03" in sepa.content
    assert b"25.00" in sepa.content
    assert (await gql.post(SENT, {"id": batch["id"]}, finance))["data"]["markPaymentBatchSent"][
        "batch"
    ]["status"] == "SENT"
    paid = (await gql.post(PAID, {"id": batch["id"]}, finance))["data"]["markPaymentBatchPaid"]
    assert paid["batch"]["status"] == "PAID"
    mine = await gql.post(
        REIMBURSEMENTS, {"p": str(team.partner.id)}, await token_for(gql, team.principal)
    )
    [reimbursement] = mine["data"]["reimbursements"]
    assert reimbursement["status"] == "PAID" and reimbursement["transferDate"]


PERIOD = """query($id: ID!) { reimbursementPeriod(id: $id) {
  startsOn figuresAddUp gaps { partnerName }
  reimbursements { reference partnerName siret status transactionsCount amountCents amount } } }"""
CHECK = """{ reconciliationCheck { addsUp partnersCount ledgerCents fromTransactionsCents
  fromReimbursementsCents gaps { partnerName } } }"""
WAITING = """{ bankDetailsWaiting { partnerName siret
  submitted { id iban holderName } current { iban } } }"""


async def test_finance_staff_see_a_period_s_partners_the_check_and_the_changes_waiting(gql):
    [period] = fresh_fortnights()
    team = await paid_partner("Patinoire")
    await debit(team, paris(period.starts_on + timedelta(days=1)), 1200)
    await debit(team, paris(period.starts_on + timedelta(days=2)), 300)
    agent = await staff_member(StaffRole.FINANCE)
    with clock.frozen(paris(period.ends_on + timedelta(days=1), 3)):
        closed = await gql.post(CLOSE, {"day": str(period.starts_on)}, await token_for(gql, agent))
    finance = await token_for(gql, agent)
    period_id = closed["data"]["closePeriod"]["period"]["id"]

    found = (await gql.post(PERIOD, {"id": period_id}, finance))["data"]["reimbursementPeriod"]
    assert found["figuresAddUp"] is True and found["gaps"] == []
    [mine] = [r for r in found["reimbursements"] if r["siret"] == team.partner.siret]
    assert mine["partnerName"] == team.partner.trade_name and mine["status"] == "PENDING"
    assert (mine["transactionsCount"], mine["amountCents"]) == (2, 1500)
    assert mine["amount"] == "15,00\u00a0€"
    unknown = await gql.post(PERIOD, {"id": str(team.partner.id)}, finance)
    assert unknown["data"]["reimbursementPeriod"] is None

    check = (await gql.post(CHECK, {}, finance))["data"]["reconciliationCheck"]
    assert check["addsUp"] is True and check["gaps"] == [] and check["partnersCount"] >= 1
    assert check["ledgerCents"] == check["fromTransactionsCents"] >= 1500
    assert check["fromTransactionsCents"] == check["fromReimbursementsCents"]

    principal = await token_for(gql, team.principal)
    new = {"p": str(team.partner.id), "iban": "FR1420041010050500013M02606", "bic": "PSSTFRPP"}
    await gql.post(SET, {**new, "holder": "SARL Patinoire", "pw": PASSWORD}, principal)
    waiting = (await gql.post(WAITING, {}, finance))["data"]["bankDetailsWaiting"]
    [change] = [c for c in waiting if c["siret"] == team.partner.siret]
    assert change["submitted"]["iban"] == new["iban"] and change["current"]["iban"] == IBAN
    await gql.post(VALIDATE, {"id": change["submitted"]["id"]}, finance)
    waiting = (await gql.post(WAITING, {}, finance))["data"]["bankDetailsWaiting"]
    assert all(c["siret"] != team.partner.siret for c in waiting)
