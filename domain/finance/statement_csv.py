"""A statement as CSV for French spreadsheets (`;`, UTF-8 BOM, decimal comma)."""

from __future__ import annotations

from domain.core import french_csv
from domain.finance.statements import Statement, StatementLine

HEADER = [
    "Date",
    "Heure",
    "Référence",
    "Carte",
    "Bénéficiaire",
    "Porte-monnaie",
    "Montant (€)",
    "Délégué",
    "Statut",
]


def _row(line: StatementLine, status: str | None = None) -> list[str]:
    return [
        f"{line.at:%d/%m/%Y}",
        f"{line.at:%H:%M:%S}",
        line.reference,
        line.masked_card,
        line.initials,
        line.wallet_label,
        french_csv.amount(line.amount_cents),
        line.delegate,
        status or line.status,
    ]


def _total(label: str, cents: int) -> list[str]:
    return [label, "", "", "", "", "", french_csv.amount(cents), "", ""]


def render_csv(statement: Statement) -> bytes:
    rows: list[list[str]] = []
    for group in statement.groups:
        rows += [_row(line) for line in group.lines]
        rows.append(_total(f"Sous-total {group.label}", group.total_cents))
    if statement.adjustments:
        rows += [_row(line, "Reprise (régularisation)") for line in statement.adjustments]
        rows.append(
            _total("Sous-total reprises", sum(a.amount_cents for a in statement.adjustments))
        )
    if statement.carried_in_cents:
        rows.append(_total("Report de remboursements précédents", statement.carried_in_cents))
    rows.append(_total("Total", statement.total_cents))
    if statement.reversed:
        rows.append(_total("Transactions annulées (non remboursées)", 0)[:1] + [""] * 8)
        rows += [_row(line) for line in statement.reversed]
    return french_csv.to_bytes(HEADER, rows)
