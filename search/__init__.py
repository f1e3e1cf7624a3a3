"""Search backends (database, Meilisearch) and geocoding (geopy).

Built with the deals and map issue."""
