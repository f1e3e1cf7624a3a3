"""What a text search finds an offer by: its title, its partner's name, its communes, its
theme in words, its description, folded (`domain.core.text.fold`) into `Offer.search_text`.

PostgreSQL indexes it with French stemming (migration 0029, `offers.search_vector`, the
title weighing most); SQLite matches its words' starts. The partner's name is copied at
publication: a renamed partner's offers are found by the new name once republished.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.core.text import fold
from models.offers import OfferTheme

THEME_WORDS = {
    OfferTheme.LOISIRS: "loisirs",
    OfferTheme.SPORT: "sport",
    OfferTheme.CULTURE: "culture",
    OfferTheme.SOUTIEN_SCOLAIRE: "soutien scolaire",
    OfferTheme.TOURISME: "tourisme voyage",
    OfferTheme.INSERTION_PROFESSIONNELLE: "insertion professionnelle emploi",
}


def offer_search_text(
    title: str,
    description: str,
    cities: Iterable[str],
    partner_name: str,
    theme: OfferTheme | str | None,
) -> str:
    theme_words = THEME_WORDS.get(OfferTheme(theme), "") if theme else ""
    return fold(" ".join([title, partner_name, *cities, theme_words, description]))
