"""benchmarks/reimbursements.py at a tiny scale: the seeded rows hold together (the figures
add up at close) and the JSON line carries every figure."""

from __future__ import annotations

import pytest

from benchmarks import reimbursements
from tests.conftest import BACKEND, POSTGRES_SERVER

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres", reason="the benchmark bulk-loads PostgreSQL with generate_series"
)


async def test_a_tiny_fortnight_closes_pays_and_renders_its_statement(settings):
    from infra.database import close_database, open_database
    from infra.settings import use_settings

    args = reimbursements.parse_args(
        [
            "--partners",
            "5",
            "--debits",
            "600",
            "--cards",
            "50",
            "--statement-lines",
            "150",
            "--postgres",
            POSTGRES_SERVER,
        ]
    )
    await close_database()  # the benchmark opens its own database, then closes it
    try:
        figures = await reimbursements.run(args)
    finally:
        use_settings(settings)
        await open_database(settings)

    assert figures["figures_add_up"] is True
    assert figures["reimbursements"] == figures["transfers"] == 5
    assert figures["lines_assigned"] == 600 - 6  # 1 % cancelled the same day
    assert figures["statement_lines"] >= 150
    assert figures["statement_pdf_bytes"] > 0 and figures["statement_csv_bytes"] > 0
    assert {"close_and_sepa_seconds", "statement_pdf_seconds", "statement_csv_seconds"} <= set(
        figures
    )
