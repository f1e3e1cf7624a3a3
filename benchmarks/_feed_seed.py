"""A realistic département for the feed benchmark, bulk-loaded with binary COPY.

At scale 1.0: 400,000 young people, 3,000 partners (profile, map pin, logo each), 200,000
posts over the last twelve months (8 % with one to four images: 20,000 images), 2,000,000
follows, 1,000,000 likes and 100 highlights of the département.

- Popularity follows one ranking of the partners, Zipf-like: the partners young people
  follow most are also those that publish most (a cinema chain posts daily, a tutor a few
  times a year). About one young person in ten follows nobody; the others follow five or
  six partners on average, a few follow dozens.
- Likes go to posts of partners the young person follows, once per person and post.
- The counters the API reads agree with the rows: `posts.like_count` is counted while
  generating, `partner_profiles.followers_count` is set at the end by one UPDATE from
  `follows`.
- Every young person has the same real Argon2id hash of PASSWORD: hashing it 400,000 times
  would take hours (about 60 ms each here). Anyone in the sample can sign in with it.

Everything is drawn from one seeded `random.Random` into a compact plan (indices into
arrays), then streamed table by table to PostgreSQL with `copy_records_to_table`, with a
progress line (rows/s, time left) on stderr. The seeding connection skips the foreign-key
triggers when it may (`session_replication_role = replica`, superusers only): the plan is
consistent by construction, and checking three million references one row at a time is
most of a COPY's cost. CHECK constraints and unique indexes still apply. The end is
`VACUUM (ANALYZE)`, so that the measurement neither starts on stale statistics nor meets
autovacuum working through the freshly loaded tables.
"""

from __future__ import annotations

import json
import random
import sys
import time
import unicodedata
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from stdnum import luhn

from benchmarks import _seed

PASSWORD = "Vieux-Port-et-Navettes-13"  # noqa: S105 - the bench users' shared password

FULL_SIZES = {
    "young_people": 400_000,
    "partners": 3_000,
    "posts": 200_000,
    "post_images": 20_000,
    "follows": 2_000_000,
    "post_likes": 1_000_000,
    "highlights": 100,
}
POSTS_ZIPF = 0.7  # the most active partner publishes ~3 % of the posts at 3,000 partners
FOLLOWS_ZIPF = 0.8  # the most followed partner is followed by ~1 young person in 4
SHARE_FOLLOWING = 0.9  # young people who follow at least one partner
MAX_FOLLOWS = 80
MAX_LIKES = 200
SHARE_DELETED, SHARE_HIDDEN = 0.01, 0.005  # posts the feed must leave out
DAY = 86_400.0
YEAR = 365 * DAY

Say = Callable[[str], None]


@dataclass(frozen=True)
class Sizes:
    young_people: int
    partners: int
    posts: int
    post_images: int
    follows: int
    post_likes: int
    highlights: int

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        return cls(**{name: max(1, round(n * scale)) for name, n in FULL_SIZES.items()})


@dataclass(frozen=True)
class Seeded:
    rows: dict[str, int]  # rows per table, as loaded
    seconds: dict[str, float]  # per step: plan, each table, counters, vacuum; and total


class CopyProgress(_seed.Progress):
    """_seed's progress line, with the rate and the time left."""

    def __init__(self, label: str, total: int) -> None:
        super().__init__(label, total)
        self.shown = 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self.shown >= 0.5:
            self._show(now)

    def finish(self) -> None:
        self.total = self.done  # what was loaded
        self._show(time.perf_counter())
        sys.stderr.write("\n")
        sys.stderr.flush()

    def _show(self, now: float) -> None:
        self.shown = now
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed
        left = f"ETA {(self.total - self.done) / rate:.0f} s" if self.done < self.total else ""
        filled = 30 * self.done // self.total if self.total else 30
        sys.stderr.write(
            f"\r  {self.label:<16} [{'=' * filled}{' ' * (30 - filled)}] "
            f"{self.done:>9,}/{self.total:,} rows  {rate:>9,.0f} rows/s  {left:<9} "
            f"({elapsed:.1f} s)"
        )
        sys.stderr.flush()


# --- A few lists for names that read as the Bouches-du-Rhône ----------------------------

FIRST_NAMES = (
    "Léa Emma Jade Louise Alice Chloé Lina Inès Manon Camille Sarah Zoé Lucas Hugo Gabriel "
    "Louis Nathan Enzo Mathis Yanis Adam Rayan Théo Noah Nolan Mohamed Ilyès Maël Tom Sofia "
    "Yasmine Clara Lola Anaïs Kylian Ethan Axel Lilou Romane Nour Mathéo Célia Soan Maëlys"
).split()
LAST_NAMES = (
    "Martin Bernard Durand Roux Fabre Garcia Martinez Lopez Blanc Giraud Olivier Bonnet "
    "Michel Ferrand Castellan Marchetti Benali Haddad Moreau Ricard Pellegrin Gauthier Arnaud "
    "Rey Mercier Vidal Nguyen Fontaine Bertrand Ortiz Amrani Santoni Autran Cassar Meziane "
    "Bouchard Gallo Pons Orsini Chabert Lambert Mouret Brémond Sauvat Reboul Imbert"
).split()
# commune, postal codes, latitude, longitude, population in thousands (drawing weight)
COMMUNES = (
    ("Marseille", tuple(f"130{n:02d}" for n in range(1, 17)), 43.2965, 5.3698, 870),
    ("Aix-en-Provence", ("13090", "13100", "13290", "13540"), 43.5297, 5.4474, 145),
    ("Arles", ("13200",), 43.6766, 4.6278, 51),
    ("Martigues", ("13500",), 43.4045, 5.0480, 49),
    ("Aubagne", ("13400",), 43.2927, 5.5708, 47),
    ("Salon-de-Provence", ("13300",), 43.6403, 5.0973, 45),
    ("Istres", ("13800",), 43.5151, 4.9895, 44),
    ("La Ciotat", ("13600",), 43.1748, 5.6046, 36),
    ("Vitrolles", ("13127",), 43.4600, 5.2486, 34),
    ("Marignane", ("13700",), 43.4160, 5.2145, 33),
    ("Miramas", ("13140",), 43.5822, 5.0019, 26),
    ("Les Pennes-Mirabeau", ("13170",), 43.4100, 5.3090, 22),
    ("Gardanne", ("13120",), 43.4549, 5.4693, 21),
    ("Allauch", ("13190",), 43.3366, 5.4823, 21),
    ("Port-de-Bouc", ("13110",), 43.4050, 4.9850, 17),
    ("Châteaurenard", ("13160",), 43.8826, 4.8553, 16),
    ("Fos-sur-Mer", ("13270",), 43.4378, 4.9447, 16),
    ("Tarascon", ("13150",), 43.8058, 4.6603, 15),
    ("Bouc-Bel-Air", ("13320",), 43.4530, 5.4140, 15),
    ("Berre-l'Étang", ("13130",), 43.4760, 5.1680, 14),
    ("Rognac", ("13340",), 43.4880, 5.2330, 12),
    ("Trets", ("13530",), 43.4480, 5.6840, 11),
    ("Septèmes-les-Vallons", ("13240",), 43.3990, 5.3660, 11),
    ("Plan-de-Cuques", ("13380",), 43.3470, 5.4630, 11),
    ("Saint-Rémy-de-Provence", ("13210",), 43.7890, 4.8317, 10),
    ("Lambesc", ("13410",), 43.6530, 5.2620, 10),
    ("Cassis", ("13260",), 43.2147, 5.5396, 7),
    ("Gémenos", ("13420",), 43.2950, 5.6280, 6),
    ("Saintes-Maries-de-la-Mer", ("13460",), 43.4520, 4.4290, 2),
)
# category -> (kinds of structure, wallet the card debits there)
KINDS = {
    "culture": (
        ("Cinéma", "Théâtre", "Librairie", "Musée", "Salle de concerts", "Conservatoire"),
        "SPORT_CULTURE_LOISIRS",
    ),
    "sport": (
        ("Club de judo", "Football Club", "Salle d'escalade", "Club nautique", "Dojo", "Tennis"),
        "SPORT_CULTURE_LOISIRS",
    ),
    "loisirs": (
        ("Bowling", "Escape game", "Laser game", "Karting", "Parc aventure", "Patinoire"),
        "SPORT_CULTURE_LOISIRS",
    ),
    "soutien_scolaire": (("Cours", "Soutien scolaire", "Académie", "Prépa"), "SOUTIEN_SCOLAIRE"),
    "tourisme": (("Croisières", "Visites", "Randonnées", "Kayak"), "SPORT_CULTURE_LOISIRS"),
    "insertion_professionnelle": (
        ("Auto-école", "Atelier numérique", "École de code"),
        "SPORT_CULTURE_LOISIRS",
    ),
}
PLACES = (
    "du Vieux-Port",
    "des Calanques",
    "du Prado",
    "de la Joliette",
    "Sainte-Victoire",
    "du Panier",
    "de Mazargues",
    "des Goudes",
    "de l'Estaque",
    "Mistral",
    "Provence",
    "Méditerranée",
    "de la Belle de Mai",
    "de Camargue",
    "des Alpilles",
    "du Cours Julien",
    "de Noailles",
    "Longchamp",
    "Saint-Charles",
    "du Frioul",
    "Pagnol",
    "de la Canebière",
)
SENTENCES = (
    "Ce week-end, entrée à moitié prix avec la carte CJeune !",
    "Nouveaux créneaux le mercredi après-midi pour les 11-15 ans.",
    "Il reste des places pour le stage des vacances de printemps : inscrivez-vous vite.",
    "Merci à tous pour votre venue samedi, vous étiez plus de deux cents !",
    "Soirée spéciale vendredi à partir de 19 h, gratuite pour les détenteurs de la carte.",
    "Nous serons fermés lundi pour travaux ; réouverture mardi à 10 h.",
    "Découvrez notre nouvelle programmation : du rap, du jazz et une scène ouverte.",
    "Séance d'essai offerte, venez avec un ami.",
    "Les inscriptions pour la rentrée sont ouvertes, paiement possible avec la carte.",
    "Concours photo : publiez votre plus belle image de la Bonne Mère.",
    "Atelier découverte samedi matin, matériel prêté.",
    "Tarif réduit toute l'année pour les moins de 26 ans sur présentation de la carte.",
    "Rendez-vous au Mucem pour une visite commentée du fort Saint-Jean.",
    "Masterclass avec un artiste invité, places limitées.",
)
HIGHLIGHT_TITLES = (
    "Le Pass rentrée est arrivé",
    "Nouveaux partenaires à Aix et à Arles",
    "Vacances d'été : les bons plans du Département",
    "Comment activer ta carte en trois étapes",
    "Les stages de révision du bac",
    "Festival des jeunes de Marseille",
)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if c.isalnum())


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _variants(image_id: uuid.UUID) -> str:
    folder = image_id.hex[:2]
    return json.dumps(
        {size: f"images/{folder}/{image_id}-{size}.webp" for size in ("small", "medium", "large")}
    )


def _cumulative_zipf(n: int, exponent: float) -> list[float]:
    total, cumulative = 0.0, []
    for rank in range(1, n + 1):
        total += rank**-exponent
        cumulative.append(total)
    return cumulative


def _settle_total(counts: list[int], target: int, cap: int, rng: random.Random) -> None:
    """Nudge the non-zero counts (kept within 1..cap) until they add up to target."""
    holders = [i for i, c in enumerate(counts) if c > 0]
    if not holders:
        return
    target = min(max(target, len(holders)), len(holders) * cap)
    diff = target - sum(counts)
    while diff:
        i = rng.choice(holders)
        if diff > 0 and counts[i] < cap:
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > 1:
            counts[i] -= 1
            diff += 1


def _counts(n: int, holders: list[int], total: int, cap: int, rng: random.Random) -> list[int]:
    """How many follows (or likes) each of n people has: the holders have some, with a long
    tail (exponential), adding up to total; the others none."""
    mean = max(1.0, total / max(1, len(holders)))
    counts = [0] * n
    for i in holders:
        counts[i] = min(cap, max(1, round(rng.expovariate(1 / mean))))
    _settle_total(counts, total, cap, rng)
    return counts


class Plan:
    """Every row to load, as indices: person u, partner p, post k."""

    def __init__(self, sizes: Sizes, rng: random.Random, now: datetime) -> None:
        self.sizes, self.rng, self.now = sizes, rng, now
        self.user_ids = [self._uuid() for _ in range(sizes.young_people)]
        self.partner_ids = [self._uuid() for _ in range(sizes.partners)]
        self.partner_commune = rng.choices(
            range(len(COMMUNES)), weights=[c[4] for c in COMMUNES], k=sizes.partners
        )
        self._plan_posts()
        self._plan_follows()
        self._plan_likes()

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def ago(self, seconds: float) -> datetime:
        return self.now - timedelta(seconds=seconds)

    def _plan_posts(self) -> None:
        sizes, rng = self.sizes, self.rng
        by_rank = _cumulative_zipf(sizes.partners, POSTS_ZIPF)
        # Partner p has popularity rank p: ids are random, so rank and id are unrelated.
        self.post_partner = array(
            "I", rng.choices(range(sizes.partners), cum_weights=by_rank, k=sizes.posts)
        )
        # Oldest first: the table is in the order posts arrive, as in production.
        ages = sorted((rng.random() * YEAR for _ in range(sizes.posts)), reverse=True)
        self.post_age = array("d", ages)
        self.post_ids = [self._uuid() for _ in range(sizes.posts)]
        self.post_status = bytearray(sizes.posts)  # 0 published, 1 deleted, 2 hidden
        for k in range(sizes.posts):
            draw = rng.random()
            if draw < SHARE_HIDDEN:
                self.post_status[k] = 2
            elif draw < SHARE_HIDDEN + SHARE_DELETED:
                self.post_status[k] = 1
        self.published_by_partner: list[list[int]] = [[] for _ in range(sizes.partners)]
        for k, p in enumerate(self.post_partner):
            if not self.post_status[k]:
                self.published_by_partner[p].append(k)
        # Images: published posts in random order get 1 to 4 until the images run out.
        self.post_image_counts: list[tuple[int, int]] = []
        left = sizes.post_images
        for k in rng.sample(range(sizes.posts), sizes.posts):
            if left <= 0:
                break
            if self.post_status[k]:
                continue
            n = min(left, rng.randint(1, 4))
            self.post_image_counts.append((k, n))
            left -= n
        self.post_image_counts.sort()
        self.like_count = array("I", bytes(4 * sizes.posts))

    def _plan_follows(self) -> None:
        sizes, rng = self.sizes, self.rng
        cap = min(MAX_FOLLOWS, sizes.partners)
        following = rng.sample(
            range(sizes.young_people), max(1, round(SHARE_FOLLOWING * sizes.young_people))
        )
        counts = _counts(sizes.young_people, following, sizes.follows, cap, rng)
        by_rank = _cumulative_zipf(sizes.partners, FOLLOWS_ZIPF)
        partners = range(sizes.partners)
        self.follow_offsets = array("I", [0])
        self.follow_partner = array("I")
        for count in counts:
            chosen: set[int] = set()
            while len(chosen) < count:
                chosen.update(rng.choices(partners, cum_weights=by_rank, k=count - len(chosen)))
            self.follow_partner.extend(sorted(chosen))
            self.follow_offsets.append(len(self.follow_partner))

    def followed(self, u: int) -> array:
        return self.follow_partner[self.follow_offsets[u] : self.follow_offsets[u + 1]]

    def _plan_likes(self) -> None:
        sizes, rng = self.sizes, self.rng
        followers = [u for u in range(sizes.young_people) if len(self.followed(u))]
        counts = _counts(sizes.young_people, followers, sizes.post_likes, MAX_LIKES, rng)
        self.like_offsets = array("I", [0])
        self.like_post = array("I")
        for u, count in enumerate(counts):
            followed = self.followed(u)
            liked: set[int] = set()
            if followed:
                for _ in range(3 * count):  # a few tries: small partners have few posts
                    if len(liked) >= count:
                        break
                    posts = self.published_by_partner[rng.choice(followed)]
                    if posts:
                        liked.add(rng.choice(posts))
            for k in sorted(liked):
                self.like_post.append(k)
                self.like_count[k] += 1
            self.like_offsets.append(len(self.like_post))


# --- The rows of each table --------------------------------------------------------------

USER_COLUMNS = [
    "id", "email", "password_hash", "kind", "staff_roles", "first_name", "last_name",
    "birth_date", "postal_code", "email_verified_at", "is_active", "profile_visibility",
    "marketing_email_opt_in", "marketing_push_opt_in", "notify_by_push", "notify_by_email",
    "created_at", "updated_at",
]  # fmt: skip


def user_rows(plan: Plan, password_hash: str) -> Iterator[tuple[Any, ...]]:
    rng, today = plan.rng, plan.now.date()
    folded_first = [(n, _ascii(n)) for n in FIRST_NAMES]
    folded_last = [(n, _ascii(n)) for n in LAST_NAMES]
    weights = [c[4] for c in COMMUNES]
    # 11 to 25 years old: born after the day they would turn 26, up to their 11th birthday.
    latest, earliest = _years_before(today, 11), _years_before(today, 26) + timedelta(days=1)
    span = (latest - earliest).days
    for u, user_id in enumerate(plan.user_ids):
        first, first_ascii = rng.choice(folded_first)
        last, last_ascii = rng.choice(folded_last)
        commune = rng.choices(COMMUNES, weights)[0]
        created = plan.ago(rng.random() * 3 * YEAR)
        yield (
            user_id,
            f"{first_ascii}.{last_ascii}.{u}@jeunes13.test",
            password_hash,
            "young_person",
            "[]",
            first,
            last,
            latest - timedelta(days=rng.randint(0, span)),
            rng.choice(commune[1]),
            created + timedelta(minutes=rng.randint(1, 600)),
            True,
            "private" if rng.random() < 0.8 else "followed_partners",
            rng.random() < 0.3,
            rng.random() < 0.3,
            True,
            True,
            created,
            created,
        )


PARTNER_COLUMNS = [
    "id", "legal_name", "trade_name", "siret", "categories", "debitable_wallets",
    "convention_signed_on", "status", "pin_policy_minimum", "created_at", "updated_at",
]  # fmt: skip


def partner_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    rng = plan.rng
    sirens = rng.sample(range(10**12, 10**13), len(plan.partner_ids))
    names: set[str] = set()
    for p, partner_id in enumerate(plan.partner_ids):
        category = rng.choice(list(KINDS))
        kinds, wallet = KINDS[category]
        commune = COMMUNES[plan.partner_commune[p]][0]
        name = f"{rng.choice(kinds)} {rng.choice(PLACES)}"
        if name in names:
            name = f"{name} – {commune}"
        if name in names:
            name = f"{name} {p}"
        names.add(name)
        digits = str(sirens[p])
        created = plan.ago(rng.random() * 4 * YEAR)
        yield (
            partner_id,
            f"{rng.choice(('SARL', 'SAS', 'Association', 'EURL'))} {name}",
            name,
            digits + luhn.calc_check_digit(digits),
            json.dumps([category]),
            json.dumps([wallet]),
            created.date(),
            "active",
            "every_till" if rng.random() < 0.05 else "none",
            created,
            created,
        )


IMAGE_COLUMNS = ["id", "partner_id", "purpose", "width", "height", "variants", "created_at"]


def logo_rows(plan: Plan, logo_ids: list[uuid.UUID | None]) -> Iterator[tuple[Any, ...]]:
    for p, logo_id in enumerate(logo_ids):
        if logo_id is not None:
            created = plan.ago(plan.rng.random() * YEAR)
            yield (logo_id, plan.partner_ids[p], "logo", 512, 512, _variants(logo_id), created)


def post_image_rows(plan: Plan, image_ids: list[uuid.UUID]) -> Iterator[tuple[Any, ...]]:
    n = 0
    for k, count in plan.post_image_counts:
        partner_id, created = plan.partner_ids[plan.post_partner[k]], plan.ago(plan.post_age[k])
        for _ in range(count):
            image_id = image_ids[n]
            yield (image_id, partner_id, "post", 1600, 1200, _variants(image_id), created)
            n += 1


PROFILE_COLUMNS = [
    "id", "partner_id", "description", "street", "postal_code", "city", "phone",
    "contact_email", "website", "logo_id", "weekly_hours", "accessibility",
    "accessibility_notes", "latitude", "longitude", "location_source", "followers_count",
    "updated_at",
]  # fmt: skip
WEEK = json.dumps(
    {day: [["09:30", "12:30"], ["14:00", "19:00"]] for day in ("tuesday", "wednesday", "friday")}
    | {"saturday": [["10:00", "19:00"]]}
)


def profile_rows(plan: Plan, logo_ids: list[uuid.UUID | None]) -> Iterator[tuple[Any, ...]]:
    rng = plan.rng
    for p, partner_id in enumerate(plan.partner_ids):
        city, codes, lat, lon, _ = COMMUNES[plan.partner_commune[p]]
        yield (
            plan._uuid(),
            partner_id,
            " ".join(rng.sample(SENTENCES, 2)),
            f"{rng.randint(1, 120)} rue {rng.choice(PLACES)}",
            rng.choice(codes),
            city,
            f"04 91 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            f"contact{p}@partenaire13.test",
            f"https://partenaire{p}.example.fr",
            logo_ids[p],
            WEEK,
            json.dumps(rng.sample(["motor", "hearing", "visual", "mental"], rng.randint(0, 2))),
            "",
            lat + rng.uniform(-0.02, 0.02),
            lon + rng.uniform(-0.02, 0.02),
            "geocoded",
            0,  # set from follows at the end
            plan.now,
        )


POST_COLUMNS = ["id", "partner_id", "body", "status", "hidden_reason", "like_count", "created_at"]
STATUSES = ("published", "deleted", "hidden")


def post_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    rng = plan.rng
    for k, post_id in enumerate(plan.post_ids):
        status = STATUSES[plan.post_status[k]]
        yield (
            post_id,
            plan.partner_ids[plan.post_partner[k]],
            " ".join(rng.sample(SENTENCES, rng.randint(1, 4))),
            status,
            "Contenu trompeur signalé par plusieurs utilisateurs." if status == "hidden" else None,
            plan.like_count[k],
            plan.ago(plan.post_age[k]),
        )


def post_image_link_rows(plan: Plan, image_ids: list[uuid.UUID]) -> Iterator[tuple[Any, ...]]:
    n = 0
    for k, count in plan.post_image_counts:
        for position in range(count):
            yield (plan.post_ids[k], image_ids[n], position)
            n += 1


def follow_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    rng, partner_ids = plan.rng, plan.partner_ids
    for u, user_id in enumerate(plan.user_ids):
        for p in plan.followed(u):
            yield (user_id, partner_ids[p], plan.ago(rng.random() * 2 * YEAR))


def like_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    rng, post_ids, ages = plan.rng, plan.post_ids, plan.post_age
    for u, user_id in enumerate(plan.user_ids):
        for k in plan.like_post[plan.like_offsets[u] : plan.like_offsets[u + 1]]:
            age = ages[k]
            yield (user_id, post_ids[k], plan.ago(age - rng.random() * min(age, 30 * DAY)))


HIGHLIGHT_COLUMNS = ["id", "title", "body", "link", "published_at", "withdrawn_at"]


def highlight_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    rng = plan.rng
    for _ in range(plan.sizes.highlights):
        published = plan.ago(rng.random() * YEAR)
        withdrawn = published + timedelta(days=30) if rng.random() < 0.05 else None
        yield (
            plan._uuid(),
            rng.choice(HIGHLIGHT_TITLES),
            " ".join(rng.sample(SENTENCES, 3)),
            "https://www.departement13.fr/cjeune" if rng.random() < 0.5 else None,
            published,
            withdrawn,
        )


# --- Loading ---------------------------------------------------------------------------


def _counted(rows: Iterable[tuple[Any, ...]], progress: CopyProgress) -> Iterator[tuple[Any, ...]]:
    n = 0
    for n, row in enumerate(rows, 1):
        yield row
        if n % 10_000 == 0:
            progress.advance(10_000)
    progress.advance(n % 10_000)
    progress.finish()


TABLES = (
    "users", "partners", "images", "partner_profiles", "posts", "post_images", "follows",
    "post_likes", "highlights",
)  # fmt: skip
# Secondary indexes and unique constraints (not primary keys, not referenced by a foreign
# key): dropped before the load and built afterwards, as bulk loads do.
SECONDARY_INDEXES = """
SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS index_sql,
       con.conname AS constraint_name, pg_get_constraintdef(con.oid) AS constraint_sql
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
WHERE i.indrelid = $1::regclass AND NOT i.indisprimary
  AND NOT EXISTS (
    SELECT 1 FROM pg_constraint fk WHERE fk.contype = 'f' AND fk.conindid = i.indexrelid
  )
"""


class Loader:
    def __init__(self, connection: asyncpg.Connection, say: Say) -> None:
        self.connection, self.say = connection, say
        self.rows: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.dropped: list[tuple[str, asyncpg.Record]] = []

    async def drop_secondary_indexes(self) -> None:
        for table in TABLES:
            for index in await self.connection.fetch(SECONDARY_INDEXES, table):
                if index["constraint_name"]:
                    await self.connection.execute(
                        f'ALTER TABLE "{table}" DROP CONSTRAINT "{index["constraint_name"]}"'
                    )
                else:
                    await self.connection.execute(f'DROP INDEX "{index["name"]}"')
                self.dropped.append((table, index))

    async def build_secondary_indexes(self) -> None:
        started = time.perf_counter()
        for table, index in self.dropped:
            if index["constraint_name"]:
                await self.connection.execute(
                    f'ALTER TABLE "{table}" ADD CONSTRAINT "{index["constraint_name"]}" '
                    f"{index['constraint_sql']}"
                )
            else:
                await self.connection.execute(index["index_sql"])
        self.seconds["indexes"] = round(time.perf_counter() - started, 2)
        self.say(f"  {len(self.dropped)} secondary indexes built: {self.seconds['indexes']:.1f} s")

    async def copy(
        self,
        table: str,
        columns: list[str],
        rows: Iterable[tuple[Any, ...]],
        total: int,
        label: str | None = None,
    ) -> None:
        started = time.perf_counter()
        progress = CopyProgress(label or table, total)
        status = await self.connection.copy_records_to_table(
            table, records=_counted(rows, progress), columns=columns
        )
        self.rows[table] = self.rows.get(table, 0) + int(status.split()[-1])
        self.seconds[table] = round(self.seconds.get(table, 0.0) + time.perf_counter() - started, 2)

    async def step(self, name: str, sql: str) -> None:
        started = time.perf_counter()
        await self.connection.execute(sql)
        self.seconds[name] = round(time.perf_counter() - started, 2)
        self.say(f"  {name}: {self.seconds[name]:.1f} s")


async def seed(
    connection: asyncpg.Connection, sizes: Sizes, *, random_seed: int = 13, say: Say
) -> Seeded:
    """Load a département into the migrated, empty database behind `connection`."""
    from domain.accounts.passwords import hash_password

    started = time.perf_counter()
    rng = random.Random(random_seed)
    now = datetime.now(UTC).replace(microsecond=0)
    say(
        f"planning {sizes.young_people:,} young people, {sizes.partners:,} partners, "
        f"{sizes.posts:,} posts, {sizes.follows:,} follows, {sizes.post_likes:,} likes"
    )
    plan = Plan(sizes, rng, now)
    password_hash = await hash_password(PASSWORD)
    loader = Loader(connection, say)
    loader.seconds["plan"] = round(time.perf_counter() - started, 2)
    say(f"  plan: {loader.seconds['plan']:.1f} s")

    try:
        await connection.execute("SET session_replication_role = replica")
    except asyncpg.InsufficientPrivilegeError:
        say("  (not a superuser: foreign keys are checked row by row, which is slower)")
    await connection.execute("SET maintenance_work_mem = '256MB'")
    await loader.drop_secondary_indexes()

    logo_ids = [plan._uuid() if rng.random() < 0.9 else None for _ in plan.partner_ids]
    image_ids = [plan._uuid() for _ in range(sum(n for _, n in plan.post_image_counts))]
    logos = sum(1 for i in logo_ids if i is not None)
    await loader.copy("users", USER_COLUMNS, user_rows(plan, password_hash), sizes.young_people)
    await loader.copy("partners", PARTNER_COLUMNS, partner_rows(plan), sizes.partners)
    await loader.copy("images", IMAGE_COLUMNS, logo_rows(plan, logo_ids), logos, "images (logos)")
    await loader.copy(
        "images", IMAGE_COLUMNS, post_image_rows(plan, image_ids), len(image_ids), "images (posts)"
    )
    await loader.copy(
        "partner_profiles", PROFILE_COLUMNS, profile_rows(plan, logo_ids), sizes.partners
    )
    await loader.copy("posts", POST_COLUMNS, post_rows(plan), sizes.posts)
    await loader.copy(
        "post_images",
        ["post_id", "image_id", "position"],
        post_image_link_rows(plan, image_ids),
        len(image_ids),
    )
    await loader.copy(
        "follows",
        ["user_id", "partner_id", "created_at"],
        follow_rows(plan),
        len(plan.follow_partner),
    )
    await loader.copy(
        "post_likes", ["user_id", "post_id", "created_at"], like_rows(plan), len(plan.like_post)
    )
    await loader.copy("highlights", HIGHLIGHT_COLUMNS, highlight_rows(plan), sizes.highlights)
    await connection.execute("RESET session_replication_role")
    await loader.build_secondary_indexes()

    await loader.step(
        "followers_count",
        "UPDATE partner_profiles SET followers_count = f.n FROM "
        "(SELECT partner_id, count(*) AS n FROM follows GROUP BY partner_id) AS f "
        "WHERE partner_profiles.partner_id = f.partner_id",
    )
    await loader.step("vacuum_analyze", "VACUUM (ANALYZE)")
    loader.seconds["total"] = round(time.perf_counter() - started, 1)
    return Seeded(loader.rows, loader.seconds)


def describe(seeded: Seeded) -> str:
    return ", ".join(f"{table} {n:,}" for table, n in seeded.rows.items())
