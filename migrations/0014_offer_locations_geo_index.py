"""Nearest-first radius search walks this index instead of scanning every place.

PostgreSQL's built-in `point` type with GiST (no extension, no superuser): longitude is scaled
by cos(43.5°) ≈ 0.725 so that planar distance ranks like ground distance in the département;
`search/database.py` (LONGITUDE_SCALE) re-sorts by exact haversine distance. SQLite, the
single-process embedded default, has no such index and computes distances in Python.
"""

from tortoise import migrations

from migrations._dialect import per_dialect


class Migration(migrations.Migration):
    dependencies = [("models", "0013_published_posts_index")]

    operations = [
        per_dialect(
            postgres=[
                "CREATE INDEX offer_locations_planar ON offer_locations "
                "USING gist (point(longitude * 0.725, latitude))"
            ],
            sqlite=[],
            reverse_postgres=["DROP INDEX offer_locations_planar"],
            reverse_sqlite=[],
        ),
    ]
