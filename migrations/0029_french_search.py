"""French, typo-tolerant text search on PostgreSQL (search/database.py, search/text.py).

- `pg_trgm` and `unaccent` (trusted extensions: the database owner may create them).
- `cjeune_unaccent(text)`: `unaccent()` is only STABLE (it looks its dictionary up by name
  through the search path), so an index cannot use it; this wrapper names the dictionary
  (`public.unaccent`) and is declared IMMUTABLE.
- `cjeune_french`: PostgreSQL's `french` configuration (Snowball stemming, French stop
  words) with accents removed before stemming.
- `search_vector`, a stored generated tsvector on offers (title weighted A, then the folded
  `search_text`: title, description, communes, partner, theme), partners (trade name, A),
  partner_profiles (commune B, description) and department_services, each with a GIN index.
- `search_terms`: every word (3+ letters, no digit) the searchable texts hold, folded, kept
  by triggers; a GiST trigram index finds the nearest words of a mistyped one, which the
  query then also looks for. Words are never removed (a stale word finds nothing).
- GiST trigram indexes on partners' folded trade name and profiles' folded commune, for the
  "did you mean" suggestions of a search without hits.

SQLite has none of this: search/database.py matches folded words with LIKE there.
"""

from tortoise import migrations

from migrations._dialect import per_dialect

VECTORS = {
    "offers": "setweight(to_tsvector('cjeune_french', coalesce(title, '')), 'A') || "
    "to_tsvector('cjeune_french', search_text)",
    "partners": "setweight(to_tsvector('cjeune_french', trade_name), 'A')",
    "partner_profiles": "setweight(to_tsvector('cjeune_french', coalesce(city, '')), 'B') || "
    "to_tsvector('cjeune_french', coalesce(description, ''))",
    "department_services": "setweight(to_tsvector('cjeune_french', title), 'A') || "
    "to_tsvector('cjeune_french', search_text)",
}
# Which column of each table feeds the words the typo tolerance can correct to.
TERM_SOURCES = {
    "offers": "search_text",
    "partners": "trade_name",
    "partner_profiles": "city",
    "department_services": "search_text",
}

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE FUNCTION cjeune_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "STRICT AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$",
    "CREATE TEXT SEARCH CONFIGURATION cjeune_french (COPY = pg_catalog.french)",
    "ALTER TEXT SEARCH CONFIGURATION cjeune_french ALTER MAPPING FOR hword, hword_part, word "
    "WITH public.unaccent, french_stem",
    *(
        f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({vector}) STORED"
        for table, vector in VECTORS.items()
    ),
    *(
        f"CREATE INDEX {table}_search_vector ON {table} USING gin (search_vector)"
        for table in VECTORS
    ),
    'CREATE TABLE search_terms (term text COLLATE "C" PRIMARY KEY)',
    "CREATE INDEX search_terms_trigram ON search_terms USING gist (term gist_trgm_ops)",
    # Sorted, so that two transactions adding overlapping words lock them in one order.
    "CREATE FUNCTION cjeune_learn_terms(source text) RETURNS void LANGUAGE sql AS $$ "
    "INSERT INTO search_terms (term) SELECT DISTINCT w FROM regexp_split_to_table("
    "lower(cjeune_unaccent(coalesce(source, ''))), '[^a-z0-9]+') AS w "
    "WHERE length(w) BETWEEN 3 AND 40 AND w !~ '[0-9]' ORDER BY w "
    "ON CONFLICT DO NOTHING $$",
    "CREATE FUNCTION cjeune_learn_terms_of_row() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN PERFORM cjeune_learn_terms(to_jsonb(NEW) ->> TG_ARGV[0]); RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {table}_learn_terms AFTER INSERT OR UPDATE OF {column} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION cjeune_learn_terms_of_row('{column}')"
        for table, column in TERM_SOURCES.items()
    ),
    *(
        f"SELECT cjeune_learn_terms({column}) FROM {table}"  # noqa: S608 (constants)
        for table, column in TERM_SOURCES.items()
    ),
    "CREATE INDEX partners_name_trigram ON partners "
    "USING gist (lower(cjeune_unaccent(trade_name)) gist_trgm_ops)",
    "CREATE INDEX partner_profiles_city_trigram ON partner_profiles "
    "USING gist (lower(cjeune_unaccent(city)) gist_trgm_ops)",
]

REVERSE_POSTGRES = [
    "DROP INDEX partner_profiles_city_trigram",
    "DROP INDEX partners_name_trigram",
    *(f"DROP TRIGGER {table}_learn_terms ON {table}" for table in TERM_SOURCES),
    "DROP FUNCTION cjeune_learn_terms_of_row()",
    "DROP FUNCTION cjeune_learn_terms(text)",
    "DROP TABLE search_terms",
    *(f"ALTER TABLE {table} DROP COLUMN search_vector" for table in VECTORS),
    "DROP TEXT SEARCH CONFIGURATION cjeune_french",
    "DROP FUNCTION cjeune_unaccent(text)",
]


class Migration(migrations.Migration):
    dependencies = [("models", "0028_bon_plan_uses")]

    operations = [
        per_dialect(
            postgres=POSTGRES, sqlite=[], reverse_postgres=REVERSE_POSTGRES, reverse_sqlite=[]
        ),
    ]
