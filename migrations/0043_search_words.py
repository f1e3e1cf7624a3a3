"""The folded words a text search ranks by, kept by PostgreSQL (search/ranked_sql.py).

A text search ranks its candidates in SQL: whether each word is a whole word of the hit or
the start of one, in its title or anywhere. The offers' `search_text` is folded by Python
when written; titles, partners' names and profiles' communes and descriptions were folded
for every candidate of every search (about 15 µs a row, most of a search's database time).
These stored generated columns keep them folded, padded with spaces (`' word '` is a
word, `' word'` the start of one):

- `offers.title_words`, `partners.name_words`, `department_services.title_words`;
- `partner_profiles.body_words`: the commune and the description.

`cjeune_fold` folds as `domain.core.text.fold` does French text (accents, ligatures,
case, punctuation); it may differ on other scripts and symbols (docs/search.md).

SQLite has none of this: it ranks in Python (search/ranked.py).
"""

from tortoise import migrations

from migrations._dialect import per_dialect

PADDED = {
    ("offers", "title_words"): "coalesce(title, '')",
    ("partners", "name_words"): "trade_name",
    ("department_services", "title_words"): "title",
    ("partner_profiles", "body_words"): "coalesce(city, '') || ' ' || coalesce(description, '')",
}

POSTGRES = [
    "CREATE FUNCTION cjeune_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "STRICT AS $$ SELECT regexp_replace(lower(cjeune_unaccent($1)), '[^0-9a-z]+', ' ', 'g') $$",
    *(
        f"ALTER TABLE {table} ADD COLUMN {column} text "
        f"GENERATED ALWAYS AS (' ' || cjeune_fold({source}) || ' ') STORED"
        for (table, column), source in PADDED.items()
    ),
]

REVERSE_POSTGRES = [
    *(f"ALTER TABLE {table} DROP COLUMN {column}" for table, column in PADDED),
    "DROP FUNCTION cjeune_fold(text)",
]


class Migration(migrations.Migration):
    dependencies = [("models", "0042_sqlite_lost_integrity")]

    operations = [
        per_dialect(
            postgres=POSTGRES, sqlite=[], reverse_postgres=REVERSE_POSTGRES, reverse_sqlite=[]
        ),
    ]
