"""`format_euros(cents)` in PostgreSQL: the debit is one statement (domain/cards/debit_statement.py)
and its notification tells the new balance, known only inside that statement. The text is
domain.core.money.format_euros's, « 1 234,56 € » with narrow no-break spaces (tested against it)."""

from tortoise import migrations

from migrations._dialect import per_dialect

FORMAT_EUROS = r"""
CREATE FUNCTION format_euros(cents bigint) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN cents < 0 THEN '-' ELSE '' END
    || regexp_replace((abs(cents) / 100)::text, '(\d)(?=(\d{3})+$)', '\1' || chr(8239), 'g')
    || ',' || lpad((abs(cents) % 100)::text, 2, '0') || chr(160) || '€'
$$
"""


class Migration(migrations.Migration):
    dependencies = [("models", "0020_finance_integrity")]

    operations = [
        per_dialect(
            postgres=[FORMAT_EUROS],
            sqlite=[],  # SQLite debits through the ORM path, which formats in Python
            reverse_postgres=["DROP FUNCTION format_euros(bigint)"],
            reverse_sqlite=[],
        ),
    ]
