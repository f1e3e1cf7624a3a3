"""Search backends (database, Meilisearch) and geocoding (geopy): built with the deals and map issue."""
