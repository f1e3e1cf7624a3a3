"""Bordereaux: grouped by wallet with subtotals, reversed apart, French CSV and PDF with
page numbers, downloaded through short-lived signed links."""

from __future__ import annotations

import re
import zlib
from datetime import datetime, timedelta

import pytest

from domain.cards.transactions import cancel_transaction
from domain.core import clock
from domain.finance import links as finance_links
from domain.finance import statements
from domain.finance.reimbursements import close_period
from domain.finance.statement_csv import render_csv
from domain.finance.statement_pdf import render_pdf
from domain.finance.statements import Statement, StatementLine, WalletGroup
from models.finance import Reimbursement
from tests.factories import partner_team
from tests.finance_helpers import debit, fresh_fortnights, paris, principal_viewer


def pdf_text(data: bytes) -> str:
    """The text operators of every page (core fonts keep the strings readable)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    text = []
    for stream in streams:
        try:
            page = zlib.decompress(stream).decode("cp1252", "replace")
            text.append(page.replace(") Tj (", ""))  # strings of one line, joined
        except zlib.error:
            continue
    return "\n".join(text)


@pytest.fixture
async def reimbursed(app):
    """A partner with three debits in a closed period, one of them cancelled the same day."""
    [period] = fresh_fortnights()
    team = await partner_team(name="Théâtre")
    day = period.starts_on + timedelta(days=1)
    kept = [await debit(team, paris(day, 9, 5), 1050), await debit(team, paris(day, 11), 1999)]
    cancelled = await debit(team, paris(day, 12), 500)
    with clock.frozen(paris(day, 18)):
        await cancel_transaction(await principal_viewer(team), cancelled.id)
    with clock.frozen(paris(period.ends_on + timedelta(days=1), 2)):
        report = await close_period(period.starts_on)
    reimbursement = await Reimbursement.get(partner_id=team.partner.id, period_id=report.period.id)
    return team, reimbursement, kept, cancelled, period


async def test_a_reimbursement_statement_in_csv_for_french_spreadsheets(reimbursed):
    team, reimbursement, kept, cancelled, _ = reimbursed
    statement = await statements.of_reimbursement(team.partner.id, reimbursement.id)

    data = render_csv(statement)

    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Date;Heure;Référence;Carte;Bénéficiaire;Porte-monnaie;Montant (€);Délégué;Statut"
    )
    first = lines[1].split(";")
    assert first[0] == kept[0].created_at.astimezone(clock.PARIS).strftime("%d/%m/%Y")
    assert first[1] == "09:05:00"  # Paris time
    assert first[2] == kept[0].reference
    assert first[3].startswith("****") and first[4] == "J. V."
    assert first[6] == "10,50" and first[7] == "Paul Principal" and first[8] == "Validée"
    assert lines[3].startswith("Sous-total ") and lines[3].split(";")[6] == "30,49"
    assert lines[4].split(";")[:1] == ["Total"] and lines[4].split(";")[6] == "30,49"
    apart = lines[lines.index(next(x for x in lines if x.startswith("Transactions annul"))) + 1]
    assert cancelled.reference in apart and apart.endswith(";Annulée")


async def test_a_statement_pdf_in_french_with_numbered_pages(reimbursed):
    team, reimbursement, kept, cancelled, _ = reimbursed
    data = render_pdf(await statements.of_reimbursement(team.partner.id, reimbursement.id))

    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Page 1 / 1" in text
    assert "30,49 €" in text  # « € » through Windows-1252
    assert kept[1].reference in text and cancelled.reference in text
    assert team.partner.siret in text and "Bouches-du-Rhône" in text


def test_a_long_statement_spans_numbered_pages():
    line = StatementLine(
        at=datetime(2031, 3, 2, 10, 0, tzinfo=clock.PARIS),
        reference="TABCDEFGHJKL",
        masked_card="****-****-AB12",
        initials="J. V.",
        wallet_kind="SPORT_CULTURE_LOISIRS",
        wallet_label="Sport, culture et loisirs",
        amount_cents=1234,
        delegate="Zoé Łukasiewicz",
        status="Validée",
    )
    partner = type("P", (), {"trade_name": "Cinéma", "legal_name": "SARL", "siret": "1"})()
    statement = Statement(
        "Bordereau des transactions",
        partner,
        "du 01/03 au 15/03",
        [WalletGroup("SPORT_CULTURE_LOISIRS", "Sport, culture et loisirs", [line] * 200)],
    )
    text = pdf_text(render_pdf(statement))
    pages = re.findall(r"Page (\d+) / (\d+)", text)
    assert len(pages) >= 6 and {total for _, total in pages} == {str(len(pages))}
    assert "Zoé Lukasiewicz" in text  # outside Windows-1252: the plain letter


async def test_statements_download_through_signed_links_that_expire(reimbursed, gql):
    team, reimbursement, *_ = reimbursed
    links = finance_links.statement_links(team.principal.id, team.partner.id, reimbursement.id)

    pdf = await gql.http.get(links.urls["pdf"].removeprefix("http://127.0.0.1:8000"))
    csv = await gql.http.get(links.urls["csv"].removeprefix("http://127.0.0.1:8000"))

    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["cache-control"] == "no-store"
    assert "attachment" in pdf.headers["content-disposition"]
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    token = links.urls["pdf"].rsplit("/", 1)[1]
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert (await gql.http.get(f"/releves/{tampered}")).status_code == 403
    with clock.frozen(links.expires_at + timedelta(seconds=1)):
        expired = await gql.http.get(f"/releves/{token}")
    assert expired.status_code == 410 and "expiré" in expired.text


async def test_a_range_statement_lists_every_debit_and_the_cancelled_apart(reimbursed):
    team, _, kept, cancelled, period = reimbursed
    statement = await statements.of_range(team.partner.id, period.starts_on, period.ends_on)
    assert [line.reference for line in statement.groups[0].lines] == [k.reference for k in kept]
    assert [line.reference for line in statement.reversed] == [cancelled.reference]
    assert statement.total_cents == 3049
