"""Bons plans at the till: the deals a card's holder may use, a use recorded once per key,
cancelled the same day, counted per deal for the partner and the back office."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from tortoise.exceptions import IntegrityError

from domain.accounts.sessions import load_viewer, login
from domain.accounts.viewer import Viewer
from domain.cards import codes as card_codes
from domain.cards.lifecycle import issue_card
from domain.core import clock
from domain.core.transactions import atomic
from domain.offers.editing import OfferChanges, PlaceInput, create_offer, school_year_start
from domain.offers.moderation import decide, submit, withdraw
from infra.geocoding import OfflineGeocoder, use_geocoder
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.cards import Beneficiary, BeneficiaryKind, Card, CardKind
from models.ledger import LedgerEntry
from models.notifications import Notification
from models.offers import DealType, Offer, OfferKind, OfferTheme
from models.partners import DelegatePermission
from models.transactions import BonPlanUse
from tests.factories import (
    PASSWORD,
    card_holder,
    collaborator,
    current_school_year,
    partner_team,
    staff_member,
    till,
    token_for,
    young_person,
)
from tests.support import error_codes, unique

LOOKUP = """
query($p: ID!, $code: String!) {
  lookupCard(partnerId: $p, code: $code) {
    __typename
    ... on CardCheck { state holder { age } wallets { kind }
      usableBonsPlans { usesByHolder lastUsedByHolderAt
                        bonPlan { id published { title theme conditions } } } }
    ... on UserError { code }
  }
}
"""
RECORD = """
mutation($input: BonPlanUseInput!) {
  recordBonPlanUse(input: $input) {
    __typename
    ... on BonPlanUseSuccess { bonPlanUse { id reference title maskedCardCode channel
                                            cancellable cancelledAt bonPlanId partnerName
                                            delegate { email } } }
    ... on UserError { code message field }
  }
}
"""
CANCEL = """mutation($id: ID!) { cancelBonPlanUse(useId: $id) {
  __typename ... on BonPlanUseSuccess { bonPlanUse { cancelledAt cancellable } }
  ... on UserError { code message } } }"""
USES = """query($p: ID!, $deal: ID, $day: Date, $delegate: ID, $first: Int!, $after: String) {
  bonPlanUses(partnerId: $p, bonPlanId: $deal, day: $day, delegateId: $delegate,
              first: $first, after: $after) {
    uses { reference title cancellable cancelledAt delegate { email } } nextCursor } }"""
MY_USES = """{ myBonPlanUses { uses { title partnerName maskedCardCode cancellable
  bonPlan { id } } } }"""
COUNTS = """query($p: ID, $since: Date, $until: Date) {
  bonPlanUseCounts(partnerId: $p, since: $since, until: $until) {
    useCount bonPlan { id } } }"""
OFFER_COUNT = "query($id: ID!) { offer(id: $id) { id useCount } }"


@pytest.fixture(scope="module", autouse=True)
def offline_geocoder() -> Iterator[None]:
    previous = use_geocoder(OfflineGeocoder())
    yield
    use_geocoder(previous)


async def viewer_of(user) -> Viewer:
    await login(user.email, PASSWORD, "192.0.2.1", "tests")
    session = await user.sessions.all().order_by("-created_at").first()
    viewer = await load_viewer(user.id, session.id, "192.0.2.1")
    assert viewer is not None
    return viewer


async def published_deal(
    team, theme=OfferTheme.CULTURE, title="Une place offerte", conditions=None
) -> Offer:
    """A deal of `team`'s partner, approved by moderation, valid from today for a week."""
    today = clock.paris_today()
    year_end = date(school_year_start(today).year + 1, 8, 31)
    principal = await viewer_of(team.principal)
    offer = await create_offer(
        principal,
        team.partner.id,
        OfferKind.DEAL,
        OfferChanges(
            title=title,
            description="Sur présentation de la carte.",
            theme=theme,
            deal_type=DealType.GOODIES,
            valid_from=today,
            valid_until=min(today + timedelta(days=7), year_end),
            places=[PlaceInput("1 rue de Rome", "13001", "Marseille")],
            conditions=conditions,
        ),
    )
    await submit(principal, offer.id)
    moderator = await viewer_of(await staff_member(StaffRole.MODERATION))
    revision = (await Offer.get(id=offer.id)).working_revision_id
    await decide(moderator, revision, True, None)
    return await Offer.get(id=offer.id)


def born_aged(age: int) -> date:
    """Born on 1 January: `age` years old on every day of this year."""
    return date(clock.paris_today().year - age, 1, 1)


async def on_show_since_yesterday(deal: Offer) -> None:
    """The deal's period starts a day earlier, so that a use can be recorded yesterday."""
    await Offer.filter(id=deal.id).update(valid_from=clock.paris_today() - timedelta(days=1))


async def young_adult(age: int):
    """A 16–25 with a digital card of this school year and no wallet."""
    user = await young_person(born_aged(age))
    beneficiary = await Beneficiary.create(
        kind=BeneficiaryKind.YOUNG_ADULT,
        first_name="Inès",
        last_name="Morel",
        birth_date=user.birth_date,
        commune_code="13055",
        user=user,
    )
    async with atomic():
        card = await issue_card(beneficiary, await current_school_year(), CardKind.DIGITAL)
    return user, card


def use_input(deal, code, key=None, channel=None) -> dict:
    values = {
        "cardCode": code,
        "bonPlanId": str(deal.id),
        "idempotencyKey": key or uuid.uuid4().hex,
    }
    if channel:
        values["channel"] = channel
    return {"input": values}


async def lookup(gql, team, code, token) -> dict:
    result = await gql.post(LOOKUP, {"p": str(team.partner.id), "code": code}, token=token)
    return result["data"]["lookupCard"]


async def test_the_lookup_lists_the_deals_the_holder_may_use_by_age(gql):
    team, cashier = await till()
    culture = await published_deal(team, title="Affiche offerte")
    tourism = await published_deal(team, OfferTheme.TOURISME, title="Visite guidée")
    gone = await published_deal(team, title="Retiré")
    await withdraw(await viewer_of(team.principal), gone.id)
    other_team = await partner_team(name="Ailleurs")
    await published_deal(other_team, title="D'un autre partenaire")
    token = await token_for(gql, cashier)

    pupil = await card_holder(birth_date=born_aged(13))
    answer = await lookup(gql, team, pupil.card.code, token)
    assert [d["bonPlan"]["id"] for d in answer["usableBonsPlans"]] == [str(culture.id)]
    assert answer["usableBonsPlans"][0]["usesByHolder"] == 0
    assert answer["usableBonsPlans"][0]["bonPlan"]["published"]["conditions"]

    _, adult_card = await young_adult(19)
    answer = await lookup(gql, team, adult_card.code, token)
    assert answer["holder"]["age"] == 19 and answer["wallets"] == []  # no wallet: deals only
    assert {d["bonPlan"]["id"] for d in answer["usableBonsPlans"]} == {
        str(culture.id),
        str(tourism.id),
    }

    _, teen_card = await young_adult(17)
    answer = await lookup(gql, team, teen_card.code, token)
    assert [d["bonPlan"]["id"] for d in answer["usableBonsPlans"]] == [str(culture.id)]

    lost = await card_holder()
    await Card.filter(id=lost.card.id).update(status="opposed", opposed_at=clock.now())
    answer = await lookup(gql, team, lost.card.code, token)
    assert answer["state"] == "OPPOSED" and answer["usableBonsPlans"] == []


async def test_a_use_is_recorded_once_per_key_audited_and_told_to_the_holder(gql):
    team, cashier = await till()
    deal = await published_deal(team, title="Goodies du club")
    user, card = await young_adult(20)
    token = await token_for(gql, cashier)
    entries_before = await LedgerEntry.all().count()
    key = uuid.uuid4().hex
    typed = card_codes.format_code(card.code).lower().replace("-", " ")

    first = await gql.post(RECORD, use_input(deal, typed, key), token=token)
    use = first["data"]["recordBonPlanUse"]["bonPlanUse"]
    assert use["title"] == "Goodies du club" and use["reference"].startswith("B")
    assert use["channel"] == "TILL" and use["cancellable"] is True
    assert use["maskedCardCode"].endswith(card_codes.format_code(card.code)[-5:])
    assert use["delegate"]["email"] == cashier.email
    assert use["partnerName"] == team.partner.trade_name

    again = await gql.post(RECORD, use_input(deal, card.code, key), token=token)
    assert again["data"]["recordBonPlanUse"]["bonPlanUse"]["id"] == use["id"]
    other_deal = await published_deal(team, title="Autre")
    conflict = await gql.post(RECORD, use_input(other_deal, card.code, key), token=token)
    assert conflict["data"]["recordBonPlanUse"]["code"] == "IDEMPOTENCY_CONFLICT"

    assert await BonPlanUse.filter(offer_id=deal.id).count() == 1
    assert await LedgerEntry.all().count() == entries_before  # no money moved
    assert await AuditEntry.filter(action="bon_plan.used", object_id=use["id"]).count() == 1
    [notice] = await Notification.filter(user_id=user.id, kind="bon_plan_used")
    assert "Goodies du club" in notice.body and team.partner.trade_name in notice.body

    answer = await lookup(gql, team, card.code, token)
    [shown] = [d for d in answer["usableBonsPlans"] if d["bonPlan"]["id"] == str(deal.id)]
    assert shown["usesByHolder"] == 1 and shown["lastUsedByHolderAt"] is not None

    history = (await gql.post(MY_USES, token=await token_for(gql, user)))["data"]
    assert history["myBonPlanUses"]["uses"] == [
        {
            "title": "Goodies du club",
            "partnerName": team.partner.trade_name,
            "maskedCardCode": use["maskedCardCode"],
            "cancellable": False,  # the young person cannot cancel it
            "bonPlan": {"id": str(deal.id)},
        }
    ]


async def test_the_same_key_sent_at_once_records_one_use(gql):
    team, cashier = await till()
    deal = await published_deal(team)
    holder = await card_holder()
    token = await token_for(gql, cashier)
    key = uuid.uuid4().hex
    answers = await asyncio.gather(
        *(gql.post(RECORD, use_input(deal, holder.card.code, key), token=token) for _ in range(5))
    )
    ids = {a["data"]["recordBonPlanUse"]["bonPlanUse"]["id"] for a in answers}
    assert len(ids) == 1
    assert await BonPlanUse.filter(offer_id=deal.id).count() == 1


async def test_a_use_is_refused_with_the_reason_next_to_its_field(gql):
    team, cashier = await till()
    culture = await published_deal(team)
    tourism = await published_deal(team, OfferTheme.TOURISME)
    gone = await published_deal(team)
    await withdraw(await viewer_of(team.principal), gone.id)
    token = await token_for(gql, cashier)
    pupil = await card_holder(birth_date=born_aged(14))
    lost = await card_holder()
    await Card.filter(id=lost.card.id).update(status="opposed", opposed_at=clock.now())
    cases = [
        (use_input(tourism, pupil.card.code), "AGE_NOT_ELIGIBLE", "bonPlanId", "18-25 ans"),
        (use_input(gone, pupil.card.code), "BON_PLAN_NOT_AVAILABLE", "bonPlanId", "retiré"),
        (use_input(culture, lost.card.code), "CARD_NOT_USABLE", "code", "opposition"),
        (use_input(culture, "0000-0000-0000-00"), "CARD_UNKNOWN", "code", "inconnue"),
        (use_input(culture, pupil.card.code, key="court"), "INVALID_INPUT", "idempotencyKey", ""),
    ]
    for variables, code, field, words in cases:
        refused = (await gql.post(RECORD, variables, token=token))["data"]["recordBonPlanUse"]
        assert (refused["code"], refused["field"]) == (code, field), refused
        assert words in refused["message"]
    # An expired deal (its last day was yesterday) is no longer offered either.
    yesterday = clock.paris_today() - timedelta(days=1)
    await Offer.filter(id=culture.id).update(valid_from=yesterday, valid_until=yesterday)
    expired = await gql.post(RECORD, use_input(culture, pupil.card.code), token=token)
    assert expired["data"]["recordBonPlanUse"]["code"] == "BON_PLAN_NOT_AVAILABLE"
    assert await BonPlanUse.filter(partner_id=team.partner.id).count() == 0


async def test_only_the_deals_partner_with_the_till_permission_records_and_cancels(gql):
    team, cashier = await till()
    deal = await published_deal(team)
    holder = await card_holder()
    _, other_cashier = await till(await partner_team(name="Concurrent"))
    publisher = await collaborator(team, DelegatePermission.OFFERS_AND_POSTS)
    for intruder in (other_cashier, publisher, holder.user):
        refused = await gql.post(
            RECORD, use_input(deal, holder.card.code), token=await token_for(gql, intruder)
        )
        assert error_codes(refused) == ["FORBIDDEN"]
    recorded = await gql.post(
        RECORD, use_input(deal, holder.card.code), token=await token_for(gql, cashier)
    )
    use_id = recorded["data"]["recordBonPlanUse"]["bonPlanUse"]["id"]
    for intruder in (other_cashier, publisher):
        refused = await gql.post(CANCEL, {"id": use_id}, token=await token_for(gql, intruder))
        assert error_codes(refused) == ["FORBIDDEN"]
    listing = await gql.post(
        USES, {"p": str(team.partner.id), "first": 10}, token=await token_for(gql, other_cashier)
    )
    assert error_codes(listing) == ["FORBIDDEN"]
    assert await BonPlanUse.filter(partner_id=team.partner.id).count() == 1


async def test_a_use_is_cancelled_the_same_paris_day_only(gql):
    team, cashier = await till()
    deal = await published_deal(team)
    holder = await card_holder()
    token = await token_for(gql, cashier)
    recorded = await gql.post(RECORD, use_input(deal, holder.card.code), token=token)
    use_id = recorded["data"]["recordBonPlanUse"]["bonPlanUse"]["id"]

    cancelled = (await gql.post(CANCEL, {"id": use_id}, token=token))["data"]["cancelBonPlanUse"]
    assert cancelled["bonPlanUse"]["cancelledAt"]
    assert cancelled["bonPlanUse"]["cancellable"] is False
    again = (await gql.post(CANCEL, {"id": use_id}, token=token))["data"]["cancelBonPlanUse"]
    assert again["code"] == "INVALID_STATE"
    assert await AuditEntry.filter(action="bon_plan.use_cancelled", object_id=use_id).exists()
    counted = await gql.post(OFFER_COUNT, {"id": str(deal.id)}, token=token)
    assert counted["data"]["offer"]["useCount"] == 0  # cancelled uses are not counted

    # Yesterday morning (Paris): in the past whatever the hour the suite runs at.
    await on_show_since_yesterday(deal)
    yesterday = (clock.now() - timedelta(days=1)).astimezone(UTC).replace(hour=9)
    with clock.frozen(yesterday):
        old_token = await token_for(gql, cashier)
        late = await gql.post(RECORD, use_input(deal, holder.card.code), token=old_token)
    late_id = late["data"]["recordBonPlanUse"]["bonPlanUse"]["id"]
    refused = (await gql.post(CANCEL, {"id": late_id}, token=token))["data"]["cancelBonPlanUse"]
    assert refused["code"] == "CANCELLATION_TOO_LATE"
    assert "04 86 68 80 07" in refused["message"]
    listed = await gql.post(USES, {"p": str(team.partner.id), "first": 10}, token=token)
    assert [u["cancellable"] for u in listed["data"]["bonPlanUses"]["uses"]] == [False, False]


async def test_the_partners_list_filters_by_day_deal_and_cashier_and_pages(gql):
    team, cashier = await till()
    second_cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    deal, other_deal = await published_deal(team), await published_deal(team, title="Deux")
    holder = await card_holder()
    token, second = await token_for(gql, cashier), await token_for(gql, second_cashier)
    await on_show_since_yesterday(deal)
    yesterday = (clock.now() - timedelta(days=1)).astimezone(UTC).replace(hour=9)
    with clock.frozen(yesterday):
        old_token = await token_for(gql, cashier)
        await gql.post(RECORD, use_input(deal, holder.card.code), token=old_token)
    for deal_used, by in ((deal, token), (other_deal, token), (deal, second)):
        await gql.post(RECORD, use_input(deal_used, holder.card.code), token=by)

    async def listed(**filters) -> list[dict]:
        variables = {"p": str(team.partner.id), "first": 10, **filters}
        return (await gql.post(USES, variables, token=token))["data"]["bonPlanUses"]["uses"]

    assert len(await listed()) == 4
    today = clock.paris_today().isoformat()
    assert len(await listed(day=today)) == 3
    assert len(await listed(day=yesterday.astimezone(clock.PARIS).date().isoformat())) == 1
    assert len(await listed(deal=str(deal.id))) == 3
    assert [u["delegate"]["email"] for u in await listed(delegate=str(second_cashier.id))] == [
        second_cashier.email
    ]
    first_page = await gql.post(USES, {"p": str(team.partner.id), "first": 3}, token=token)
    first_page = first_page["data"]["bonPlanUses"]
    rest = (
        await gql.post(
            USES,
            {"p": str(team.partner.id), "first": 3, "after": first_page["nextCursor"]},
            token=token,
        )
    )["data"]["bonPlanUses"]
    assert len(first_page["uses"]) == 3 and len(rest["uses"]) == 1 and rest["nextCursor"] is None


async def test_uses_are_counted_per_deal_for_the_partner_and_for_staff(gql):
    team, cashier = await till()
    other_team, other_cashier = await till(await partner_team(name="Autre club"))
    popular, quiet = await published_deal(team, title="Populaire"), await published_deal(team)
    elsewhere = await published_deal(other_team)
    token, other = await token_for(gql, cashier), await token_for(gql, other_cashier)
    for deal, by in ((popular, token), (popular, token), (quiet, token), (elsewhere, other)):
        await gql.post(RECORD, use_input(deal, (await card_holder()).card.code), token=by)

    today = clock.paris_today().isoformat()
    principal = await token_for(gql, team.principal)
    own = await gql.post(COUNTS, {"p": str(team.partner.id), "since": today}, token=principal)
    assert [(c["bonPlan"]["id"], c["useCount"]) for c in own["data"]["bonPlanUseCounts"]] == [
        (str(popular.id), 2),
        (str(quiet.id), 1),
    ]
    counted = await gql.post(OFFER_COUNT, {"id": str(popular.id)}, token=principal)
    assert counted["data"]["offer"]["useCount"] == 2
    # Another partner reads neither the counts nor a deal's count.
    refused = await gql.post(COUNTS, {"p": str(team.partner.id)}, token=other)
    assert error_codes(refused) == ["FORBIDDEN"]
    hidden = await gql.post(OFFER_COUNT, {"id": str(popular.id)}, token=other)
    assert error_codes(hidden) == ["FORBIDDEN"]
    assert error_codes(await gql.post(COUNTS, {}, token=other)) == ["FORBIDDEN"]

    staff = await token_for(gql, await staff_member(StaffRole.MARKETING))
    everything = (await gql.post(COUNTS, {"since": today, "until": today}, token=staff))["data"]
    counted = {c["bonPlan"]["id"]: c["useCount"] for c in everything["bonPlanUseCounts"]}
    assert counted[str(popular.id)] == 2 and counted[str(elsewhere.id)] == 1
    tomorrow = (clock.paris_today() + timedelta(days=1)).isoformat()
    later = await gql.post(COUNTS, {"p": str(team.partner.id), "since": tomorrow}, token=staff)
    assert later["data"]["bonPlanUseCounts"] == []


async def test_the_database_refuses_a_second_use_of_a_key_and_an_unknown_channel(settings):
    team, cashier = await till()
    deal = await published_deal(team)
    holder = await card_holder()

    def row(**overrides) -> dict:
        values = {
            "reference": unique("R")[:16],
            "partner_id": team.partner.id,
            "offer_id": deal.id,
            "card_id": holder.card.id,
            "beneficiary_id": holder.beneficiary.id,
            "delegate_user_id": cashier.id,
            "title": "t",
            "channel": "till",
            "idempotency_key": "cle-unique-1",
            "request_fingerprint": "f",
            "created_at": datetime.now(UTC),
        }
        return values | overrides

    await BonPlanUse.create(**row())
    with pytest.raises(IntegrityError):
        await BonPlanUse.create(**row())
    with pytest.raises(IntegrityError):
        await BonPlanUse.create(**row(idempotency_key="cle-unique-2", channel="fax"))
    with pytest.raises(IntegrityError):
        await BonPlanUse.create(**row(idempotency_key="cle-unique-3", cancelled_at=clock.now()))
