import pytest

from domain.core.errors import DomainError
from domain.core.money import format_euros, parse_euros
from tests.conftest import BACKEND


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("10,55", 1055), ("10.55", 1055), ("10", 1000), ("0,5", 50), (" 7,2 € ", 720), ("0.01", 1)],
)
def test_amounts_typed_in_euros_become_cents(typed, cents):
    assert parse_euros(typed) == cents


@pytest.mark.parametrize(
    "typed",
    [
        "10.555",
        "-1",
        "0",
        "0,00",
        "1e3",
        "NaN",
        "inf",
        "dix euros",
        "",
        "1 000",
        "99999999999",
        "10,",
        ",5",
        "10..5",
        "１０",
    ],
)
def test_anything_else_is_refused_with_a_french_message(typed):
    with pytest.raises(DomainError) as refused:
        parse_euros(typed)
    assert refused.value.code == "INVALID_INPUT"
    assert refused.value.field == "amount"
    assert "montant" in refused.value.message.lower()


def test_display_is_french():
    assert format_euros(1055).replace("\u202f", " ").replace("\xa0", " ") == "10,55 €"
    assert format_euros(123456).replace("\u202f", " ").replace("\xa0", " ") == "1 234,56 €"


@pytest.mark.parametrize("cents", [0, 1, 99, 100, 1055, 123456, 100_000_00, -250])
def test_display_matches_babels_french_format(cents):
    from decimal import Decimal

    from babel.numbers import format_currency

    assert format_euros(cents) == format_currency(Decimal(cents) / 100, "EUR", locale="fr_FR")


@pytest.mark.skipif(BACKEND != "postgres", reason="format_euros() is a PostgreSQL function")
async def test_the_databases_format_is_the_same(settings):
    """The one-statement debit writes its notification with PostgreSQL's format_euros()."""
    from models import sql

    amounts = [0, 1, 9, 10, 99, 100, 105, 1055, 99_999, 100_000, 123_456, 100_000_00]
    amounts += [123_456_789_01, -1, -250, -123_456]
    rows = await sql.rows(
        "SELECT cents, format_euros(cents) AS text FROM unnest($1::bigint[]) AS cents", amounts
    )
    assert {row["cents"]: row["text"] for row in rows} == {c: format_euros(c) for c in amounts}
