"""Who a campaign reaches: the segment the marketing team chose, narrowed by the law.

One SQL filter (domain/campaigns/queries.py) serves both the audience count and the writing
of the recipient rows (INSERT ... SELECT, one statement per channel), so what the team is
shown is what is sent.
The consent rules are those of domain/consent/marketing.py, written in SQL: a young person,
active, opted in on the channel (in-app: on any channel), and 15 or older on the Paris
date or with a parent's consent given and not withdrawn (no birth date: treated as under
15); and reachable on the channel (its `audience_sql`: push needs a registered device).
Themes for 18–25s only (tourism, professional insertion), in the segment or in the offers
shown, restrict the whole campaign to 18–25s.
`may_receive_campaign` is the same rule for one loaded person: the sender re-checks each
batch with it, so someone who unsubscribes during a campaign receives nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from uuid import UUID

from domain.consent.marketing import marketing_allowed
from domain.core.errors import invalid
from domain.offers.visibility import ADULT_AGE, ADULT_THEMES, YOUTH_AGES
from models.accounts import User
from models.cards import BeneficiaryKind
from models.notifications import Channel
from models.offers import OfferTheme
from models.partners import Partner

_COMMUNE = re.compile(r"13\d{3}")
MAX_LIST = 200  # communes, partners: a segment is chosen by a person, not generated
SCHOOL_NAME = 200  # Beneficiary.school_name's length


@dataclass(frozen=True)
class Segment:
    """Empty fields do not filter: the empty segment is every young person who may receive."""

    kinds: tuple[BeneficiaryKind, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    communes: tuple[str, ...] = ()  # INSEE codes of the beneficiary's commune
    schools: tuple[str, ...] = ()  # the beneficiary's school, by name (case ignored)
    partner_ids: tuple[UUID, ...] = ()  # followers of any of these partners
    themes: tuple[OfferTheme, ...] = ()  # interested in any of these themes
    card_activated: bool | None = None
    adults_only: bool = field(default=False, compare=False)  # set from the campaign's content

    def as_json(self) -> dict[str, Any]:
        return {
            "kinds": [k.value for k in self.kinds],
            "minAge": self.min_age,
            "maxAge": self.max_age,
            "communes": list(self.communes),
            "schools": list(self.schools),
            "partnerIds": [str(p) for p in self.partner_ids],
            "themes": [t.value for t in self.themes],
            "cardActivated": self.card_activated,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Segment:
        return cls(
            kinds=tuple(BeneficiaryKind(k) for k in data.get("kinds") or ()),
            min_age=data.get("minAge"),
            max_age=data.get("maxAge"),
            communes=tuple(data.get("communes") or ()),
            schools=tuple(data.get("schools") or ()),
            partner_ids=tuple(UUID(p) for p in data.get("partnerIds") or ()),
            themes=tuple(OfferTheme(t) for t in data.get("themes") or ()),
            card_activated=data.get("cardActivated"),
        )

    def restricted_to_adults(self, offer_themes: Iterable[OfferTheme | str | None]) -> Segment:
        """The segment as sent: 18–25 only when the segment or an offer has such a theme."""
        themes = {*self.themes, *(OfferTheme(t) for t in offer_themes if t)}
        return replace(self, adults_only=bool(themes & ADULT_THEMES))

    @property
    def age_bounds(self) -> tuple[int | None, int | None]:
        low, high = self.min_age, self.max_age
        if self.adults_only:
            low = max(low or ADULT_AGE, ADULT_AGE)
            high = min(high or YOUTH_AGES[1], YOUTH_AGES[1])
        return low, high


async def check_segment(segment: Segment) -> None:
    """Raise a French INVALID_INPUT error for a segment that cannot be right."""
    low, high = YOUTH_AGES
    for name, age in (("minAge", segment.min_age), ("maxAge", segment.max_age)):
        if age is not None and not low <= age <= high:
            raise invalid(f"segment.{name}", f"L'âge doit être compris entre {low} et {high} ans.")
    if segment.min_age is not None and segment.max_age is not None:
        if segment.min_age > segment.max_age:
            raise invalid("segment.maxAge", "L'âge maximum doit être au moins l'âge minimum.")
    if max(len(segment.communes), len(segment.schools), len(segment.partner_ids)) > MAX_LIST:
        raise invalid(
            "segment",
            f"Au plus {MAX_LIST} communes, {MAX_LIST} établissements et {MAX_LIST} partenaires.",
        )
    if any(not school.strip() or len(school) > SCHOOL_NAME for school in segment.schools):
        raise invalid(
            "segment.schools",
            f"Nom d'établissement vide ou trop long ({SCHOOL_NAME} caractères au plus).",
        )
    bad = [c for c in segment.communes if not _COMMUNE.fullmatch(c)]
    if bad:
        raise invalid(
            "segment.communes",
            f"Code INSEE inconnu dans les Bouches-du-Rhône : {bad[0]} (5 chiffres, 13xxx).",
        )
    if segment.partner_ids:
        found = await Partner.filter(id__in=list(segment.partner_ids)).count()
        if found != len(set(segment.partner_ids)):
            raise invalid("segment.partnerIds", "Un des partenaires choisis n'existe pas.")
    bounds = segment.age_bounds
    if bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
        raise invalid(
            "segment.maxAge",
            "Le tourisme et l'insertion professionnelle sont réservés aux 18–25 ans : "
            "la tranche d'âge choisie n'en contient aucun.",
        )


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def may_receive_campaign(
    user: User, channel: Channel, today: date, has_parental_consent: bool
) -> bool:
    """The SQL rule for one loaded person (addresses aside): used to re-check each batch."""
    if user.kind != "young_person":
        return False
    return marketing_allowed(user, channel, today, has_parental_consent)
