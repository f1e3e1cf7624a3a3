"""What a text query means, and how its hits are ranked, whatever the database.

The query's words are folded (`domain.core.text.fold`: case, accents, elision and hyphens
gone: "L'Escalade à Aix-en-Provence" -> "escalade aix provence" once French stop words are
dropped). Every word must be found in a hit (as a word, as the start of one, after French
stemming on PostgreSQL, or, on PostgreSQL, as one of its typo corrections).

A hit's rank, lower first (`rank_key`):
1. its tier: 0 when every word is a whole word of the hit (plural or singular), 1 when
   every word is at least the start of one ("cin" -> "cinéma", while typing), 2 when a
   word was only found through stemming or a typo correction;
2. within a tier, relevance in points, combined with the distance when a position is
   given: the distance in km less `SEARCH_KM_PER_POINT` km per point; without one, minus
   the points. Points: the share of the words found in the title or the partner's name
   (0 to 1), plus `SEARCH_SUPER_BOOST` for a super bon plan (the département's highlight
   of a deal: staff set it, domain/offers/moderation.py `set_super`);
3. freshness: the deal or event published the fewest Paris days ago first (partners and
   services after them; days, not instants, so the order and the cursors hold all day);
4. the id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.core.text import fold

# The French stop words a query drops before matching (PostgreSQL's `french` list drops
# these and more from the documents; "l", "d", "qu" are what elision leaves).
STOP_WORDS = frozenset(
    "a au aux avec c ce ces d dans de des du elle en et il j l la le les leur lui m ma mais "
    "me mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa se ses son sur t "
    "ta te tes toi ton tu un une vos votre vous y est sont ete etre sans tout tous toute "
    "toutes tres plus moins chez".split()
)
TIER_EXACT, TIER_PREFIX, TIER_LOOSE = 0, 1, 2
TIER_SPAN = 1000.0  # larger than any distance (100 km) plus points: tiers never mix


@dataclass(frozen=True)
class Weights:
    """The ranking's weights (infra/settings.py, `SEARCH_*`)."""

    km_per_point: float = 5.0
    super_boost: float = 0.5


@dataclass(frozen=True)
class TextQuery:
    """The words a hit must hold, in order, without stop words (unless only those)."""

    words: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> TextQuery:
        folded = list(dict.fromkeys(fold(text).split()))
        kept = [w for w in folded if w not in STOP_WORDS]
        return cls(tuple(kept or folded))

    def __bool__(self) -> bool:
        return bool(self.words)

    def correctable(self) -> list[str]:
        """The words worth a typo correction: 3 letters or more, no digit (a number, a
        postal code, a code of our own is meant as typed)."""
        return [w for w in self.words if len(w) >= 3 and w.isalpha()]


def singular(word: str) -> str:
    """A French plural's usual singular: "concerts" -> "concert", "jeux" -> "jeu"."""
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


def word_tier(word: str, text_words: Sequence[str], word_set: set[str]) -> int:
    """TIER_EXACT when `word` or another number of it is one of the text's words
    (`word_set`: them, as a set), TIER_PREFIX when it starts one, else TIER_LOOSE."""
    bare = singular(word)
    if bare in word_set or f"{bare}s" in word_set or f"{bare}x" in word_set:
        return TIER_EXACT
    if any(w.startswith(word) for w in text_words):
        return TIER_PREFIX
    return TIER_LOOSE


def matches_loosely(query: TextQuery, folded_text: str) -> bool:
    """Every word is found as the start of a word of the text, or its singular is: what
    SQLite (and Python's filters) can check without stemming or corrections."""
    text_words = folded_text.split()
    return all(
        any(w.startswith(word) or w.startswith(singular(word)) for w in text_words)
        for word in query.words
    )


@dataclass(frozen=True)
class Rankable:
    """What the ranking reads of a hit: folded texts, and the facts that boost it."""

    title: str  # folded: the hit's title and, for a deal, its partner's name
    body: str  # folded: everything else searchable (description, communes, theme)
    distance_km: float | None = None
    is_super: bool = False
    published_on: date | None = None


NEVER_PUBLISHED = 1_000_000.0  # partners and services: after every deal of the same rank


def rank_key(query: TextQuery, hit: Rankable, today: date, weights: Weights) -> tuple[float, float]:
    """What hits are ordered by (lower first), before their id; see the module's docstring."""
    title_words = hit.title.split()
    all_words = title_words + hit.body.split()
    title_set, all_set = set(title_words), set(all_words)
    tier = max((word_tier(w, all_words, all_set) for w in query.words), default=0)
    in_title = sum(word_tier(w, title_words, title_set) < TIER_LOOSE for w in query.words)
    points = in_title / max(len(query.words), 1) + weights.super_boost * hit.is_super
    if hit.distance_km is not None:
        relevance = hit.distance_km - weights.km_per_point * points
    else:
        relevance = -points
    age = NEVER_PUBLISHED
    if hit.published_on is not None:
        age = float(max((today - hit.published_on).days, 0))
    return (tier * TIER_SPAN + relevance, age)


# --- "did you mean": trigram similarity as pg_trgm computes it -----------------------------


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word padded with two spaces before and one after."""
    grams: set[str] = set()
    for word in fold(text).split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str, b: str) -> float:
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def nearest(text: str, candidates: Iterable[str], limit: int, threshold: float) -> list[str]:
    """The candidates spelt most like `text`, best first: a candidate scores the best
    similarity of the whole text, or of one of its words, to the whole candidate or one of
    its words (a young person types one name among other words)."""
    typed = [fold(text), *fold(text).split()]
    scored = []
    for candidate in set(candidates):
        names = [fold(candidate), *fold(candidate).split()]
        score = max(
            (similarity(a, b) for a in typed for b in names if len(b) > 2 or a == b),
            default=0.0,
        )
        if score >= threshold:
            scored.append((-score, candidate))
    return [candidate for _, candidate in sorted(scored)[:limit]]
