"""The yearly import of middle-schoolers from the CSV exported by the schools' software.

Each good row gives a beneficiary (once: the school identifier is the key), a physical card
for the year and one wallet per wallet type of the year, credited from the year's funding
account. Bad rows are reported with their line number and change nothing. The file is
written in chunks, each in its own transaction, so a crash keeps whole chunks and running
the same file again completes the rest without duplicating anyone or any money.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from tortoise.exceptions import IntegrityError

from domain import card_codes, clock, ledger
from domain.audit import record
from domain.errors import invalid
from domain.transactions import atomic
from domain.viewer import Viewer
from models.cards import (
    Beneficiary,
    BeneficiaryKind,
    Card,
    CardKind,
    CardStatus,
    SchoolYear,
    SchoolYearWallet,
)
from models.ledger import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction
from models.ledger import LedgerTransactionKind as Kind

CHUNK_ROWS = 1000
MIN_AGE, MAX_AGE = 9, 17  # on the first day of school
# PostgreSQL checks each ledger transaction's balance once per entry, summing all its entries:
# a cost quadratic in its size, so a chunk's credit is split into transactions this small.
CREDIT_WALLETS = 150
_CHUNK_ATTEMPTS = 3  # a concurrent import of the same people, or a card code drawn twice

# Header names compared without case, accents, spaces or punctuation.
_COLUMNS = {
    "identifiant": ("identifiant", "ine"),
    "nom": ("nom",),
    "prenom": ("prenom",),
    "date_naissance": ("datenaissance", "datedenaissance"),
    "etablissement": ("etablissement",),
    "commune": ("commune", "codecommune", "codeinsee"),
}
_IDENTIFIER = re.compile(r"[A-Z0-9]{5,32}")
_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_COMMUNE = re.compile(r"\d{5}")


@dataclass(frozen=True)
class RejectedRow:
    line: int  # in the file, the header being line 1
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    already_present: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    cards_issued: int = 0


@dataclass(frozen=True)
class _Pupil:
    line: int
    identifier: str
    last_name: str
    first_name: str
    birth_date: date
    school_name: str | None
    commune_code: str


async def import_middle_schoolers(
    actor: Viewer,
    year: SchoolYear,
    csv_text: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    rows = list(_data_rows(csv_text))
    wallet_types = await SchoolYearWallet.filter(school_year_id=year.id).order_by("kind")
    funding = await ledger.funding_account(year.id)
    report = ImportReport()
    seen: dict[str, int] = {}  # first line of each school identifier
    for start in range(0, len(rows), CHUNK_ROWS):
        pupils = []
        for line, values in rows[start : start + CHUNK_ROWS]:
            pupil = _pupil(line, values, year, seen)
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
        await record(
            actor,
            "beneficiaries.imported",
            year,
            after={
                "created": report.created,
                "alreadyPresent": report.already_present,
                "rejected": len(report.rejected),
                "cardsIssued": report.cards_issued,
            },
        )
    return report


# Reading the file


def _data_rows(csv_text: str) -> Iterator[tuple[int, dict[str, str] | RejectedRow]]:
    """(line where the row starts, its values by column) for each row that is not blank."""
    text = csv_text.removeprefix("\ufeff")
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    positions = _column_positions(next(reader, []))
    width = max(positions.values()) + 1
    next_line = reader.line_num + 1
    for values in reader:
        line, next_line = next_line, reader.line_num + 1  # a quoted field may span lines
        if not any(value.strip() for value in values):
            continue
        if len(values) < width:
            yield (
                line,
                RejectedRow(line, f"ligne incomplète : {len(values)} colonnes au lieu de {width}"),
            )
        else:
            yield line, {name: values[position].strip() for name, position in positions.items()}


def _column_positions(header: list[str]) -> dict[str, int]:
    found = {_header_key(name): position for position, name in reversed(list(enumerate(header)))}
    positions: dict[str, int] = {}
    missing = []
    for column, aliases in _COLUMNS.items():
        position = next((found[alias] for alias in aliases if alias in found), None)
        if position is None:
            missing.append(column)
        else:
            positions[column] = position
    if missing:
        raise invalid(
            "file",
            f"Colonnes manquantes dans l'en-tête du fichier : {', '.join(missing)} "
            f"(attendues : {', '.join(_COLUMNS)}).",
        )
    return positions


def _header_key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


# Checking a row


def _pupil(
    line: int, values: dict[str, str] | RejectedRow, year: SchoolYear, seen: dict[str, int]
) -> _Pupil | RejectedRow:
    if isinstance(values, RejectedRow):
        return values
    identifier = "".join(values["identifiant"].split()).upper()
    birth_date = _birth_date(values["date_naissance"])
    reasons = [
        *_identifier_problems(identifier, line, seen),
        *_name_problems(values),
        *_birth_date_problems(values["date_naissance"], birth_date, year),
        *_commune_problems(values["commune"]),
    ]
    if reasons or birth_date is None:
        return RejectedRow(line, " ; ".join(reasons))
    return _Pupil(
        line=line,
        identifier=identifier,
        last_name=values["nom"],
        first_name=values["prenom"],
        birth_date=birth_date,
        school_name=values["etablissement"] or None,
        commune_code=values["commune"],
    )


def _identifier_problems(identifier: str, line: int, seen: dict[str, int]) -> list[str]:
    if not identifier:
        return ["identifiant manquant"]
    if not _IDENTIFIER.fullmatch(identifier):
        return ["identifiant invalide (5 à 32 lettres ou chiffres)"]
    if identifier in seen:
        return [f"identifiant en double dans le fichier (déjà ligne {seen[identifier]})"]
    seen[identifier] = line
    return []


def _name_problems(values: dict[str, str]) -> list[str]:
    problems = []
    for column, label, limit in (("nom", "nom", 100), ("prenom", "prénom", 100)):
        if not values[column]:
            problems.append(f"{label} manquant")
        elif len(values[column]) > limit:
            problems.append(f"{label} trop long ({limit} caractères au plus)")
    if len(values["etablissement"]) > 200:
        problems.append("nom d'établissement trop long (200 caractères au plus)")
    return problems


def _birth_date_problems(text: str, birth_date: date | None, year: SchoolYear) -> list[str]:
    if birth_date is None:
        return ["date de naissance invalide" if text else "date de naissance manquante"]
    age = clock.age_on(birth_date, year.starts_on)
    if not MIN_AGE <= age <= MAX_AGE:
        return [
            f"âge hors limites : {age} ans à la rentrée {year.label} "
            f"(de {MIN_AGE} à {MAX_AGE} ans pour un collégien)"
        ]
    return []


def _commune_problems(commune: str) -> list[str]:
    if not commune:
        return ["commune manquante"]
    if not _COMMUNE.fullmatch(commune):
        return ["code commune invalide (code INSEE à 5 chiffres)"]
    if not commune.startswith("13"):
        return ["commune hors des Bouches-du-Rhône"]
    return []


def _birth_date(text: str) -> date | None:
    if match := _FRENCH_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# Writing a chunk


async def _write_chunk(
    year: SchoolYear,
    wallet_types: list[SchoolYearWallet],
    funding: LedgerAccount,
    pupils: list[_Pupil],
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
    pupils: list[_Pupil],
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
    # As domain.cards.issue_card: a card of someone already signed up is theirs at once.
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

    The same postings as domain.ledger.post, in bulk: each wallet is created holding the one
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
    if not wallets:
        return
    await LedgerAccount.bulk_create(wallets)
    entries = []
    for start in range(0, len(wallets), CREDIT_WALLETS):
        group = wallets[start : start + CREDIT_WALLETS]
        transaction = await LedgerTransaction.create(
            kind=Kind.YEAR_CREDIT,
            description=f"Crédit de l'année {year.label} : {len(group)} porte-monnaie",
        )
        lines = [(funding.id, -sum(w.balance_cents or 0 for w in group))]
        lines += [(w.id, w.balance_cents or 0) for w in group]
        entries += [
            LedgerEntry(ledger_transaction_id=transaction.id, account_id=account, amount_cents=a)
            for account, a in lines
        ]
    await LedgerEntry.bulk_create(entries)


async def _credit_existing_wallets(
    year: SchoolYear,
    wallet_types: list[SchoolYearWallet],
    funding: LedgerAccount,
    beneficiary_ids: list[uuid.UUID],
) -> set[tuple[uuid.UUID, str]]:
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
