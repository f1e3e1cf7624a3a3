"""Who a campaign reaches: the segment the marketing team chose, narrowed by the law.

One SQL filter serves both the audience count and the writing of the recipient rows
(INSERT ... SELECT, one statement per channel), so what the team is shown is what is sent.
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from uuid import UUID

from tortoise import connections

from domain.consent.marketing import CONSENT_AGE, marketing_allowed
from domain.core.errors import invalid
from domain.notifications.channels import channel_of, with_opt_in
from domain.offers.visibility import ADULT_AGE, ADULT_THEMES, YOUTH_AGES
from models.accounts import User
from models.cards import BeneficiaryKind
from models.notifications import Channel
from models.offers import OfferTheme
from models.partners import Partner

_COMMUNE = re.compile(r"13\d{3}")
MAX_LIST = 200  # communes, partners: a segment is chosen by a person, not generated


@dataclass(frozen=True)
class Segment:
    """Empty fields do not filter: the empty segment is every young person who may receive."""

    kinds: tuple[BeneficiaryKind, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    communes: tuple[str, ...] = ()  # INSEE codes of the beneficiary's commune
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
    if len(segment.communes) > MAX_LIST or len(segment.partner_ids) > MAX_LIST:
        raise invalid("segment", f"Au plus {MAX_LIST} communes et {MAX_LIST} partenaires.")
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


class Params:
    """Placeholders and values of one raw statement, in the dialect of the connection."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.values: list[Any] = []

    @property
    def postgres(self) -> bool:
        return self.dialect == "postgres"

    def __call__(self, value: Any) -> str:
        if isinstance(value, UUID) and not self.postgres:
            value = str(value)  # Tortoise stores UUIDs as text on SQLite
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else "?"

    def is_in(self, column: str, values: Sequence[Any]) -> str:
        """`column` is one of `values` (never empty)."""
        if self.postgres:
            self.values.append(list(values))
            return f"{column} = ANY(${len(self.values)})"
        return f"{column} IN ({', '.join(self(v) for v in values)})"


def dialect() -> str:
    return connections.get("default").capabilities.dialect


def reachable_sql(channel: Channel) -> list[str]:
    """Opted in on the channel (one without an opt-in: on any), with an address on it."""
    found = channel_of(channel)
    if found.opt_in_field is not None:
        where = [f"u.{found.opt_in_field}"]
    else:
        where = ["(" + " OR ".join(f"u.{c.opt_in_field}" for c in with_opt_in()) + ")"]
    return where if found.audience_sql is None else [*where, found.audience_sql]


def eligible_users_sql(segment: Segment, channel: Channel, today: date, p: Params) -> str:
    """SELECT u.id FROM users u WHERE (the law) AND (the segment)."""
    where = ["u.kind = 'young_person'", "u.is_active", *reachable_sql(channel)]
    where.append(
        f"((u.birth_date IS NOT NULL AND u.birth_date <= {p(years_before(today, CONSENT_AGE))})"
        " OR EXISTS (SELECT 1 FROM parental_consents pc WHERE pc.young_person_id = u.id"
        " AND pc.given_at IS NOT NULL AND pc.withdrawn_at IS NULL))"
    )
    low, high = segment.age_bounds
    if low is not None:
        where.append(f"u.birth_date <= {p(years_before(today, low))}")
    if high is not None:
        where.append(f"u.birth_date > {p(years_before(today, high + 1))}")
    if segment.kinds:
        kinds = p.is_in("b.kind", [k.value for k in segment.kinds])
        where.append(f"EXISTS (SELECT 1 FROM beneficiaries b WHERE b.user_id = u.id AND {kinds})")
    if segment.communes:
        communes = p.is_in("b.commune_code", list(segment.communes))
        where.append(
            f"EXISTS (SELECT 1 FROM beneficiaries b WHERE b.user_id = u.id AND {communes})"
        )
    if segment.partner_ids:
        partners = p.is_in("f.partner_id", list(segment.partner_ids))
        where.append(f"EXISTS (SELECT 1 FROM follows f WHERE f.user_id = u.id AND {partners})")
    if segment.themes:
        themes = p.is_in("ti.theme", [t.value for t in segment.themes])
        where.append(
            f"EXISTS (SELECT 1 FROM theme_interests ti WHERE ti.user_id = u.id AND {themes})"
        )
    if segment.card_activated is not None:
        active_card = (
            "EXISTS (SELECT 1 FROM beneficiaries b JOIN cards c ON c.beneficiary_id = b.id"
            " WHERE b.user_id = u.id AND c.status = 'active')"
        )
        where.append(active_card if segment.card_activated else f"NOT {active_card}")
    return "SELECT u.id FROM users u WHERE " + " AND ".join(where)


async def count_audience(
    segment: Segment, channels: Iterable[Channel], today: date
) -> dict[Channel, int]:
    """How many would receive the campaign on each channel today."""
    connection = connections.get("default")
    counts: dict[Channel, int] = {}
    for channel in channels:
        p = Params(connection.capabilities.dialect)
        sql = f"SELECT count(*) AS n FROM ({eligible_users_sql(segment, channel, today, p)}) e"
        rows = await connection.execute_query_dict(sql, p.values)
        counts[channel] = int(rows[0]["n"])
    return counts


async def write_recipients(
    connection: Any,
    campaign_id: UUID,
    segment: Segment,
    channels: Iterable[Channel],
    today: date,
) -> int:
    """One pending row per eligible person and channel; rows already there stay as they are.
    Answers the campaign's rows."""
    for channel in channels:
        p = Params(connection.capabilities.dialect)
        head = (
            "INSERT INTO campaign_recipients (campaign_id, user_id, channel, status, attempts) "
            f"SELECT {p(campaign_id)}, e.id, {p(channel.value)}, 'pending', 0 FROM ("
        )
        sql = head + eligible_users_sql(segment, channel, today, p)
        # "WHERE true": SQLite would read ON CONFLICT as a join constraint without it.
        sql += ") e WHERE true ON CONFLICT (campaign_id, user_id, channel) DO NOTHING"
        await connection.execute_query(sql, p.values)
    # Counted, not read from the driver: Tortoise parses PostgreSQL's "INSERT 0 n" as 0.
    p = Params(connection.capabilities.dialect)
    rows = await connection.execute_query_dict(
        f"SELECT count(*) AS n FROM campaign_recipients WHERE campaign_id = {p(campaign_id)}",
        p.values,
    )
    return int(rows[0]["n"])


def may_receive_campaign(
    user: User, channel: Channel, today: date, has_parental_consent: bool
) -> bool:
    """The SQL rule for one loaded person (addresses aside): used to re-check each batch."""
    if user.kind != "young_person":
        return False
    return marketing_allowed(user, channel, today, has_parental_consent)
