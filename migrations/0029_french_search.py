"""French, typo-tolerant text search on PostgreSQL (search/database.py, search/text.py).

- `pg_trgm` and `unaccent` (trusted extensions: the database owner may create them).
- `cjeune_unaccent(text)`: `unaccent()` is only STABLE (it looks its dictionary up by name
  through the search path), so an index cannot use it; this wrapper names the dictionary
  (`public.unaccent`) and is declared IMMUTABLE.
- `cjeune_french`: PostgreSQL's `french` configuration (Snowball stemming, French stop
  words) with accents removed before stemming.
- `search_vector`, a stored generated tsvector on offers (title weighted A, then the folded
  `search_text`: title, description, communes, partner, theme) and department_services, and
  one kept by triggers on partner_profiles (the partner's name A, commune B, description),
  each with a GIN index.
- `search_terms`: every word (3+ letters, no digit) the searchable texts hold, folded, kept
  by triggers; a GiST trigram index finds the nearest words of a mistyped one, which the
  query then also looks for. Words are never removed (a stale word finds nothing).
- `offer_locations.search_vector`, its offer's, copied by triggers, in a GiST index with
  the place's planar point (as 0014's): a text search around a position walks the places
  nearest first among those that hold the words, instead of sorting every match.
- GiST trigram indexes on partners' folded trade name and profiles' folded commune, for the
  "did you mean" suggestions of a search without hits.

SQLite has none of this: search/database.py matches folded words with LIKE there.
"""

from tortoise import migrations

from migrations._dialect import per_dialect

VECTORS = {
    "offers": "setweight(to_tsvector('cjeune_french', coalesce(title, '')), 'A') || "
    "to_tsvector('cjeune_french', search_text)",
    "department_services": "setweight(to_tsvector('cjeune_french', title), 'A') || "
    "to_tsvector('cjeune_french', search_text)",
}
# Which columns of each table feed the words the typo tolerance can correct to.
TERM_SOURCES = {
    "offers": "search_text",
    "partners": "trade_name",
    "partner_profiles": "city, description",
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
    # A partner's words: its name (partners) with its profile's commune and description.
    "ALTER TABLE partner_profiles ADD COLUMN search_vector tsvector",
    "CREATE FUNCTION cjeune_profile_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN NEW.search_vector := setweight(to_tsvector('cjeune_french', coalesce("
    "(SELECT trade_name FROM partners WHERE id = NEW.partner_id), '')), 'A') || "
    "setweight(to_tsvector('cjeune_french', coalesce(NEW.city, '')), 'B') || "
    "to_tsvector('cjeune_french', coalesce(NEW.description, '')); RETURN NEW; END $$",
    "CREATE TRIGGER partner_profiles_search_vector BEFORE INSERT OR UPDATE OF partner_id, "
    "city, description ON partner_profiles "
    "FOR EACH ROW EXECUTE FUNCTION cjeune_profile_search_vector()",
    "CREATE FUNCTION cjeune_partner_name_search_vector() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN UPDATE partner_profiles SET city = city WHERE partner_id = NEW.id; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER partners_search_vector AFTER UPDATE OF trade_name ON partners "
    "FOR EACH ROW WHEN (OLD.trade_name IS DISTINCT FROM NEW.trade_name) "
    "EXECUTE FUNCTION cjeune_partner_name_search_vector()",
    "UPDATE partner_profiles SET city = city",
    "CREATE INDEX partner_profiles_search_vector ON partner_profiles USING gin (search_vector)",
    'CREATE TABLE search_terms (term text COLLATE "C" PRIMARY KEY)',
    "CREATE INDEX search_terms_trigram ON search_terms USING gist (term gist_trgm_ops)",
    # Sorted, so that two transactions adding overlapping words lock them in one order.
    "CREATE FUNCTION cjeune_learn_terms(source text) RETURNS void LANGUAGE sql AS $$ "
    "INSERT INTO search_terms (term) SELECT DISTINCT w FROM regexp_split_to_table("
    "lower(cjeune_unaccent(coalesce(source, ''))), '[^a-z0-9]+') AS w "
    "WHERE length(w) BETWEEN 3 AND 40 AND w !~ '[0-9]' ORDER BY w "
    "ON CONFLICT DO NOTHING $$",
    "CREATE FUNCTION cjeune_learn_terms_of_row() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN FOR i IN 0 .. TG_NARGS - 1 LOOP "
    "PERFORM cjeune_learn_terms(to_jsonb(NEW) ->> TG_ARGV[i]); END LOOP; RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {table}_learn_terms AFTER INSERT OR UPDATE OF {columns} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION cjeune_learn_terms_of_row("
        f"{', '.join(repr(c) for c in columns.split(', '))})"
        for table, columns in TERM_SOURCES.items()
    ),
    # The words already there, in one statement per column (not a call per row).
    *(
        "INSERT INTO search_terms (term) SELECT DISTINCT w FROM "  # noqa: S608 (constants)
        f"{table}, regexp_split_to_table(lower(cjeune_unaccent(coalesce({column}, ''))), "
        "'[^a-z0-9]+') AS w WHERE length(w) BETWEEN 3 AND 40 AND w !~ '[0-9]' "
        "ON CONFLICT DO NOTHING"
        for table, columns in TERM_SOURCES.items()
        for column in columns.split(", ")
    ),
    "ALTER TABLE offer_locations ADD COLUMN search_vector tsvector",
    "UPDATE offer_locations l SET search_vector = o.search_vector FROM offers o "
    "WHERE o.id = l.offer_id",
    "CREATE FUNCTION cjeune_place_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN NEW.search_vector := (SELECT search_vector FROM offers WHERE id = NEW.offer_id); "
    "RETURN NEW; END $$",
    "CREATE TRIGGER offer_locations_search_vector BEFORE INSERT OR UPDATE OF offer_id "
    "ON offer_locations FOR EACH ROW EXECUTE FUNCTION cjeune_place_search_vector()",
    "CREATE FUNCTION cjeune_offer_places_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN UPDATE offer_locations SET search_vector = NEW.search_vector "
    "WHERE offer_id = NEW.id; RETURN NULL; END $$",
    "CREATE TRIGGER offers_places_search_vector AFTER UPDATE OF search_text, title ON offers "
    "FOR EACH ROW WHEN (OLD.search_vector IS DISTINCT FROM NEW.search_vector) "
    "EXECUTE FUNCTION cjeune_offer_places_search_vector()",
    "CREATE INDEX offer_locations_planar_text ON offer_locations "
    "USING gist (point(longitude * 0.725, latitude), search_vector)",
    # A text search without a position shows each offer at one of its places, read by offer.
    "CREATE INDEX offer_locations_offer ON offer_locations (offer_id)",
    "CREATE INDEX partners_name_trigram ON partners "
    "USING gist (lower(cjeune_unaccent(trade_name)) gist_trgm_ops)",
    "CREATE INDEX partner_profiles_city_trigram ON partner_profiles "
    "USING gist (lower(cjeune_unaccent(city)) gist_trgm_ops)",
]

REVERSE_POSTGRES = [
    "DROP INDEX offer_locations_offer",
    "DROP TRIGGER partners_search_vector ON partners",
    "DROP FUNCTION cjeune_partner_name_search_vector()",
    "DROP TRIGGER partner_profiles_search_vector ON partner_profiles",
    "DROP FUNCTION cjeune_profile_search_vector()",
    "ALTER TABLE partner_profiles DROP COLUMN search_vector",
    "DROP INDEX offer_locations_planar_text",
    "DROP TRIGGER offers_places_search_vector ON offers",
    "DROP FUNCTION cjeune_offer_places_search_vector()",
    "DROP TRIGGER offer_locations_search_vector ON offer_locations",
    "DROP FUNCTION cjeune_place_search_vector()",
    "ALTER TABLE offer_locations DROP COLUMN search_vector",
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
