"""The map's partner pins are read nearest the centre first through this index.

Without it a box over central Marseille reads every profile, joins it and sorts the
1,600 in the box to keep the nearest 100–200 (3 ms of each map request on 3,000 partners);
with it the GiST index walks only those. Same expression as offer_locations_planar
(`search/database.py`, LONGITUDE_SCALE); PostgreSQL only, as in 0014.
"""

from tortoise import migrations

from migrations._dialect import per_dialect


class Migration(migrations.Migration):
    dependencies = [("models", "0014_offer_locations_geo_index")]

    operations = [
        per_dialect(
            postgres=[
                "CREATE INDEX partner_profiles_planar ON partner_profiles "
                "USING gist (point(longitude * 0.725, latitude))"
            ],
            sqlite=[],
            reverse_postgres=["DROP INDEX partner_profiles_planar"],
            reverse_sqlite=[],
        ),
    ]
