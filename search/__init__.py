"""Search backends (database, Meilisearch) and geocoding (geopy).

`geocoding` places a partner's address on the map (BAN or the offline commune table); the
search backends come with the deals and map issue."""
