"""Who sees which offer: the rule shared by every query (lists, search, the feed), checked
both as a database filter and on one loaded offer, so that the two never disagree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.accounts.viewer import Viewer
from domain.offers.visibility import (
    may_read_promo_code,
    may_see,
    public_offers_conditions,
    public_offers_filter,
    visible_offers_filter,
)
from models.accounts import StaffRole, User, UserKind
from models.offers import Offer, OfferKind, OfferRevision, OfferTheme, RevisionStatus
from models.partners import Delegate
from models.sql import Sql, as_uuid
from tests.factories import partner_team

TODAY = date(2027, 3, 15)


def young(age: int) -> Viewer:
    born = date(TODAY.year - age, 1, 10)
    return Viewer(user=User(kind=UserKind.YOUNG_PERSON, birth_date=born, staff_roles=[]))


def staff() -> Viewer:
    return Viewer(user=User(kind=UserKind.STAFF, staff_roles=[StaffRole.SUPPORT]))


async def offer(partner_id, theme=OfferTheme.CULTURE, *, published=True, **columns) -> Offer:
    created = await Offer.create(
        partner_id=partner_id,
        kind=OfferKind.DEAL,
        theme=theme,
        adults_only=theme in (OfferTheme.TOURISME, OfferTheme.INSERTION_PROFESSIONNELLE),
        valid_from=columns.pop("valid_from", TODAY - timedelta(days=10)),
        valid_until=columns.pop("valid_until", TODAY + timedelta(days=10)),
        **columns,
    )
    if published:
        revision = await OfferRevision.create(
            offer=created,
            number=1,
            status=RevisionStatus.APPROVED,
            title="Bon plan",
            description="…",
            theme=theme,
            valid_from=created.valid_from,
            valid_until=created.valid_until,
        )
        created.published_revision_id = revision.id
        await created.save(update_fields=["published_revision_id"])
    return created


@pytest.fixture
async def catalogue(settings):
    team = await partner_team(name="Visibilité")
    partner = team.partner.id
    offers = {
        "culture": await offer(partner),
        "tourisme": await offer(partner, OfferTheme.TOURISME),
        "insertion": await offer(partner, OfferTheme.INSERTION_PROFESSIONNELLE),
        "draft": await offer(partner, published=False),
        "expired": await offer(partner, valid_until=TODAY - timedelta(days=1)),
        "future": await offer(partner, valid_from=TODAY + timedelta(days=1)),
        "withdrawn": await offer(partner, withdrawn_at=datetime(2027, 3, 1, tzinfo=UTC)),
        "last_day": await offer(partner, valid_until=TODAY),
    }
    principal = await Delegate.get(partner_id=partner, is_principal=True)
    delegate = Viewer(user=team.principal, delegations={partner: principal})
    return partner, offers, delegate


async def _filtered(viewer: Viewer, partner, offers) -> set[str]:
    ids = set(
        await Offer.filter(visible_offers_filter(viewer, TODAY), partner_id=partner).values_list(
            "id", flat=True
        )
    )
    return {name for name, o in offers.items() if o.id in ids}


def _checked(viewer: Viewer, offers) -> set[str]:
    return {name for name, o in offers.items() if may_see(viewer, o, TODAY)}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", {"culture", "last_day"}),
        ("young 16", {"culture", "last_day"}),
        ("young 17", {"culture", "last_day"}),
        ("young 18", {"culture", "last_day", "tourisme", "insertion"}),
        ("young 25", {"culture", "last_day", "tourisme", "insertion"}),
        ("staff", "all"),
        ("own delegate", "all"),
    ],
)
async def test_each_viewer_sees_what_the_rule_allows_in_sql_and_in_python(catalogue, who, expected):
    partner, offers, delegate = catalogue
    viewer = {
        "anonymous": Viewer(),
        "young 16": young(16),
        "young 17": young(17),
        "young 18": young(18),
        "young 25": young(25),
        "staff": staff(),
        "own delegate": delegate,
    }[who]
    wanted = set(offers) if expected == "all" else expected
    assert await _filtered(viewer, partner, offers) == wanted
    assert _checked(viewer, offers) == wanted


@pytest.mark.parametrize("age", [None, 16, 17, 18, 25])
async def test_the_public_rule_written_as_sql_keeps_the_offers_the_filter_keeps(catalogue, age):
    """The feed writes the public rule into its own statement (public_offers_conditions):
    the same offers as public_offers_filter, on each day around the validities."""
    partner, _, _ = catalogue
    viewer = Viewer() if age is None else young(age)
    for day in (TODAY - timedelta(days=11), TODAY, TODAY + timedelta(days=1)):
        query = Sql()
        where = " AND ".join(public_offers_conditions(viewer, day, query, "o"))
        rows = await query.rows(
            f"SELECT o.id FROM offers o WHERE {where} AND o.partner_id = {query(partner)}"
        )
        by_sql = {as_uuid(row["id"]) for row in rows}
        by_filter = set(
            await Offer.filter(public_offers_filter(viewer, day), partner_id=partner).values_list(
                "id", flat=True
            )
        )
        assert by_sql == by_filter
        assert by_sql or day != TODAY


async def test_a_delegate_of_another_partner_sees_only_what_is_on_show_for_everyone(catalogue):
    partner, offers, _ = catalogue
    other = await partner_team(name="Autre")
    principal = await Delegate.get(partner_id=other.partner.id, is_principal=True)
    stranger = Viewer(user=other.principal, delegations={other.partner.id: principal})
    assert await _filtered(stranger, partner, offers) == {"culture", "last_day"}
    assert _checked(stranger, offers) == {"culture", "last_day"}


async def test_an_offer_disappears_the_day_after_its_validity_without_any_change(catalogue):
    partner, offers, _ = catalogue
    tomorrow = TODAY + timedelta(days=1)
    ids = await Offer.filter(
        visible_offers_filter(Viewer(), tomorrow), partner_id=partner
    ).values_list("id", flat=True)
    assert offers["last_day"].id not in ids and offers["future"].id in ids
    assert not may_see(Viewer(), offers["last_day"], tomorrow)


async def test_the_promo_code_goes_to_eligible_young_people_and_insiders(catalogue):
    _, offers, delegate = catalogue
    culture, tourisme = offers["culture"], offers["tourisme"]
    assert may_read_promo_code(young(11), culture, TODAY)
    assert may_read_promo_code(young(18), tourisme, TODAY)
    assert may_read_promo_code(delegate, tourisme, TODAY)
    assert may_read_promo_code(staff(), tourisme, TODAY)
    assert not may_read_promo_code(Viewer(), culture, TODAY)
    assert not may_read_promo_code(young(16), tourisme, TODAY)
    assert not may_read_promo_code(young(10), culture, TODAY)  # not of the card's ages
    assert not may_read_promo_code(young(26), culture, TODAY)
    assert not may_read_promo_code(young(18), offers["expired"], TODAY)
