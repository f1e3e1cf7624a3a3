"""The yearly import of middle-schoolers from the schools' CSV export."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from tortoise.functions import Sum

from domain.accounts.viewer import Viewer
from domain.cards import codes as card_codes
from domain.cards import ledger
from domain.cards.beneficiary_import import ImportReport, RejectedRow, import_middle_schoolers
from domain.cards.school_years import WalletType, create_school_year
from domain.core.errors import DomainError, ErrorCode
from domain.core.transactions import atomic
from models.audit import AuditEntry
from models.cards import (
    Beneficiary,
    BeneficiaryImport,
    BeneficiaryKind,
    Card,
    CardKind,
    CardStatus,
    SchoolYear,
)
from models.ledger import AccountKind, LedgerAccount, LedgerEntry, LedgerTransactionKind
from models.partners import WalletKind
from tests.factories import young_person
from tests.support import unique

pytestmark = pytest.mark.usefixtures("settings")

ROOT = Path(__file__).parents[3]
HEADER = "identifiant;nom;prenom;date_naissance;etablissement;commune"
# Amounts no code could have hard-coded: they must come from the year's wallet types.
WALLET_TYPES = [
    WalletType(WalletKind.SPORT_CULTURE_LOISIRS, "Sport, culture et loisirs", 123_45),
    WalletType(WalletKind.SOUTIEN_SCOLAIRE, "Soutien scolaire", 67_89),
]
_years = itertools.count(2231)  # far from the years other tests create


async def new_year(wallet_types: list[WalletType] | None = None) -> SchoolYear:
    """A school year of its own for each test: labels are unique across the session."""
    while True:
        try:
            return await create_school_year(
                Viewer(), date(next(_years), 9, 1), wallet_types or WALLET_TYPES
            )
        except DomainError as error:
            if error.code != ErrorCode.INVALID_STATE:
                raise


def ine() -> str:
    """A school identifier (INE-like: digits then letters) unique to this session."""
    return unique("").zfill(9) + "AB"


def born(year: SchoolYear, age: int) -> date:
    return date(year.starts_on.year - age, 3, 15)


def csv_file(rows: list[str], header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


async def wallets_of(beneficiary: Beneficiary, year: SchoolYear) -> dict[str, LedgerAccount]:
    accounts = await LedgerAccount.filter(
        kind=AccountKind.WALLET, beneficiary_id=beneficiary.id, school_year_id=year.id
    )
    return {a.wallet_kind or "": a for a in accounts}


async def assert_credited_once(beneficiary: Beneficiary, year: SchoolYear) -> None:
    wallets = await wallets_of(beneficiary, year)
    assert {kind: w.balance_cents for kind, w in wallets.items()} == {
        t.kind: t.amount_cents for t in WALLET_TYPES
    }
    for wallet in wallets.values():
        assert await ledger.balance_of(wallet) == wallet.balance_cents
        entries = await LedgerEntry.filter(account_id=wallet.id).prefetch_related(
            "ledger_transaction"
        )
        assert [e.ledger_transaction.kind for e in entries] == [LedgerTransactionKind.YEAR_CREDIT]


async def test_a_good_file_creates_beneficiaries_cards_and_credited_wallets():
    year = await new_year()
    ids = [ine() for _ in range(3)]
    rows = [
        f"{ids[0]};MARTIN;Léa;{born(year, 11):%d/%m/%Y};Collège Thiers;13201",
        f"{ids[1]};DURAND;Noé;{born(year, 9):%d/%m/%Y};Collège Mistral;13001",
        f"{ids[2]};BERNARD;Inès;{born(year, 17):%d/%m/%Y};;13090",
    ]
    funding = await ledger.funding_account(year.id)
    calls: list[tuple[int, int]] = []

    report = await import_middle_schoolers(
        Viewer(client_address="cli"), year, csv_file(rows), progress=lambda *a: calls.append(a)
    )

    assert report == ImportReport(created=3, already_present=0, rejected=[], cards_issued=3)
    assert calls == [(3, 3)]
    people = {b.school_identifier: b for b in await Beneficiary.filter(school_identifier__in=ids)}
    lea = people[ids[0]]
    assert (lea.kind, lea.last_name, lea.first_name) == (
        BeneficiaryKind.MIDDLE_SCHOOLER,
        "MARTIN",
        "Léa",
    )
    assert (lea.birth_date, lea.school_name, lea.commune_code) == (
        born(year, 11),
        "Collège Thiers",
        "13201",
    )
    assert people[ids[2]].school_name is None
    for person in people.values():
        cards = await Card.filter(beneficiary_id=person.id)
        assert len(cards) == 1
        card = cards[0]
        assert card.school_year_id == year.id and card.kind == CardKind.PHYSICAL
        assert card.status == CardStatus.NOT_ACTIVATED
        assert card_codes.is_valid(card.code)
        await assert_credited_once(person, year)
    # The funding account paid exactly what the wallets received, in balanced transactions.
    funding_entries = await LedgerEntry.filter(account_id=funding.id)
    total = 3 * sum(t.amount_cents for t in WALLET_TYPES)
    assert sum(e.amount_cents for e in funding_entries) == -total
    transaction_ids = [e.ledger_transaction_id for e in funding_entries]
    entries = await LedgerEntry.filter(ledger_transaction_id__in=transaction_ids)
    assert len(entries) == 1 + 3 * len(WALLET_TYPES)
    assert sum(e.amount_cents for e in entries) == 0
    audit = await AuditEntry.get(action="beneficiaries.imported", object_id=str(year.id))
    saved = await BeneficiaryImport.get(school_year_id=year.id)
    assert audit.after == {
        "importId": str(saved.id),
        "created": 3,
        "alreadyPresent": 0,
        "rejected": 0,
        "cardsIssued": 3,
    }
    assert audit.client_address == "cli"
    assert (saved.rows, saved.created, saved.rejected) == (3, 3, [])


async def test_bad_rows_are_reported_with_their_line_and_change_nothing():
    year = await new_year()
    good, twice = ine(), ine()
    bad = [ine() for _ in range(7)]
    text = csv_file(
        [
            f"{good};MARTIN;Léa;{born(year, 12):%d/%m/%Y};Collège Thiers;13201",  # line 2
            f'{twice};ROUX;Jules;{born(year, 12):%d/%m/%Y};"Collège\nJean Moulin";13002',  # 3-4
            f"{bad[0]};PETIT;Tom;31/02/{born(year, 12).year};Collège;13001",  # 5
            f"{bad[1]};PETIT;Zoé;{born(year, 12):%d/%m/%Y};Collège;83000",  # 6
            f";PETIT;Eva;{born(year, 12):%d/%m/%Y};Collège;13001",  # 7
            f"{twice};ROUX;Julie;{born(year, 13):%d/%m/%Y};Collège;13002",  # 8
            "",  # 9: blank lines are skipped, not rejected
            f"{bad[2]};PETIT;Max;{born(year, 8):%d/%m/%Y};Collège;13001",  # 10
            f"{bad[3]};PETIT;Ana;{born(year, 18):%d/%m/%Y};Collège;13001",  # 11
            f"{bad[4]};PETIT;Ugo;{born(year, 12):%d/%m/%Y};Collège",  # 12
            f"{bad[5]};;Lou;hier;Collège;130",  # 13
            f"AB-1;PETIT;Eli;{born(year, 12):%d/%m/%Y};Collège;13001",  # 14
            f"{bad[6]};PETIT;Kim;{born(year, 12):%Y-%m-%d};Collège;13001",  # 15: good
        ]
    )

    report = await import_middle_schoolers(Viewer(), year, text)

    assert (report.created, report.already_present, report.cards_issued) == (3, 0, 3)
    assert report.rejected == [
        RejectedRow(5, "date de naissance invalide"),
        RejectedRow(6, "commune hors des Bouches-du-Rhône"),
        RejectedRow(7, "identifiant manquant"),
        RejectedRow(8, "identifiant en double dans le fichier (déjà ligne 3)"),
        RejectedRow(
            10,
            f"âge hors limites : 8 ans à la rentrée {year.label} (de 9 à 17 ans pour un collégien)",
        ),
        RejectedRow(
            11,
            f"âge hors limites : 18 ans à la rentrée {year.label} "
            "(de 9 à 17 ans pour un collégien)",
        ),
        RejectedRow(12, "ligne incomplète : 5 colonnes au lieu de 6"),
        RejectedRow(
            13,
            "nom manquant ; date de naissance invalide ; "
            "code commune invalide (code INSEE à 5 chiffres)",
        ),
        RejectedRow(14, "identifiant invalide (5 à 32 lettres ou chiffres)"),
    ]
    imported = await Beneficiary.filter(school_identifier__in=[good, twice, *bad])
    assert sorted(b.school_identifier or "" for b in imported) == sorted([good, twice, bad[6]])
    roux = next(b for b in imported if b.school_identifier == twice)
    # A school's name is one line: the quoted line break is read, then shown as a space.
    assert (roux.first_name, roux.school_name) == ("Jules", "Collège Jean Moulin")
    assert await Card.filter(school_year_id=year.id).count() == 3
    assert await LedgerAccount.filter(
        kind=AccountKind.WALLET, school_year_id=year.id
    ).count() == 3 * len(WALLET_TYPES)


async def test_names_are_stored_as_shown_and_an_invisible_name_is_missing():
    """The schools' names go through the same cleaning as every free-text field."""
    year = await new_year()
    spoofed, blank = ine(), ine()
    text = csv_file(
        [
            f"{spoofed};\u202eMAR\u200bTIN;Lé\u2066a\u200f;{born(year, 12):%d/%m/%Y};"
            f"Collège\ufeff Thiers;13201",
            f"{blank};\u200b\u202e;Tom;{born(year, 12):%d/%m/%Y};Collège;13201",
        ]
    )

    report = await import_middle_schoolers(Viewer(), year, text)

    assert report.rejected == [RejectedRow(3, "nom manquant")]
    pupil = await Beneficiary.get(school_identifier=spoofed)
    assert (pupil.last_name, pupil.first_name, pupil.school_name) == (
        "MARTIN",
        "Léa",
        "Collège Thiers",
    )


async def test_a_file_without_the_expected_columns_is_refused_whole():
    year = await new_year()
    text = f"identifiant;nom;prenom;naissance;commune\n{ine()};A;B;01/01/2015;13001\n"
    with pytest.raises(DomainError) as refused:
        await import_middle_schoolers(Viewer(), year, text)
    assert "date_naissance, etablissement" in refused.value.message
    assert await Card.filter(school_year_id=year.id).count() == 0


async def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    year = await new_year()
    ids = [ine() for _ in range(4)]
    text = csv_file(
        [
            f"{i};NOM{n};Prénom;{born(year, 10 + n):%d/%m/%Y};Collège;13055"
            for n, i in enumerate(ids)
        ]
        + ["X;trop;court;01/01/2000;Collège;13055"]
    )
    first = await import_middle_schoolers(Viewer(), year, text)
    cards, entries = await Card.all().count(), await LedgerEntry.all().count()

    second = await import_middle_schoolers(Viewer(), year, text)

    assert (first.created, first.already_present, first.cards_issued) == (4, 0, 4)
    assert (second.created, second.already_present, second.cards_issued) == (0, 4, 0)
    assert [r.line for r in second.rejected] == [6]
    assert await Card.all().count() == cards
    assert await LedgerEntry.all().count() == entries
    for person in await Beneficiary.filter(school_identifier__in=ids):
        await assert_credited_once(person, year)


async def test_semicolon_file_with_bom_and_comma_file_with_iso_dates_both_import():
    year = await new_year()
    a, b = ine(), ine()
    school_export = (
        "\ufeffIdentifiant;NOM;Prénom;Date de naissance;Établissement;Commune\r\n"
        f"{a};GARCIA;Chloé;{born(year, 13):%d/%m/%Y};Collège Longchamp;13204\r\n"
    )
    reordered = (
        "commune,Date_Naissance,identifiant,Prenom,Nom,Etablissement,Classe\n"
        f'13100,{born(year, 14):%Y-%m-%d},{b.lower()},Hugo,"DUPONT, dit Dudu",'
        '"Collège Mignet, Aix",4e B\n'
    )

    first = await import_middle_schoolers(Viewer(), year, school_export)
    second = await import_middle_schoolers(Viewer(), year, reordered)

    assert (first.created, first.rejected) == (1, [])
    assert (second.created, second.rejected) == (1, [])
    chloe = await Beneficiary.get(school_identifier=a)
    assert (chloe.first_name, chloe.birth_date, chloe.commune_code) == (
        "Chloé",
        born(year, 13),
        "13204",
    )
    hugo = await Beneficiary.get(school_identifier=b)  # identifiers are compared upper-case
    assert (hugo.last_name, hugo.school_name, hugo.birth_date) == (
        "DUPONT, dit Dudu",
        "Collège Mignet, Aix",
        born(year, 14),
    )
    assert await Card.filter(beneficiary_id__in=[chloe.id, hugo.id]).count() == 2


async def test_a_pupil_imported_again_the_next_year_gets_a_new_card_and_new_wallets():
    first_year = await new_year()
    next_year = await new_year()
    pupil = ine()
    text = csv_file([f"{pupil};FABRE;Anna;{born(first_year, 11):%d/%m/%Y};Collège;13055"])
    await import_middle_schoolers(Viewer(), first_year, text)
    person = await Beneficiary.get(school_identifier=pupil)
    spent = (await wallets_of(person, first_year))["SPORT_CULTURE_LOISIRS"]

    report = await import_middle_schoolers(Viewer(), next_year, text)

    assert (report.created, report.already_present, report.cards_issued) == (0, 1, 1)
    assert await Beneficiary.filter(school_identifier=pupil).count() == 1
    cards = await Card.filter(beneficiary_id=person.id).order_by("created_at")
    assert [c.school_year_id for c in cards] == [first_year.id, next_year.id]
    assert cards[0].code != cards[1].code
    await assert_credited_once(person, first_year)
    await assert_credited_once(person, next_year)
    await spent.refresh_from_db()
    assert spent.balance_cents == 123_45  # last year's wallets are left as they were
    again = await import_middle_schoolers(Viewer(), next_year, text)
    assert (again.already_present, again.cards_issued) == (1, 0)


async def test_wallets_of_the_year_opened_before_the_card_are_credited_exactly_once():
    year = await new_year()
    empty_id, credited_id = ine(), ine()
    holder = await young_person()
    empty = await Beneficiary.create(
        kind=BeneficiaryKind.MIDDLE_SCHOOLER,
        school_identifier=empty_id,
        first_name="Jade",
        last_name="VIDAL",
        birth_date=born(year, 12),
        commune_code="13001",
        user=holder,
    )
    credited = await Beneficiary.create(
        kind=BeneficiaryKind.MIDDLE_SCHOOLER,
        school_identifier=credited_id,
        first_name="Paul",
        last_name="VIDAL",
        birth_date=born(year, 12),
        commune_code="13001",
    )
    await ledger.wallet_account(empty.id, year.id, "SOUTIEN_SCOLAIRE")  # opened, never credited
    wallet = await ledger.wallet_account(credited.id, year.id, "SOUTIEN_SCOLAIRE")
    async with atomic():
        funding = await ledger.funding_account(year.id)
        await ledger.post(
            LedgerTransactionKind.YEAR_CREDIT,
            "crédit déjà versé",
            [ledger.Line(funding, -67_89), ledger.Line(wallet, 67_89)],
        )
    text = csv_file(
        [
            f"{empty_id};VIDAL;Jade;{born(year, 12):%d/%m/%Y};Collège;13001",
            f"{credited_id};VIDAL;Paul;{born(year, 12):%d/%m/%Y};Collège;13001",
        ]
    )

    report = await import_middle_schoolers(Viewer(), year, text)

    assert (report.created, report.already_present, report.cards_issued) == (0, 2, 2)
    await assert_credited_once(empty, year)
    await assert_credited_once(credited, year)
    card = await Card.get(beneficiary_id=empty.id, school_year_id=year.id)
    assert card.status == CardStatus.ACTIVE  # as issue_card: the holder has signed up already
    assert (await Card.get(beneficiary_id=credited.id)).status == CardStatus.NOT_ACTIVATED


async def test_importing_5000_rows_is_fast_and_reports_progress_by_chunk():
    year = await new_year()
    rows = [
        f"{ine()};NOM{n};Prénom{n};{born(year, 9 + n % 9):%d/%m/%Y};Collège;13{n % 999:03d}"
        for n in range(5000)
    ]
    calls: list[tuple[int, int]] = []

    started = time.perf_counter()
    report = await import_middle_schoolers(
        Viewer(), year, csv_file(rows), progress=lambda *a: calls.append(a)
    )
    elapsed = time.perf_counter() - started

    print(f"\nimport: 5000 rows in {elapsed:.2f} s, {5000 / elapsed:.0f} rows/s")
    assert (report.created, report.cards_issued, report.rejected) == (5000, 5000, [])
    assert calls == [(1000, 5000), (2000, 5000), (3000, 5000), (4000, 5000), (5000, 5000)]
    assert elapsed < 30
    wallets = LedgerAccount.filter(kind=AccountKind.WALLET, school_year_id=year.id)
    assert await wallets.count() == 5000 * len(WALLET_TYPES)
    by_wallet_total = await wallets.annotate(total=Sum("balance_cents")).first().values("total")
    funding = await ledger.funding_account(year.id)
    assert by_wallet_total["total"] == -await ledger.balance_of(funding)


def cjeune(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


CREATE_YEAR = """
import asyncio, datetime
from domain.cards.school_years import create_school_year
from domain.accounts.viewer import Viewer
from infra.database import close_database, open_database
from infra.settings import get_settings

async def main():
    await open_database(get_settings())
    try:
        await create_school_year(Viewer(), datetime.date(2031, 9, 1))
    finally:
        await close_database()

asyncio.run(main())
"""


def test_the_command_imports_a_file_shows_progress_and_prints_the_report(tmp_path):
    env = {"DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3", "CJEUNE_DATA_DIR": str(tmp_path)}
    assert cjeune("-m", "server", "migrate", env=env).returncode == 0
    created = cjeune("-c", CREATE_YEAR, env=env)
    assert created.returncode == 0, created.stderr
    export = tmp_path / "eleves.csv"
    export.write_text(
        "\ufeff" + HEADER + "\n"
        "123456789AB;MARTIN;Léa;15/03/2020;Collège Thiers;13201\n"
        "123456789AC;MARTIN;Théo;15/03/2020;Collège Thiers;06088\n",
        encoding="utf-8",
    )

    imported = cjeune(
        "-m", "server", "import-beneficiaries", str(export), "--year", "2031-2032", env=env
    )
    again = cjeune(
        "-m", "server", "import-beneficiaries", str(export), "--year", "2031-2032", env=env
    )
    unknown = cjeune(
        "-m", "server", "import-beneficiaries", str(export), "--year", "2040-2041", env=env
    )

    assert imported.returncode == 0, imported.stderr
    assert "2/2" in imported.stderr  # the progress bar
    assert "1 créé" in imported.stdout and "1 carte" in imported.stdout
    assert "ligne 3 : commune hors des Bouches-du-Rhône" in imported.stdout
    assert again.returncode == 0 and "1 déjà présent" in again.stdout
    assert "0 carte" in again.stdout
    assert unknown.returncode == 1
    assert "année scolaire 2040-2041 n'existe pas" in unknown.stderr
