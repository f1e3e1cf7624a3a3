"""French names of the API's values the public pages show, and their address slugs."""

from __future__ import annotations

CATEGORIES = {
    "SPORT": "Sport",
    "CULTURE": "Culture",
    "LOISIRS": "Loisirs",
    "SOUTIEN_SCOLAIRE": "Soutien scolaire",
    "TOURISME": "Tourisme",
    "INSERTION_PROFESSIONNELLE": "Insertion professionnelle",
}
# `?categorie=` in the addresses: lower-case French words, as a visitor would type them.
CATEGORY_SLUGS = {value: name.lower().replace(" ", "-") for value, name in CATEGORIES.items()}
CATEGORY_OF_SLUG = {slug: value for value, slug in CATEGORY_SLUGS.items()}
