"""French queries as young people type them, each with the hit expected in the top 3.

The corpus is a small département: partners of Marseille, Aix and around, one or two deals
or events each. The shared contract (tests/search/contract.py,
`test_relevance_cases`) writes it with each world's word in every title, asks every query
(the world's word added, which every row holds), and counts the cases met; each backend
says the share it must reach (PostgreSQL: all of them).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.offers import OfferKind, OfferTheme

VIEUX_PORT = (43.2951, 5.3744)
PRADO = (43.2722, 5.3908)
CASTELLANE = (43.2858, 5.3839)
AIX = (43.5283, 5.4497)
AUBAGNE = (43.2927, 5.5708)
LA_CIOTAT = (43.1748, 5.6046)
MARTIGUES = (43.4053, 5.0476)
SALON = (43.6403, 5.0973)
VITROLLES = (43.4600, 5.2486)
CASSIS = (43.2148, 5.5396)


@dataclass(frozen=True)
class Deal:
    title: str
    theme: OfferTheme
    description: str = ""
    kind: OfferKind = OfferKind.DEAL
    published_days_ago: int = 10
    is_super: bool = False


@dataclass(frozen=True)
class Place:
    """A partner, its commune and pin, and its deals."""

    name: str
    city: str
    at: tuple[float, float]
    deals: tuple[Deal, ...]
    description: str = ""


def _near(point: tuple[float, float], north: float = 0.0, east: float = 0.0) -> tuple[float, float]:
    return (point[0] + north / 111.2, point[1] + east / 80.6)


CULTURE, SPORT, LOISIRS = OfferTheme.CULTURE, OfferTheme.SPORT, OfferTheme.LOISIRS
CORPUS = (
    Place("Cinéma Le Prado", "Marseille", PRADO, (
        Deal("Place de cinéma à 5 €", CULTURE, "Toutes les séances, tous les films."),
    )),
    Place("Piscine Vallier", "Marseille", _near(VIEUX_PORT, 1.3, 1.6), (
        Deal("Entrée piscine et cours de natation", SPORT, "Bassin olympique, nage libre."),
    )),
    Place("Réussite Éducative 13", "Marseille", CASTELLANE, (
        Deal("Soutien scolaire : une heure offerte", OfferTheme.SOUTIEN_SCOLAIRE,
             "Cours particuliers de mathématiques et de français."),
    )),
    Place("Grimper Marseille", "Marseille", _near(VIEUX_PORT, -1.7, 2.5), (
        Deal("Escalade en salle : 20 % de réduction", SPORT, "Blocs et voies pour débuter."),
    )),
    Place("Le Dôme", "Marseille", _near(VIEUX_PORT, 1.0, 2.0), (
        Deal("Concert de rap au Dôme", CULTURE, "Les artistes de la scène marseillaise.",
             kind=OfferKind.EVENT),
    )),
    Place("Théâtre du Jeu de Paume", "Aix-en-Provence", AIX, (
        Deal("Théâtre : places à moitié prix", CULTURE, "Pièces classiques et contemporaines."),
    )),
    Place("Librairie Goulard", "Aix-en-Provence", _near(AIX, 0.2, 0.1), (
        Deal("Livres et bandes dessinées : 10 % de réduction", CULTURE, "Romans et mangas."),
    )),
    Place("Musée Granet", "Aix-en-Provence", _near(AIX, -0.3, 0.4), (
        Deal("Exposition : entrée gratuite", CULTURE, "Peinture et sculpture."),
    )),
    Place("Judo Club Aubagnais", "Aubagne", AUBAGNE, (
        Deal("Judo : licence offerte", SPORT, "Cours pour les débutants."),
    )),
    Place("Kayak Côte Bleue", "Martigues", MARTIGUES, (
        Deal("Balade en kayak de mer", LOISIRS, "Calanques et criques de la Côte Bleue."),
    )),
    Place("Palais de la Glace", "Marseille", _near(PRADO, -1.2, 0.3), (
        Deal("Patinoire : entrée et location des patins", LOISIRS),
    )),
    Place("Bowling du Prado", "Marseille", _near(PRADO, 0.4, 0.6), (
        Deal("Bowling : deuxième partie offerte", LOISIRS),
    )),
    Place("Studio Hip-Hop Aix", "Aix-en-Provence", _near(AIX, 0.5, -0.6), (
        Deal("Cours de danse hip-hop", CULTURE, "Breakdance et chorégraphies."),
    )),
    Place("Bibliothèque de l'Alcazar", "Marseille", _near(VIEUX_PORT, 0.6, 0.2), (
        Deal("Atelier bande dessinée à la bibliothèque", CULTURE),
    )),
    Place("Vélo Provence", "Salon-de-Provence", SALON, (
        Deal("Location de vélo à la journée", LOISIRS),
    )),
    Place("Planétarium Peiresc", "Aix-en-Provence", _near(AIX, 1.5, -1.0), (
        Deal("Soirée astronomie au planétarium", CULTURE, kind=OfferKind.EVENT),
    )),
    Place("Stade Vélodrome", "Marseille", _near(PRADO, -0.3, 0.5), (
        Deal("Match de football : places à 10 €", SPORT, is_super=True),
    )),
    Place("Conservatoire de La Ciotat", "La Ciotat", LA_CIOTAT, (
        Deal("Initiation à la guitare", CULTURE, "Cours de musique."),
    )),
    Place("Mission Locale de Marseille", "Marseille", _near(VIEUX_PORT, 0.3, -0.4), (
        Deal("Atelier CV et entretien d'embauche", OfferTheme.INSERTION_PROFESSIONNELLE),
    )),
    Place("Office de Tourisme de Cassis", "Cassis", CASSIS, (
        Deal("Visite guidée des calanques en bateau", OfferTheme.TOURISME),
    )),
    Place("Cinéma Renoir", "Aix-en-Provence", _near(AIX, 0.1, 0.3), (
        Deal("Ciné-club étudiant : séance à 4 €", CULTURE, published_days_ago=40),
    )),
    Place("Escape Game Enigma", "Marseille", _near(VIEUX_PORT, -0.5, 1.0), (
        Deal("Escape game : 15 % de réduction", LOISIRS),
    )),
    Place("Laser Game Évolution", "Vitrolles", VITROLLES, (
        Deal("Laser game : partie offerte", LOISIRS),
    )),
    Place("Piscine Yves Blanc", "Aix-en-Provence", _near(AIX, -1.0, -0.8), (
        Deal("Aquagym et natation", SPORT, "Bassin couvert à Aix."),
    )),
)  # fmt: skip


@dataclass(frozen=True)
class Case:
    """`text` typed (with `near` in km around a point, or not); `expected` is a deal's
    title or a partner's name of the corpus; `adult`: asked by an 18-25."""

    text: str
    expected: str
    kind: str  # typo, plural, accents, prefix, commune, position, elision
    near: tuple[float, float] | None = None
    adult: bool = False


CASES = (
    Case("cinema prado", "Place de cinéma à 5 €", "typo"),
    Case("natatoin", "Entrée piscine et cours de natation", "typo"),
    Case("soutient scolère", "Soutien scolaire : une heure offerte", "typo"),
    Case("escalde marseille", "Escalade en salle : 20 % de réduction", "typo"),
    Case("conssert", "Concert de rap au Dôme", "typo"),
    Case("teatre aix", "Théâtre : places à moitié prix", "typo"),
    Case("librairy goulard", "Librairie Goulard", "typo"),
    Case("bowlling", "Bowling : deuxième partie offerte", "typo"),
    Case("kayac", "Balade en kayak de mer", "typo"),
    Case("judot", "Judo : licence offerte", "typo"),
    Case("planetarim", "Soirée astronomie au planétarium", "typo"),
    Case("guitarre", "Initiation à la guitare", "typo"),
    Case("lazer game", "Laser game : partie offerte", "typo"),
    Case("bibliotheque alcazarr", "Bibliothèque de l'Alcazar", "typo"),
    Case("piscinne aix", "Aquagym et natation", "typo"),
    Case("exposision", "Exposition : entrée gratuite", "typo"),
    Case("concerts", "Concert de rap au Dôme", "plural"),
    Case("livre", "Livres et bandes dessinées : 10 % de réduction", "plural"),
    Case("expositions", "Exposition : entrée gratuite", "plural"),
    Case("calanque", "Balade en kayak de mer", "plural"),
    Case("cours de danses", "Cours de danse hip-hop", "plural"),
    Case("matchs de foot", "Match de football : places à 10 €", "plural"),
    Case("theatre", "Théâtre : places à moitié prix", "accents"),
    Case("musee", "Musée Granet", "accents"),
    Case("bibliotheque", "Atelier bande dessinée à la bibliothèque", "accents"),
    Case("seance cinema", "Place de cinéma à 5 €", "accents"),
    Case("etudiant", "Ciné-club étudiant : séance à 4 €", "accents"),
    Case("velodrome", "Stade Vélodrome", "accents"),
    Case("esca", "Escalade en salle : 20 % de réduction", "prefix"),
    Case("nata", "Entrée piscine et cours de natation", "prefix"),
    Case("astro", "Soirée astronomie au planétarium", "prefix"),
    Case("guit", "Initiation à la guitare", "prefix"),
    Case("patin", "Patinoire : entrée et location des patins", "prefix"),
    Case("footb", "Match de football : places à 10 €", "prefix"),
    Case("la ciotat", "Conservatoire de La Ciotat", "commune"),
    Case("aix en provence theatre", "Théâtre : places à moitié prix", "commune"),
    Case("Aix-en-Provence danse", "Cours de danse hip-hop", "commune"),
    Case("salon de provence velo", "Location de vélo à la journée", "commune"),
    Case("martigues", "Kayak Côte Bleue", "commune"),
    Case("aubange judo", "Judo : licence offerte", "commune"),
    Case("marseile escape", "Escape game : 15 % de réduction", "commune"),
    Case("vitrolle laser", "Laser game : partie offerte", "commune"),
    Case("cinema", "Cinéma Renoir", "position", near=AIX),
    Case("piscine", "Piscine Yves Blanc", "position", near=AIX),
    Case("natation", "Entrée piscine et cours de natation", "position", near=VIEUX_PORT),
    Case("l'escalade", "Escalade en salle : 20 % de réduction", "elision"),
    Case("d'la guitare", "Initiation à la guitare", "elision"),
    Case("atelier cv", "Atelier CV et entretien d'embauche", "adult", adult=True),
    Case("calanques bateau", "Visite guidée des calanques en bateau", "adult", adult=True),
)
