"""French names of the API's values, as the back office shows them."""

from __future__ import annotations

THEMES = {
    "LOISIRS": "Loisirs",
    "SPORT": "Sport",
    "CULTURE": "Culture",
    "SOUTIEN_SCOLAIRE": "Soutien scolaire",
    "TOURISME": "Tourisme",
    "INSERTION_PROFESSIONNELLE": "Insertion professionnelle",
}
# The guide's age rule: these themes are shown to the 18–25 only.
ADULT_THEMES = frozenset({"TOURISME", "INSERTION_PROFESSIONNELLE"})

DEAL_TYPES = {
    "DISCOUNT_EUROS": "Réduction en euros",
    "DISCOUNT_PERCENT": "Réduction en pourcentage",
    "PROMO_CODE": "Code promo",
    "CONTEST": "Jeu concours",
    "GOODIES": "Goodies",
    "LIMITED_SERVICE": "Service limité",
}
EVENT_KINDS = {
    "MANIFESTATION": "Manifestation",
    "FESTIVAL": "Festival",
    "STAGE": "Stage",
    "CONCERT": "Concert",
    "SPECTACLE": "Spectacle",
    "EXPOSITION": "Exposition",
    "ATELIER": "Atelier",
    "COMPETITION": "Compétition",
    "AUTRE": "Autre",
}
OFFER_KINDS = {"DEAL": "Bon plan", "EVENT": "Événement"}
REPORT_REASONS = {
    "INAPPROPRIATE": "Contenu inapproprié",
    "MISLEADING": "Contenu trompeur",
    "HARASSMENT": "Harcèlement",
    "DANGEROUS": "Contenu dangereux",
    "SPAM": "Spam",
    "OTHER": "Autre",
}


def age_rule(theme: str) -> str:
    if theme in ADULT_THEMES:
        return "réservé aux 18–25 ans"
    return "ouvert à tous les titulaires (11–25 ans)"
