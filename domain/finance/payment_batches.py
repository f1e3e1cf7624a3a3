"""Paying a closed period: one SEPA credit transfer per partner (pain.001.001.03), the
accounting CSV, then sent, rejected transfers and paid.

Partners without validated bank details, or with a change waiting for validation, are held:
their reimbursement stays pending and is carried into a later batch with what the period
owes them, as is a rejected transfer once the details are fixed. A reimbursement's batch
never changes (the database refuses it), so a transaction is never in two batches.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sepaxml import SepaTransfer
from tortoise.queryset import QuerySet

from domain.accounts.viewer import Viewer
from domain.cards import ledger
from domain.core import clock, french_csv
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.text import clean_text
from domain.core.transactions import atomic, snapshot
from domain.finance import bank_details, queries, reconciliation
from domain.finance import files as finance_files
from domain.finance.periods import fortnight_of
from domain.finance.reimbursements import reference_of
from infra.settings import Settings, get_settings
from models.finance import (
    BankDetails,
    BankDetailsStatus,
    PaymentBatch,
    PaymentBatchStatus,
    Reimbursement,
    ReimbursementPeriod,
    ReimbursementStatus,
)
from models.ledger import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction
from models.ledger import LedgerTransactionKind as Kind
from models.partners import Partner

SEPA_SCHEMA = "pain.001.001.03"
PAYOUTS_PER_LEDGER_TRANSACTION = 150  # see domain/ledger.BULK_CREDIT_WALLETS


@dataclass(frozen=True)
class Transfer:
    reimbursement: Reimbursement
    partner: Partner
    details: BankDetails


def _open(period: ReimbursementPeriod) -> QuerySet[Reimbursement]:
    return Reimbursement.filter(period__starts_on__lte=period.starts_on).filter(
        status__in=[ReimbursementStatus.PENDING, ReimbursementStatus.REJECTED],
        carried_over_to_id__isnull=True,
    )


async def create_payment_batch(
    viewer: Viewer, period_id: UUID, execution_date: date | None = None
) -> PaymentBatch:
    settings = get_settings()
    execution_date = execution_date or clock.paris_today() + timedelta(days=1)
    async with snapshot():
        period = await ReimbursementPeriod.filter(id=period_id).select_for_update().first()
        if period is None:
            raise not_found("Période")
        if period.closed_at is None:
            raise DomainError(ErrorCode.INVALID_STATE, "Cette période n'est pas encore close.")
        if await PaymentBatch.filter(period_id=period.id).exists():
            raise DomainError(ErrorCode.INVALID_STATE, "Le lot de cette période existe déjà.")
        gaps = await reconciliation.discrepancies()
        if gaps:
            raise DomainError(ErrorCode.RECONCILIATION_FAILED, reconciliation.describe(gaps))
        carriers = await _carry_and_choose(period)
        if not carriers:
            raise DomainError(
                ErrorCode.NOTHING_TO_PAY,
                "Aucun virement à émettre : rien n'est dû ou les coordonnées bancaires "
                "ne sont pas validées.",
            )
        expected = sum(r.amount_cents for r, _ in carriers)
        fortnight = fortnight_of(period.starts_on)
        batch = await PaymentBatch.create(
            reference=f"CJ-VIR-{period.starts_on:%Y%m%d}",
            period_id=period.id,
            transfers_count=len(carriers),
            total_cents=expected,
            execution_date=execution_date,
            sepa_key="",
            sepa_sha256="",
            csv_key="",
            csv_sha256="",
            created_by_id=viewer.user.id if viewer.user else None,
            created_at=clock.now(),
        )
        await queries.put_in_batch(batch.id, [r.id for r, _ in carriers])
        transfers = await _verified_transfers(batch, expected)
        sepa = _sepa_file(settings, batch, transfers, fortnight.label)
        batch.sepa_key = f"batches/{batch.id}/{batch.reference.lower()}.xml"
        batch.sepa_sha256 = await finance_files.keep(batch.sepa_key, sepa, "application/xml")
        batch.csv_key = f"batches/{batch.id}/{batch.reference.lower()}.csv"
        batch.csv_sha256 = await finance_files.keep(
            batch.csv_key, _accounting_csv(batch, transfers, fortnight.label), "text/csv"
        )
        await batch.save(update_fields=["sepa_key", "sepa_sha256", "csv_key", "csv_sha256"])
        await record(
            viewer,
            "payment_batch.generated",
            batch,
            after={"transfers": len(transfers), "totalCents": expected},
        )
    return batch


async def _carry_and_choose(
    period: ReimbursementPeriod,
) -> list[tuple[Reimbursement, BankDetails]]:
    """Per payable partner, the period's reimbursement carrying the partner's older unpaid
    ones (created when the period owed nothing of its own); those with a positive net."""
    by_partner: dict[UUID, list[Reimbursement]] = defaultdict(list)
    for reimbursement in await _open(period):
        by_partner[reimbursement.partner_id].append(reimbursement)
    payable = await bank_details.payable_details(list(by_partner))
    sirets = dict(await Partner.filter(id__in=list(payable)).values_list("id", "siret"))
    chosen = []
    for partner_id, details in payable.items():
        owed = by_partner[partner_id]
        carrier = next(
            (
                r
                for r in owed
                if r.period_id == period.id and r.status == ReimbursementStatus.PENDING
            ),
            None,
        )
        older = [r for r in owed if r is not carrier]
        net = sum(r.amount_cents for r in owed)
        if net <= 0:
            continue  # nothing to transfer (or the partner owes): held for a later period
        if older:
            if carrier is None:
                carrier = await Reimbursement.create(
                    reference=reference_of(period.starts_on, sirets[partner_id]),
                    partner_id=partner_id,
                    period_id=period.id,
                    created_at=clock.now(),
                )
            for reimbursement in older:
                changes: dict[str, Any] = {"carried_over_to_id": carrier.id}
                if reimbursement.status == ReimbursementStatus.PENDING:
                    changes["status"] = ReimbursementStatus.CARRIED_OVER
                await Reimbursement.filter(id=reimbursement.id).update(**changes)
            carried = sum(r.amount_cents for r in older)
            carrier.carried_in_cents += carried
            carrier.amount_cents += carried
            await carrier.save(update_fields=["carried_in_cents", "amount_cents"])
        assert carrier is not None  # owed is not empty: it is the carrier or older ones
        chosen.append((carrier, details))
    return chosen


async def _verified_transfers(batch: PaymentBatch, expected: int) -> list[Transfer]:
    """The batch read back from the database and recomputed from its parts: any gap stops
    the file from being written (and rolls the batch back)."""
    reimbursements = (
        await Reimbursement.filter(batch_id=batch.id)
        .select_related("partner", "bank_details")
        .order_by("reference")
    )
    total = sum(r.amount_cents for r in reimbursements)
    wrong = await queries.miscomputed_references(batch.id)
    if total != expected or len(reimbursements) != batch.transfers_count or wrong:
        raise DomainError(
            ErrorCode.BATCH_TOTAL_MISMATCH,
            f"Le total du lot recalculé ({french_csv.amount(total)} €, "
            f"{len(reimbursements)} virements) ne correspond pas "
            f"({french_csv.amount(expected)} €, {batch.transfers_count} virements)"
            + (f" ; remboursements incohérents : {', '.join(wrong[:5])}" if wrong else "")
            + " : aucun fichier écrit.",
        )
    # A reimbursement in a batch has its bank details.
    return [Transfer(r, r.partner, r.bank_details) for r in reimbursements]  # type: ignore[arg-type]


def _sepa_file(
    settings: Settings, batch: PaymentBatch, transfers: list[Transfer], label: str
) -> bytes:
    sepa = SepaTransfer(
        {
            "name": settings.department_name,
            "IBAN": settings.department_iban,
            "BIC": settings.department_bic,
            "batch": True,
            "currency": "EUR",
        },
        schema=SEPA_SCHEMA,
        clean=True,
    )
    for transfer in transfers:
        sepa.add_payment(
            {
                "name": transfer.details.holder_name,
                "IBAN": transfer.details.iban,
                "BIC": transfer.details.bic,
                "amount": transfer.reimbursement.amount_cents,
                "execution_date": batch.execution_date,
                "description": f"CJeune remboursement {transfer.reimbursement.reference} "
                f"periode {label}",
                "endtoend_id": transfer.reimbursement.reference,
            }
        )
    data: bytes = sepa.export(validate=True)
    control = sum(t.reimbursement.amount_cents for t in transfers)
    if f"<CtrlSum>{french_csv.amount(control).replace(',', '.')}</CtrlSum>".encode() not in data:
        raise DomainError(
            ErrorCode.BATCH_TOTAL_MISMATCH, "Le total de contrôle du fichier SEPA est faux."
        )
    return data


ACCOUNTING_HEADER = [
    "Lot",
    "Date d'exécution",
    "Référence remboursement",
    "Période",
    "SIRET",
    "Raison sociale",
    "Titulaire du compte",
    "IBAN",
    "BIC",
    "Nombre de transactions",
    "Transactions (€)",
    "Régularisations (€)",
    "Reports (€)",
    "Montant viré (€)",
]


def _accounting_csv(batch: PaymentBatch, transfers: list[Transfer], label: str) -> bytes:
    rows = [
        [
            batch.reference,
            f"{batch.execution_date:%d/%m/%Y}",
            t.reimbursement.reference,
            label,
            t.partner.siret,
            t.partner.legal_name,
            t.details.holder_name,
            t.details.iban,
            t.details.bic,
            t.reimbursement.lines_count,
            french_csv.amount(t.reimbursement.lines_cents),
            french_csv.amount(t.reimbursement.adjustments_cents),
            french_csv.amount(t.reimbursement.carried_in_cents),
            french_csv.amount(t.reimbursement.amount_cents),
        ]
        for t in transfers
    ]
    total = sum(t.reimbursement.amount_cents for t in transfers)
    rows.append(["Total", "", "", "", "", "", "", "", "", "", "", "", "", french_csv.amount(total)])
    return french_csv.to_bytes(ACCOUNTING_HEADER, rows)


async def _batch_for_update(batch_id: UUID, *expected: PaymentBatchStatus) -> PaymentBatch:
    batch = await PaymentBatch.filter(id=batch_id).select_for_update().first()
    if batch is None:
        raise not_found("Lot de virements")
    if batch.status not in expected:
        raise DomainError(
            ErrorCode.INVALID_STATE, f"Action impossible : ce lot est « {batch.status.value} »."
        )
    return batch


async def mark_sent(viewer: Viewer, batch_id: UUID) -> PaymentBatch:
    async with atomic():
        batch = await _batch_for_update(batch_id, PaymentBatchStatus.GENERATED)
        data = await finance_files.read(batch.sepa_key)
        if hashlib.sha256(data).hexdigest() != batch.sepa_sha256:
            raise DomainError(
                ErrorCode.BATCH_TOTAL_MISMATCH, "Le fichier SEPA a changé depuis sa création."
            )
        batch.status, batch.sent_at = PaymentBatchStatus.SENT, clock.now()
        await batch.save(update_fields=["status", "sent_at"])
        await record(viewer, "payment_batch.sent", batch)
    return batch


@dataclass(frozen=True)
class Rejection:
    reference: str
    reason: str


async def reject_transfers(
    viewer: Viewer, batch_id: UUID, rejections: list[Rejection]
) -> list[Reimbursement]:
    """The bank returned these transfers (account closed…): the reimbursements are rejected,
    the partner's details stop being payable, and the amount waits for new details."""
    async with atomic():
        batch = await _batch_for_update(batch_id, PaymentBatchStatus.SENT)
        rejected = []
        for index, rejection in enumerate(rejections):
            reason = (
                clean_text(
                    f"rejections[{index}].reason", rejection.reason, max_length=500, required=False
                )
                or "Virement rejeté"
            )
            reimbursement = await Reimbursement.get_or_none(
                batch_id=batch.id, reference=rejection.reference.strip()
            )
            if reimbursement is None:
                raise invalid("rejections", f"Virement inconnu dans ce lot : {rejection.reference}")
            if reimbursement.status != ReimbursementStatus.IN_BATCH:
                raise invalid("rejections", f"Virement déjà traité : {rejection.reference}")
            reimbursement.status = ReimbursementStatus.REJECTED
            reimbursement.rejected_at = clock.now()
            reimbursement.rejection_reason = reason
            await reimbursement.save(update_fields=["status", "rejected_at", "rejection_reason"])
            await BankDetails.filter(
                id=reimbursement.bank_details_id, status=BankDetailsStatus.VALIDATED
            ).update(
                status=BankDetailsStatus.REFUSED,
                refusal_reason=f"Virement {reimbursement.reference} rejeté : {reason}"[:500],
            )
            await record(
                viewer,
                "reimbursement.rejected",
                reimbursement,
                partner_id=reimbursement.partner_id,
                after={"reason": reason},
            )
            rejected.append(reimbursement)
    return rejected


async def mark_paid(viewer: Viewer, batch_id: UUID) -> PaymentBatch:
    """The transfers not rejected are paid: each leaves the partner's payable account for
    the disbursed account in the ledger."""
    async with atomic():
        batch = await _batch_for_update(batch_id, PaymentBatchStatus.SENT)
        paid = await Reimbursement.filter(batch_id=batch.id, status=ReimbursementStatus.IN_BATCH)
        accounts = {
            a.partner_id: a
            for a in await LedgerAccount.filter(
                kind=AccountKind.PARTNER_PAYABLE, partner_id__in=list({r.partner_id for r in paid})
            )
        }
        disbursed = await ledger.disbursed_account()
        now = clock.now()
        for start in range(0, len(paid), PAYOUTS_PER_LEDGER_TRANSACTION):
            group = paid[start : start + PAYOUTS_PER_LEDGER_TRANSACTION]
            posted = await LedgerTransaction.create(
                kind=Kind.REIMBURSEMENT_PAYOUT,
                description=f"Virements {batch.reference} : {len(group)} remboursements",
            )
            entries = [
                LedgerEntry(
                    ledger_transaction_id=posted.id,
                    account_id=accounts[r.partner_id].id,
                    amount_cents=-r.amount_cents,
                )
                for r in group
            ]
            entries.append(
                LedgerEntry(
                    ledger_transaction_id=posted.id,
                    account_id=disbursed.id,
                    amount_cents=sum(r.amount_cents for r in group),
                )
            )
            await LedgerEntry.bulk_create(entries)
            await Reimbursement.filter(id__in=[r.id for r in group]).update(
                status=ReimbursementStatus.PAID, paid_at=now, payout_id=posted.id
            )
        batch.status, batch.paid_at = PaymentBatchStatus.PAID, now
        await batch.save(update_fields=["status", "paid_at"])
        await record(viewer, "payment_batch.paid", batch, after={"paid": len(paid)})
    return batch
