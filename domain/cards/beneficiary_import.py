"""The yearly import of middle-schoolers from the CSV exported by the schools' software.

Each good row gives a beneficiary (once: the school identifier is the key), a physical card
for the year and one wallet per wallet type of the year, credited from the year's funding
account. Bad rows are reported with their line number and change nothing. The file is
written in chunks, each in its own transaction, so a crash keeps whole chunks and running
the same file again completes the rest without duplicating anyone or any money.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from tortoise.exceptions import IntegrityError

from domain.accounts.viewer import Viewer
from domain.cards import codes as card_codes
from domain.cards import ledger
from domain.cards.beneficiary_csv import Pupil, RejectedRow, data_rows, read_pupil
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode
from domain.core.text import clean_text, visible_text
from domain.core.transactions import atomic
from models.cards import (
    Beneficiary,
    BeneficiaryImport,
    BeneficiaryKind,
    Card,
    CardKind,
    CardStatus,
    SchoolYear,
    SchoolYearWallet,
)
from models.ledger import AccountKind, LedgerAccount, LedgerEntry
from models.ledger import LedgerTransactionKind as Kind

CHUNK_ROWS = 1000
_CHUNK_ATTEMPTS = 3  # a concurrent import of the same people, or a card code drawn twice


@dataclass
class ImportReport:
    created: int = 0
    already_present: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    cards_issued: int = 0
    # The file's run, kept for its report; not part of what the import did.
    saved: BeneficiaryImport | None = field(default=None, compare=False, repr=False)


async def import_middle_schoolers(
    actor: Viewer,
    year: SchoolYear,
    csv_text: str,
    progress: Callable[[int, int], None] | None = None,
    file_name: str | None = None,
) -> ImportReport:
    _refuse_closed(year)
    rows = list(data_rows(csv_text))
    wallet_types = await SchoolYearWallet.filter(school_year_id=year.id).order_by("kind")
    funding = await ledger.funding_account(year.id)
    report = ImportReport()
    seen: dict[str, int] = {}  # first line of each school identifier
    for start in range(0, len(rows), CHUNK_ROWS):
        pupils = []
        for line, values in rows[start : start + CHUNK_ROWS]:
            pupil = read_pupil(line, values, year, seen)
            if isinstance(pupil, RejectedRow):
                report.rejected.append(pupil)
            else:
                pupils.append(pupil)
        if pupils:
            created, present, cards = await _write_chunk(year, wallet_types, funding, pupils)
            report.created += created
            report.already_present += present
            report.cards_issued += cards
        if progress:
            progress(min(start + CHUNK_ROWS, len(rows)), len(rows))
    async with atomic():
        report.saved = await BeneficiaryImport.create(
            school_year_id=year.id,
            imported_by_id=actor.user.id if actor.user else None,
            file_name=visible_text(file_name)[:200] or None if file_name else None,
            rows=len(rows),
            created=report.created,
            already_present=report.already_present,
            cards_issued=report.cards_issued,
            rejected=[{"line": r.line, "reason": r.reason} for r in report.rejected],
        )
        await record(
            actor,
            "beneficiaries.imported",
            year,
            after={
                "importId": str(report.saved.id),
                "created": report.created,
                "alreadyPresent": report.already_present,
                "rejected": len(report.rejected),
                "cardsIssued": report.cards_issued,
            },
        )
    return report


async def import_of(import_id: uuid.UUID) -> BeneficiaryImport | None:
    return await BeneficiaryImport.get_or_none(id=import_id).select_related("school_year")


async def imports_of(year: SchoolYear, limit: int = 20) -> list[BeneficiaryImport]:
    """The year's latest runs of the schools' file, newest first."""
    return (
        await BeneficiaryImport.filter(school_year_id=year.id)
        .order_by("-created_at")
        .limit(limit)
        .select_related("school_year")
    )


def _refuse_closed(year: SchoolYear) -> None:
    """A closed year's cards have expired and its money is forfeited: nobody joins it."""
    if year.closed_at is not None:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            f"L'année {year.label} est close : ses cartes ont expiré, personne ne peut plus y "
            "être inscrit.",
        )


# One pupil by hand


@dataclass(frozen=True)
class PupilByHand:
    """A pupil not in the schools' file (the guide's « scolarité différente »: MFR, IME,
    lycée professionnel, CNED…), typed by the support desk."""

    identifier: str
    last_name: str
    first_name: str
    birth_date: date
    school_name: str
    commune_code: str


async def add_pupil(actor: Viewer, year: SchoolYear, pupil: PupilByHand) -> ImportReport:
    """The import's checks and writing for one row: a refused row is said in `rejected`,
    a pupil already there is `alreadyPresent`; audited without personal data."""
    values = {
        "identifiant": pupil.identifier,
        "nom": clean_text("lastName", pupil.last_name, max_length=100),
        "prenom": clean_text("firstName", pupil.first_name, max_length=100),
        "date_naissance": pupil.birth_date.isoformat(),
        "etablissement": clean_text(
            "schoolName", pupil.school_name, max_length=200, required=False
        ),
        "commune": pupil.commune_code.strip(),
    }
    _refuse_closed(year)
    report = ImportReport()
    checked = read_pupil(1, values, year, {})
    if isinstance(checked, RejectedRow):
        report.rejected.append(checked)
        return report
    wallet_types = await SchoolYearWallet.filter(school_year_id=year.id).order_by("kind")
    funding = await ledger.funding_account(year.id)
    created, present, cards = await _write_chunk(year, wallet_types, funding, [checked])
    report.created, report.already_present, report.cards_issued = created, present, cards
    async with atomic():
        await record(
            actor,
            "beneficiaries.added_by_hand",
            year,
            after={"created": created, "alreadyPresent": present, "cardsIssued": cards},
        )
    return report


# Writing a chunk


async def _write_chunk(
    year: SchoolYear,
    wallet_types: list[SchoolYearWallet],
    funding: LedgerAccount,
    pupils: list[Pupil],
) -> tuple[int, int, int]:
    """(created, already present, cards issued); retried whole if a concurrent import wins."""
    for attempt in range(1, _CHUNK_ATTEMPTS + 1):
        try:
            async with atomic():
                return await _write_chunk_once(year, wallet_types, funding, pupils)
        except IntegrityError:
            # Someone else inserted one of these people or cards meanwhile: the retry's
            # lookups see them. A code drawn twice (about 2**-64) is drawn again.
            if attempt == _CHUNK_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


async def _write_chunk_once(
    year: SchoolYear,
    wallet_types: list[SchoolYearWallet],
    funding: LedgerAccount,
    pupils: list[Pupil],
) -> tuple[int, int, int]:
    existing = {
        row["school_identifier"]: row
        for row in await Beneficiary.filter(
            school_identifier__in=[p.identifier for p in pupils]
        ).values("id", "school_identifier", "user_id")
    }
    new = [
        Beneficiary(
            id=uuid.uuid4(),
            kind=BeneficiaryKind.MIDDLE_SCHOOLER,
            school_identifier=p.identifier,
            first_name=p.first_name,
            last_name=p.last_name,
            birth_date=p.birth_date,
            school_name=p.school_name,
            commune_code=p.commune_code,
        )
        for p in pupils
        if p.identifier not in existing
    ]
    # Who gets a card this year: everyone new, and those already known without one yet.
    holders: dict[uuid.UUID, uuid.UUID | None] = {b.id: None for b in new}
    if existing:
        known = {row["id"]: row["user_id"] for row in existing.values()}
        carded = set(
            await Card.filter(beneficiary_id__in=list(known), school_year_id=year.id)
            .distinct()
            .values_list("beneficiary_id", flat=True)
        )
        holders.update({b: user for b, user in known.items() if b not in carded})
    if new:
        await Beneficiary.bulk_create(new)
    if holders:
        await Card.bulk_create([_card(b, user, year) for b, user in holders.items()])
        await _credit_wallets(year, wallet_types, funding, list(holders), {b.id for b in new})
    return len(new), len(pupils) - len(new), len(holders)


def _card(beneficiary_id: uuid.UUID, user_id: uuid.UUID | None, year: SchoolYear) -> Card:
    # As domain.cards.lifecycle.issue_card: a card of someone already signed up is theirs at once.
    return Card(
        id=uuid.uuid4(),
        code=card_codes.new_code(),
        kind=CardKind.PHYSICAL,
        beneficiary_id=beneficiary_id,
        school_year_id=year.id,
        status=CardStatus.ACTIVE if user_id else CardStatus.NOT_ACTIVATED,
        activated_at=clock.now() if user_id else None,
        pin_failures=0,
    )


async def _credit_wallets(
    year: SchoolYear,
    wallet_types: list[SchoolYearWallet],
    funding: LedgerAccount,
    holders: list[uuid.UUID],
    new: set[uuid.UUID],
) -> None:
    """YEAR_CREDIT ledger transactions: funding −total, each new wallet +its amount.

    The same postings as domain.cards.ledger.post, in bulk: each wallet is created holding the one
    entry that credits it, so its running balance equals the sum of its entries."""
    if not wallet_types:
        return
    known = [b for b in holders if b not in new]
    done = await _credit_existing_wallets(year, wallet_types, funding, known) if known else set()
    wallets = [
        LedgerAccount(
            id=uuid.uuid4(),
            kind=AccountKind.WALLET,
            school_year_id=year.id,
            beneficiary_id=beneficiary_id,
            wallet_kind=wallet_type.kind,
            balance_cents=wallet_type.amount_cents,
        )
        for beneficiary_id in holders
        for wallet_type in wallet_types
        if (beneficiary_id, wallet_type.kind) not in done
    ]
    if wallets:
        await ledger.open_credited_wallets(funding, wallets, f"Crédit de l'année {year.label}")


async def _credit_existing_wallets(
    year: SchoolYear,
    wallet_types: list[SchoolYearWallet],
    funding: LedgerAccount,
    beneficiary_ids: list[uuid.UUID],
) -> set[tuple[uuid.UUID | None, str]]:
    """Wallets of the year that people already known have without a card of the year.

    Rare (nothing but this import creates wallets in bulk), so posted the ordinary way: a
    wallet already credited for the year is left alone, one opened empty is credited now.
    Returns (beneficiary, wallet kind) of every such wallet, which the bulk path skips."""
    amounts = {t.kind: t.amount_cents for t in wallet_types}
    accounts = await LedgerAccount.filter(
        kind=AccountKind.WALLET,
        school_year_id=year.id,
        beneficiary_id__in=beneficiary_ids,
        wallet_kind__in=list(amounts),
    )
    if not accounts:
        return set()
    credited = set(
        await LedgerEntry.filter(
            account_id__in=[a.id for a in accounts],
            ledger_transaction__kind=Kind.YEAR_CREDIT,
        ).values_list("account_id", flat=True)
    )
    lines = [ledger.Line(a, amounts[a.wallet_kind or ""]) for a in accounts if a.id not in credited]
    if lines:
        total = sum(line.amount_cents for line in lines)
        await ledger.post(
            Kind.YEAR_CREDIT,
            f"Crédit de l'année {year.label} : {len(lines)} porte-monnaie",
            [ledger.Line(funding, -total), *lines],
        )
    return {(a.beneficiary_id, a.wallet_kind or "") for a in accounts}
