"""Deals and events through GraphQL: drafting by the partner's publishers, moderation by
staff (queue, decisions with their author, the partner notified), publication with the map
places, what young people of each age see, the promo code, expiry and withdrawal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timedelta

import httpx
import pytest

from domain.core import clock
from domain.core.text import fold
from domain.offers.editing import school_year_start
from infra.geocoding import OfflineGeocoder, use_geocoder
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.notifications import Notification
from models.offers import ModerationDecision, Offer, OfferLocation, OfferRevision
from models.partners import DelegatePermission, Partner
from models.social import Image, ImagePurpose
from tests.factories import collaborator, partner_team, staff_member, token_for, young_person
from tests.support import GraphQLClient, error_codes, unique

REVISION = """id number status title description theme dealType eventKind discountCents
  discountAmount discountPercent promoCode conditions practicalInfo validFrom validUntil
  sessions { startsAt endsAt } places { label street postalCode city latitude longitude }
  images { id }"""
PUBLIC = f"id kind isSuper withdrawnAt firstPublishedAt published {{ {REVISION} }}"
INSIDE = f"{PUBLIC} status working {{ {REVISION} rejectionReason }}"
RESULT = """__typename ... on UserError {{ code message field }}
  ... on OfferSuccess {{ offer {{ {fields} }} }}"""

CREATE_DEAL = f"""mutation($partnerId: ID!, $input: BonPlanInput!) {{
  createBonPlan(partnerId: $partnerId, input: $input) {{ {RESULT.format(fields=INSIDE)} }} }}"""
CREATE_EVENT = f"""mutation($partnerId: ID!, $input: EventInput!) {{
  createEvent(partnerId: $partnerId, input: $input) {{ {RESULT.format(fields=INSIDE)} }} }}"""
UPDATE = f"""mutation($offerId: ID!, $input: OfferChanges!) {{
  updateOffer(offerId: $offerId, input: $input) {{ {RESULT.format(fields=INSIDE)} }} }}"""
SUBMIT = f"""mutation($offerId: ID!) {{
  submitForModeration(offerId: $offerId) {{ {RESULT.format(fields=INSIDE)} }} }}"""
WITHDRAW = f"""mutation($offerId: ID!) {{
  withdrawOffer(offerId: $offerId) {{ {RESULT.format(fields=INSIDE)} }} }}"""
MODERATE = f"""mutation($revisionId: ID!, $approve: Boolean!, $reason: String) {{
  moderate(revisionId: $revisionId, approve: $approve, reason: $reason) {{
    {RESULT.format(fields=INSIDE)} }} }}"""
SUPER = f"""mutation($offerId: ID!, $isSuper: Boolean!) {{
  setSuperBonPlan(offerId: $offerId, isSuper: $isSuper) {{ {RESULT.format(fields="id isSuper")} }}
}}"""
QUEUE = """query($kind: OfferKind, $theme: OfferTheme, $partnerId: ID, $first: Int,
               $after: String) {
  moderationQueue(kind: $kind, theme: $theme, partnerId: $partnerId, first: $first,
                  after: $after) {
    revisions { id title status submittedAt offer { id kind } } nextCursor } }"""
OFFER_PUBLIC = f"query($id: ID!) {{ offer(id: $id) {{ {PUBLIC} }} }}"
OFFER_INSIDE = f"query($id: ID!) {{ offer(id: $id) {{ {INSIDE} }} }}"
PARTNER_OFFERS = """query($partnerId: ID!, $first: Int, $after: String) {
  partnerOffers(partnerId: $partnerId, first: $first, after: $after) {
    offers { id published { title promoCode } } nextCursor } }"""
WITHOUT = """query($year: String!) { partnersWithoutBonPlan(schoolYear: $year) {
  __typename ... on PartnersWithoutBonPlan { partners { id } } ... on UserError { code } } }"""


# --- the schema with the offer classes ---------------------------------------------------------


@pytest.fixture(scope="module")
async def offers_gql(app) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.11", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


@pytest.fixture(scope="module", autouse=True)
def offline_geocoder() -> Iterator[None]:
    """Addresses are placed at their commune's centre; an unknown postal code is not found."""
    previous = use_geocoder(OfflineGeocoder())
    yield
    use_geocoder(previous)


# --- helpers -----------------------------------------------------------------------------------


def this_year() -> tuple[date, date]:
    """From today to at most 30 days later, within today's school year."""
    today = clock.paris_today()
    year_end = date(school_year_start(today).year + 1, 8, 31)
    return today, min(today + timedelta(days=30), year_end)


def deal_input(**overrides) -> dict:
    starts, ends = this_year()
    values = {
        "title": "Place de cinéma à 5 €",
        "description": "Une séance à tarif réduit, tous les jours sauf le samedi soir.",
        "dealType": "DISCOUNT_EUROS",
        "discountAmount": "3,50",
        "theme": "CULTURE",
        "validFrom": starts.isoformat(),
        "validUntil": ends.isoformat(),
        "places": [
            {
                "label": "Cinéma du Prado",
                "street": "36 avenue du Prado",
                "postalCode": "13006",
                "city": "Marseille",
            }
        ],
        "practicalInfo": "Du lundi au vendredi, 14 h – 22 h.",
    }
    values.update(overrides)
    return values


def birth_date_for(age: int) -> date:
    today = clock.paris_today()
    return date(today.year - age, 1, 1)


async def publisher_team():
    team = await partner_team(name="Cinéma")
    publisher = await collaborator(team, DelegatePermission.OFFERS_AND_POSTS)
    return team, publisher


async def offer_image(partner_id) -> Image:
    return await Image.create(
        partner_id=partner_id,
        purpose=ImagePurpose.OFFER,
        width=800,
        height=600,
        variants={"medium": f"{unique('offer')}.webp"},
    )


class Actors:
    """Tokens for the people a test needs, signed in once per module."""

    moderator: str
    marketing: str


@pytest.fixture(scope="module")
async def actors(offers_gql) -> Actors:
    found = Actors()
    found.moderator = await token_for(offers_gql, await staff_member(StaffRole.MODERATION))
    found.marketing = await token_for(offers_gql, await staff_member(StaffRole.MARKETING))
    return found


async def create(gql, token, partner_id, query=CREATE_DEAL, **overrides) -> dict:
    variables = {"partnerId": str(partner_id), "input": deal_input(**overrides)}
    if query is CREATE_EVENT:
        variables["input"] = overrides
    result = await gql.post(query, variables, token=token)
    payload = result["data"][("createBonPlan" if query is CREATE_DEAL else "createEvent")]
    assert payload["__typename"] == "OfferSuccess", payload
    return payload["offer"]


async def published_deal(gql, token, moderator, partner_id, **overrides) -> dict:
    offer = await create(gql, token, partner_id, **overrides)
    await gql.post(SUBMIT, {"offerId": offer["id"]}, token=token)
    result = await gql.post(
        MODERATE, {"revisionId": offer["working"]["id"], "approve": True}, token=moderator
    )
    assert result["data"]["moderate"]["__typename"] == "OfferSuccess", result
    return result["data"]["moderate"]["offer"]


# --- the life cycle ----------------------------------------------------------------------------


async def test_a_deal_goes_from_draft_to_rejection_to_publication_and_a_new_version(
    offers_gql, actors
):
    team, publisher = await publisher_team()
    token = await token_for(offers_gql, publisher)
    visual = await offer_image(team.partner.id)

    offer = await create(offers_gql, token, team.partner.id, imageIds=[str(visual.id)])
    assert offer["status"] == "DRAFT" and offer["published"] is None
    draft = offer["working"]
    assert draft["discountCents"] == 350 and draft["discountAmount"] == "3,50\u00a0€"
    assert draft["conditions"] == "Sur présentation de la carte CJeune"
    assert draft["places"][0]["postalCode"] == "13006" and draft["places"][0]["latitude"] > 43
    assert [i["id"] for i in draft["images"]] == [str(visual.id)]
    assert (await offers_gql.post(OFFER_PUBLIC, {"id": offer["id"]}))["data"]["offer"] is None

    submitted = await offers_gql.post(SUBMIT, {"offerId": offer["id"]}, token=token)
    assert submitted["data"]["submitForModeration"]["offer"]["status"] == "SUBMITTED"
    editing = await offers_gql.post(
        UPDATE, {"offerId": offer["id"], "input": {"title": "Autre"}}, token=token
    )
    assert editing["data"]["updateOffer"]["code"] == "INVALID_STATE"

    # A refusal needs a reason the partner reads.
    no_reason = await offers_gql.post(
        MODERATE, {"revisionId": draft["id"], "approve": False}, token=actors.moderator
    )
    assert no_reason["data"]["moderate"]["field"] == "reason"
    rejected = await offers_gql.post(
        MODERATE,
        {"revisionId": draft["id"], "approve": False, "reason": "Précisez les horaires."},
        token=actors.moderator,
    )
    assert rejected["data"]["moderate"]["offer"]["status"] == "REJECTED"
    told = await Notification.filter(kind="moderation_decision").filter(
        user_id__in=[team.principal.id, publisher.id]
    )
    assert {n.user_id for n in told} == {team.principal.id, publisher.id}
    assert all(n.data == {"offerId": offer["id"], "approved": False} for n in told)
    assert all("Précisez les horaires." in n.body for n in told)
    seen = await offers_gql.post(OFFER_INSIDE, {"id": offer["id"]}, token=token)
    assert seen["data"]["offer"]["working"]["rejectionReason"] == "Précisez les horaires."
    again = await offers_gql.post(SUBMIT, {"offerId": offer["id"]}, token=token)
    assert again["data"]["submitForModeration"]["code"] == "INVALID_STATE"

    # Edited and resubmitted: a new version; the refused one keeps its reason.
    edited = await offers_gql.post(
        UPDATE,
        {"offerId": offer["id"], "input": {"practicalInfo": "Tous les jours, 10 h – 23 h."}},
        token=token,
    )
    second = edited["data"]["updateOffer"]["offer"]["working"]
    assert second["number"] == 2 and second["status"] == "DRAFT"
    assert (await OfferRevision.get(id=draft["id"])).rejection_reason == "Précisez les horaires."
    await offers_gql.post(SUBMIT, {"offerId": offer["id"]}, token=token)
    approved = await offers_gql.post(
        MODERATE, {"revisionId": second["id"], "approve": True}, token=actors.moderator
    )
    published = approved["data"]["moderate"]["offer"]
    assert published["status"] == "APPROVED" and published["published"]["id"] == second["id"]
    public = (await offers_gql.post(OFFER_PUBLIC, {"id": offer["id"]}))["data"]["offer"]
    assert public["published"]["practicalInfo"] == "Tous les jours, 10 h – 23 h."
    row = await Offer.get(id=offer["id"])
    assert row.title == "Place de cinéma à 5 €" and row.first_published_at is not None
    # Found by its title, its partner's name, its commune, its theme and its description.
    partner = await Partner.get(id=row.partner_id)
    assert row.search_text.startswith(f"place de cinema a 5 {fold(partner.trade_name)} marseille")
    assert "culture une seance" in row.search_text
    locations = await OfferLocation.filter(offer_id=row.id)
    assert [(loc.label, loc.city) for loc in locations] == [("Cinéma du Prado", "Marseille")]
    decisions = await ModerationDecision.filter(revision__offer_id=row.id).order_by("decided_at")
    assert [d.approved for d in decisions] == [False, True]
    assert all(d.decided_by_id is not None for d in decisions)

    # Edited again: the approved version stays on show until the new one is approved.
    await offers_gql.post(
        UPDATE, {"offerId": offer["id"], "input": {"title": "Cinéma à 4 €"}}, token=token
    )
    await offers_gql.post(SUBMIT, {"offerId": offer["id"]}, token=token)
    public = (await offers_gql.post(OFFER_PUBLIC, {"id": offer["id"]}))["data"]["offer"]
    assert public["published"]["title"] == "Place de cinéma à 5 €"
    inside = (await offers_gql.post(OFFER_INSIDE, {"id": offer["id"]}, token=token))["data"]
    third = inside["offer"]["working"]
    assert (third["number"], third["status"], third["title"]) == (3, "SUBMITTED", "Cinéma à 4 €")
    await offers_gql.post(
        MODERATE, {"revisionId": third["id"], "approve": True}, token=actors.moderator
    )
    public = (await offers_gql.post(OFFER_PUBLIC, {"id": offer["id"]}))["data"]["offer"]
    assert public["published"]["title"] == "Cinéma à 4 €"
    assert (await OfferRevision.get(id=second["id"])).status == "superseded"
    assert (await Offer.get(id=offer["id"])).title == "Cinéma à 4 €"
    actions = (
        await AuditEntry.filter(object_id=offer["id"])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "offer.created",
        "offer.submitted",
        "offer.rejected",
        "offer.edited",
        "offer.submitted",
        "offer.approved",
        "offer.edited",
        "offer.submitted",
        "offer.approved",
    ]


async def test_an_event_has_sessions_and_runs_alongside_others(offers_gql, actors):
    team, publisher = await publisher_team()
    token = await token_for(offers_gql, publisher)
    today = clock.paris_today()
    first = datetime.combine(today + timedelta(days=2), datetime.min.time()).replace(hour=20)
    sessions = [
        {
            "startsAt": (first + timedelta(days=1)).isoformat(),
            "endsAt": (first + timedelta(days=1, hours=5)).isoformat(),  # 1 a.m. in Paris
        },
        {
            "startsAt": first.isoformat(),
            "endsAt": (first + timedelta(hours=3, minutes=30)).isoformat(),
        },
    ]
    event = {
        "title": "Festival des calanques",
        "description": "Concerts en plein air.",
        "eventKind": "FESTIVAL",
        "theme": "CULTURE",
        "sessions": sessions,
        "places": [{"street": "Plage du Prophète", "postalCode": "13007", "city": "Marseille"}],
    }
    created = await create(offers_gql, token, team.partner.id, CREATE_EVENT, **event)
    working = created["working"]
    assert working["eventKind"] == "FESTIVAL" and working["dealType"] is None
    assert working["validFrom"] == first.date().isoformat()
    assert working["validUntil"] == (first + timedelta(days=2)).date().isoformat()
    starts = [datetime.fromisoformat(s["startsAt"]) for s in working["sessions"]]
    assert starts == sorted(starts) and starts[0] == first.replace(tzinfo=clock.PARIS)
    other = await create(offers_gql, token, team.partner.id, CREATE_EVENT, **event)
    assert other["id"] != created["id"]

    backwards = dict(event, sessions=[{"startsAt": first.isoformat(), "endsAt": first.isoformat()}])
    result = await offers_gql.post(
        CREATE_EVENT, {"partnerId": str(team.partner.id), "input": backwards}, token=token
    )
    assert result["data"]["createEvent"]["field"] == "sessions"
    deal_field = await offers_gql.post(
        UPDATE, {"offerId": created["id"], "input": {"promoCode": "X"}}, token=token
    )
    assert deal_field["data"]["updateOffer"]["code"] == "INVALID_INPUT"


# --- what each person sees ---------------------------------------------------------------------


async def test_tourism_is_for_18_to_25_year_olds_only(offers_gql, actors):
    team, publisher = await publisher_team()
    token = await token_for(offers_gql, publisher)
    deal = await published_deal(
        offers_gql,
        token,
        actors.moderator,
        team.partner.id,
        title="Nuit à l'auberge de jeunesse",
        theme="TOURISME",
    )
    sixteen = await token_for(offers_gql, await young_person(birth_date_for(16)))
    eighteen = await token_for(offers_gql, await young_person(birth_date_for(18)))
    partner = {"partnerId": str(team.partner.id)}

    for viewer in (None, sixteen):
        result = await offers_gql.post(OFFER_PUBLIC, {"id": deal["id"]}, token=viewer)
        assert result["data"]["offer"] is None
        listed = await offers_gql.post(PARTNER_OFFERS, partner, token=viewer)
        assert listed["data"]["partnerOffers"]["offers"] == []
    result = await offers_gql.post(OFFER_PUBLIC, {"id": deal["id"]}, token=eighteen)
    assert result["data"]["offer"]["published"]["theme"] == "TOURISME"
    listed = await offers_gql.post(PARTNER_OFFERS, partner, token=eighteen)
    assert [o["id"] for o in listed["data"]["partnerOffers"]["offers"]] == [deal["id"]]


async def test_expired_and_withdrawn_offers_disappear(offers_gql, actors):
    team, publisher = await publisher_team()
    token = await token_for(offers_gql, publisher)
    today, _ = this_year()
    deal = await published_deal(
        offers_gql, token, actors.moderator, team.partner.id, validUntil=today.isoformat()
    )
    assert (await offers_gql.post(OFFER_PUBLIC, {"id": deal["id"]}))["data"]["offer"]
    tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time(), clock.PARIS)
    with clock.frozen(tomorrow.replace(hour=9)):
        expired = await offers_gql.post(OFFER_PUBLIC, {"id": deal["id"]})
        listed = await offers_gql.post(PARTNER_OFFERS, {"partnerId": str(team.partner.id)})
    assert expired["data"]["offer"] is None
    assert listed["data"]["partnerOffers"]["offers"] == []

    other = await published_deal(offers_gql, token, actors.moderator, team.partner.id)
    withdrawn = await offers_gql.post(WITHDRAW, {"offerId": other["id"]}, token=token)
    assert withdrawn["data"]["withdrawOffer"]["offer"]["withdrawnAt"] is not None
    assert (await offers_gql.post(OFFER_PUBLIC, {"id": other["id"]}))["data"]["offer"] is None
    assert not await OfferLocation.exists(offer_id=other["id"])
    inside = await offers_gql.post(OFFER_INSIDE, {"id": other["id"]}, token=token)
    assert inside["data"]["offer"]["published"] is None
    edit = await offers_gql.post(
        UPDATE, {"offerId": other["id"], "input": {"title": "Retour"}}, token=token
    )
    assert edit["data"]["updateOffer"]["code"] == "INVALID_STATE"


async def test_the_promo_code_is_for_eligible_young_people(offers_gql, actors):
    team, publisher = await publisher_team()
    token = await token_for(offers_gql, publisher)
    code = {"dealType": "PROMO_CODE", "discountAmount": None, "promoCode": "CJEUNE13"}
    deal = await published_deal(offers_gql, token, actors.moderator, team.partner.id, **code)
    adults = await published_deal(
        offers_gql, token, actors.moderator, team.partner.id, theme="TOURISME", **code
    )
    _, other_publisher = await publisher_team()
    stranger = await token_for(offers_gql, other_publisher)
    fourteen = await token_for(offers_gql, await young_person(birth_date_for(14)))
    sixteen = await token_for(offers_gql, await young_person(birth_date_for(16)))

    async def promo(offer_id, viewer):
        result = await offers_gql.post(OFFER_PUBLIC, {"id": offer_id}, token=viewer)
        shown = result["data"]["offer"]
        return shown and shown["published"]["promoCode"]

    assert await promo(deal["id"], None) is None
    assert await promo(deal["id"], stranger) is None
    assert await promo(deal["id"], fourteen) == "CJEUNE13"
    assert await promo(deal["id"], token) == "CJEUNE13"
    assert await promo(adults["id"], sixteen) is None
    listed = await offers_gql.post(
        PARTNER_OFFERS, {"partnerId": str(team.partner.id)}, token=sixteen
    )
    assert [o["published"]["promoCode"] for o in listed["data"]["partnerOffers"]["offers"]] == [
        "CJEUNE13"
    ]


async def test_insiders_list_every_offer_with_its_status(offers_gql, actors):
    team, publisher = await publisher_team()
    token = await token_for(offers_gql, publisher)
    draft = await create(offers_gql, token, team.partner.id, title="Brouillon")
    shown = await published_deal(offers_gql, token, actors.moderator, team.partner.id)
    query = """query($partnerId: ID!, $first: Int, $after: String) {
      partnerOffers(partnerId: $partnerId, first: $first, after: $after) {
        offers { id status } nextCursor } }"""
    first = await offers_gql.post(
        query, {"partnerId": str(team.partner.id), "first": 1}, token=token
    )
    page = first["data"]["partnerOffers"]
    second = await offers_gql.post(
        query,
        {"partnerId": str(team.partner.id), "first": 1, "after": page["nextCursor"]},
        token=token,
    )
    listed = page["offers"] + second["data"]["partnerOffers"]["offers"]
    assert listed == [
        {"id": shown["id"], "status": "APPROVED"},
        {"id": draft["id"], "status": "DRAFT"},
    ]
    public = await offers_gql.post(PARTNER_OFFERS, {"partnerId": str(team.partner.id)})
    assert [o["id"] for o in public["data"]["partnerOffers"]["offers"]] == [shown["id"]]
    status = await offers_gql.post(
        "query($id: ID!) { offer(id: $id) { status } }", {"id": shown["id"]}
    )
    assert error_codes(status) == ["UNAUTHENTICATED"]


# --- refusals that change nothing --------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"validUntil": "__next_year__"}, "validUntil", "INVALID_INPUT"),
        ({"validUntil": "__before__"}, "validUntil", "INVALID_INPUT"),
        ({"imageIds": "__three__"}, "imageIds", "INVALID_INPUT"),
        ({"imageIds": "__foreign__"}, "imageIds", "INVALID_INPUT"),
        ({"discountAmount": "3,505"}, "discountAmount", "INVALID_INPUT"),
        (
            {"dealType": "DISCOUNT_PERCENT", "discountAmount": None, "discountPercent": 150},
            "discountPercent",
            "INVALID_INPUT",
        ),
        ({"dealType": "PROMO_CODE", "discountAmount": None}, "promoCode", "INVALID_INPUT"),
        ({"title": "   "}, "title", "INVALID_INPUT"),
        ({"places": []}, "places", "INVALID_INPUT"),
        (
            {"places": [{"street": "1 rue de Rivoli", "postalCode": "75001", "city": "Paris"}]},
            "places[0].postalCode",
            "INVALID_INPUT",
        ),
        (
            {"places": [{"street": "1 rue", "postalCode": "13999", "city": "Nulle-part"}]},
            "places[0].postalCode",
            "ADDRESS_NOT_FOUND",
        ),
    ],
)
async def test_bad_input_is_refused_in_french_and_nothing_is_created(
    offers_gql, overrides, field, code
):
    team, publisher = await publisher_team()
    token = await token_for(offers_gql, publisher)
    today, _ = this_year()
    year_end = date(school_year_start(today).year + 1, 8, 31)
    special = {
        "__next_year__": (year_end + timedelta(days=1)).isoformat(),
        "__before__": (today - timedelta(days=1)).isoformat(),
        "__three__": [str((await offer_image(team.partner.id)).id) for _ in range(3)],
        "__foreign__": [str((await offer_image((await partner_team()).partner.id)).id)],
    }
    if overrides.get("validUntil") == "__before__":
        overrides = {"validFrom": today.isoformat(), "validUntil": special["__before__"]}
    overrides = {k: special.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    result = await offers_gql.post(
        CREATE_DEAL,
        {"partnerId": str(team.partner.id), "input": deal_input(**overrides)},
        token=token,
    )
    answer = result["data"]["createBonPlan"]
    assert (answer["code"], answer["field"]) == (code, field), answer
    assert answer["message"] and answer["message"][0].isupper()
    assert not await Offer.exists(partner_id=team.partner.id)
    assert not await AuditEntry.exists(partner_id=team.partner.id, action="offer.created")


async def test_validity_across_two_school_years_is_refused_on_edit_too(offers_gql):
    team, publisher = await publisher_team()
    token = await token_for(offers_gql, publisher)
    offer = await create(offers_gql, token, team.partner.id)
    start = school_year_start(clock.paris_today())
    result = await offers_gql.post(
        UPDATE,
        {"offerId": offer["id"], "input": {"validUntil": date(start.year + 1, 9, 1).isoformat()}},
        token=token,
    )
    assert "31 août" in result["data"]["updateOffer"]["message"]
    assert (await OfferRevision.get(id=offer["working"]["id"])).valid_until.isoformat() == offer[
        "working"
    ]["validUntil"]


async def test_only_the_partners_publishers_edit_submit_and_withdraw(offers_gql):
    team, publisher = await publisher_team()
    token = await token_for(offers_gql, publisher)
    offer = await create(offers_gql, token, team.partner.id)
    _, stranger = await publisher_team()
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    young = await young_person()
    for user in (stranger, cashier, young):
        other = await token_for(offers_gql, user)
        for query, variables in (
            (UPDATE, {"offerId": offer["id"], "input": {"title": "Piraté"}}),
            (SUBMIT, {"offerId": offer["id"]}),
            (WITHDRAW, {"offerId": offer["id"]}),
            (CREATE_DEAL, {"partnerId": str(team.partner.id), "input": deal_input()}),
        ):
            result = await offers_gql.post(query, variables, token=other)
            assert error_codes(result) == ["FORBIDDEN"], (user.email, query)
    assert (await OfferRevision.get(id=offer["working"]["id"])).title == "Place de cinéma à 5 €"


# --- staff -------------------------------------------------------------------------------------


async def test_the_moderation_queue_is_oldest_first_with_filters(offers_gql, actors):
    team, publisher = await publisher_team()
    token = await token_for(offers_gql, publisher)
    ids = []
    for overrides in ({"title": "Un"}, {"title": "Deux", "theme": "SPORT"}, {"title": "Trois"}):
        offer = await create(offers_gql, token, team.partner.id, **overrides)
        await offers_gql.post(SUBMIT, {"offerId": offer["id"]}, token=token)
        ids.append(offer["working"]["id"])
    event = await create(
        offers_gql,
        token,
        team.partner.id,
        CREATE_EVENT,
        title="Quatre",
        description="Un stage.",
        eventKind="STAGE",
        theme="SPORT",
        sessions=[
            {
                "startsAt": (clock.now() + timedelta(days=3)).isoformat(),
                "endsAt": (clock.now() + timedelta(days=3, hours=2)).isoformat(),
            }
        ],
        places=[{"street": "Stade", "postalCode": "13008", "city": "Marseille"}],
    )
    await offers_gql.post(SUBMIT, {"offerId": event["id"]}, token=token)
    mine = {"partnerId": str(team.partner.id)}

    titles, after = [], None
    while True:
        page = await offers_gql.post(
            QUEUE, {**mine, "first": 2, "after": after}, token=actors.moderator
        )
        queue = page["data"]["moderationQueue"]
        titles += [r["title"] for r in queue["revisions"]]
        after = queue["nextCursor"]
        if after is None:
            break
    assert titles == ["Un", "Deux", "Trois", "Quatre"]
    sport = await offers_gql.post(QUEUE, {**mine, "theme": "SPORT"}, token=actors.moderator)
    assert [r["title"] for r in sport["data"]["moderationQueue"]["revisions"]] == ["Deux", "Quatre"]
    events = await offers_gql.post(QUEUE, {**mine, "kind": "EVENT"}, token=actors.moderator)
    assert [r["offer"]["kind"] for r in events["data"]["moderationQueue"]["revisions"]] == ["EVENT"]
    await offers_gql.post(MODERATE, {"revisionId": ids[0], "approve": True}, token=actors.moderator)
    rest = await offers_gql.post(QUEUE, mine, token=actors.moderator)
    assert [r["title"] for r in rest["data"]["moderationQueue"]["revisions"]] == [
        "Deux",
        "Trois",
        "Quatre",
    ]
    assert error_codes(await offers_gql.post(QUEUE, mine, token=token)) == ["FORBIDDEN"]
    assert error_codes(await offers_gql.post(QUEUE, mine, token=actors.marketing)) == ["FORBIDDEN"]


async def test_staff_mark_super_deals_but_not_events(offers_gql, actors):
    team, publisher = await publisher_team()
    token = await token_for(offers_gql, publisher)
    deal = await create(offers_gql, token, team.partner.id)
    marked = await offers_gql.post(
        SUPER, {"offerId": deal["id"], "isSuper": True}, token=actors.marketing
    )
    assert marked["data"]["setSuperBonPlan"]["offer"]["isSuper"] is True
    assert error_codes(
        await offers_gql.post(SUPER, {"offerId": deal["id"], "isSuper": False}, token=token)
    ) == ["FORBIDDEN"]
    assert await AuditEntry.exists(object_id=deal["id"], action="offer.super_changed")


async def test_staff_list_partners_without_a_deal_this_school_year(offers_gql, actors):
    with_deal, publisher = await publisher_team()
    token = await token_for(offers_gql, publisher)
    await published_deal(offers_gql, token, actors.moderator, with_deal.partner.id)
    only_draft, other = await publisher_team()
    await create(offers_gql, await token_for(offers_gql, other), only_draft.partner.id)
    start = school_year_start(clock.paris_today())
    label = f"{start.year}-{start.year + 1}"

    result = await offers_gql.post(WITHOUT, {"year": label}, token=actors.marketing)
    listed = {p["id"] for p in result["data"]["partnersWithoutBonPlan"]["partners"]}
    assert str(only_draft.partner.id) in listed and str(with_deal.partner.id) not in listed
    next_year = await offers_gql.post(
        WITHOUT, {"year": f"{start.year + 1}-{start.year + 2}"}, token=actors.marketing
    )
    later = {p["id"] for p in next_year["data"]["partnersWithoutBonPlan"]["partners"]}
    assert str(with_deal.partner.id) in later
    bad = await offers_gql.post(WITHOUT, {"year": "2026"}, token=actors.marketing)
    assert bad["data"]["partnersWithoutBonPlan"]["code"] == "INVALID_INPUT"
    assert error_codes(await offers_gql.post(WITHOUT, {"year": label}, token=token)) == [
        "FORBIDDEN"
    ]
