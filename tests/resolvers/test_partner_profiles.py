"""Partner profiles through GraphQL: editing by delegates with the profile permission (and
support staff), checks that leave everything unchanged, the audit trail, the map pin geocoded
by geopy's real BANFrance client against a local stand-in, exceptional periods, and the
public profile anyone may read."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route

from domain.core import clock
from domain.offers.place_geocoding import refine_partner_pin
from infra.geocoding import BanGeocoder, OfflineGeocoder, use_geocoder
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.partners import DelegatePermission, Partner
from models.social import Image, ImagePurpose, LocationSource, OpeningException, PartnerProfile
from tests.factories import collaborator, partner_team, staff_member, token_for, young_person
from tests.geocoder_standin import BanStandin, feature
from tests.resolvers.test_dataloaders import counting_queries
from tests.support import GraphQLClient, error_codes, jobs_done, unique

PROFILE_FIELDS = """
  id description phone contactEmail website categories closedOnPublicHolidays openNow
  followersCount address { street postalCode city } location { latitude longitude source }
  accessibility { types notes } weeklyHours { day ranges { opens closes } }
  logo { id url(size: SMALL) } banner { id }
  openingExceptions { id startsOn endsOn label ranges { opens closes } }
"""
UPDATE = f"""
mutation Update($partnerId: ID!, $input: PartnerProfileInput!) {{
  updatePartnerProfile(partnerId: $partnerId, input: $input) {{
    __typename
    ... on PartnerProfileSuccess {{ partner {{ {PROFILE_FIELDS} }} }}
    ... on UserError {{ code message field }}
  }}
}}
"""
MOVE_PIN = """
mutation Move($partnerId: ID!, $latitude: Float!, $longitude: Float!) {
  movePartnerPin(partnerId: $partnerId, latitude: $latitude, longitude: $longitude) {
    __typename
    ... on PartnerProfileSuccess { partner { location { latitude longitude source } } }
    ... on UserError { code message field }
  }
}
"""
ADD_EXCEPTION = """
mutation Add($partnerId: ID!, $startsOn: Date!, $endsOn: Date!, $label: String!,
             $hours: [TimeRangeInput!]) {
  addOpeningException(partnerId: $partnerId, startsOn: $startsOn, endsOn: $endsOn,
                      label: $label, hours: $hours) {
    __typename
    ... on OpeningExceptionSuccess { openingException { id label ranges { opens closes } }
                                     partner { openNow openingExceptions { id } } }
    ... on UserError { code message field }
  }
}
"""
REMOVE_EXCEPTION = """
mutation Remove($id: ID!) {
  removeOpeningException(id: $id) {
    __typename
    ... on PartnerProfileSuccess { partner { openingExceptions { id } } }
    ... on UserError { code message }
  }
}
"""
PUBLIC_PROFILE = f"query($id: ID!) {{ partner(id: $id) {{ tradeName {PROFILE_FIELDS} }} }}"
OPENING_STATE = """
query($id: ID!, $at: DateTime!) {
  partner(id: $id) { openingState(at: $at) { isOpen nextChangeAt } }
}
"""

CANEBIERE = feature(
    "12 La Canebière 13001 Marseille", 43.29748, 5.37795, postcode="13001", city="Marseille"
)
VIEUX_PORT = feature(
    "1 Quai du Port 13002 Marseille", 43.29593, 5.36958, postcode="13002", city="Marseille"
)
EVERY_DAY = [
    {"day": d, "ranges": [{"opens": "00:00", "closes": "24:00"}]}
    for d in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
]


# --- the app with the profile mutations --------------------------------------------------------


def _root_has_profile_mutations() -> bool:
    from schema.root import Mutation

    return any(
        f.python_name == "update_partner_profile" for f in Mutation.__strawberry_definition__.fields
    )


@pytest.fixture(scope="module")
async def profile_gql(app, settings) -> AsyncIterator[GraphQLClient]:
    """The real app once schema/root.py composes PartnerProfileMutations; until then the
    same schema and view with them added to the root Mutation."""
    if _root_has_profile_mutations():
        served = app
    else:
        import schema
        from schema.partner_profiles import PartnerProfileMutations
        from server.graphql_view import CJeuneGraphQL

        @strawberry.type(name="Mutation")
        class Mutation(schema.Mutation, PartnerProfileMutations):
            pass

        root_mutation, schema.Mutation = schema.Mutation, Mutation
        try:
            built = schema.build_schema(settings)
        finally:
            schema.Mutation = root_mutation
        view = CJeuneGraphQL(built, settings)
        served = Starlette(routes=[Route("/graphql", view, methods=["GET", "POST"])])
    transport = httpx.ASGITransport(app=served, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


@pytest.fixture(scope="module")
def ban() -> Iterator[BanStandin]:
    """Addresses are located by the real BANFrance client, asking the local stand-in."""
    standin = BanStandin().start()
    previous = use_geocoder(BanGeocoder(standin.url))
    yield standin
    use_geocoder(previous)
    standin.stop()


@pytest.fixture(autouse=True)
def _fresh_ban(ban: BanStandin) -> None:
    ban.reset()
    ban.answer("12 La Canebière 13001 Marseille", CANEBIERE)
    ban.answer("1 Quai du Port 13002 Marseille", VIEUX_PORT)


async def editor(*permissions: DelegatePermission):
    """A partner and one of its delegates with `permissions` (the profile one by default)."""
    team = await partner_team(name="Club")
    user = await collaborator(team, *(permissions or (DelegatePermission.PROFILE,)))
    return team, user


async def audit_of(partner_id, action="partner.profile_updated") -> list[AuditEntry]:
    return await AuditEntry.filter(partner_id=partner_id, action=action).order_by("id")


async def image_of(partner_id, purpose: ImagePurpose) -> Image:
    return await Image.create(
        partner_id=partner_id,
        purpose=purpose,
        width=512,
        height=512 if purpose == ImagePurpose.LOGO else 171,
        variants={"small": f"{unique('img')}-small.webp", "medium": f"{unique('img')}.webp"},
    )


# --- editing -----------------------------------------------------------------------------------


async def test_a_delegate_with_the_profile_permission_edits_the_profile(profile_gql, ban):
    team, user = await editor()
    logo = await image_of(team.partner.id, ImagePurpose.LOGO)
    token = await token_for(profile_gql, user)

    result = await profile_gql.post(
        UPDATE,
        {
            "partnerId": str(team.partner.id),
            "input": {
                "description": "  Voile et kayak au Frioul.  ",
                "address": {
                    "street": "12 La Canebière",
                    "postalCode": "13001",
                    "city": "Marseille",
                },
                "phone": "04 91 00 00 00",
                "contactEmail": "Contact@Club-Voile.fr",
                "website": "www.club-voile.fr",
                "logoId": str(logo.id),
                "weeklyHours": [
                    {
                        "day": "SATURDAY",
                        "ranges": [
                            {"opens": "14:00", "closes": "18:00"},
                            {"opens": "9:00", "closes": "12:00"},
                        ],
                    },
                ],
                "closedOnPublicHolidays": True,
                "accessibility": ["VISUAL", "MOTOR", "MOTOR"],
                "accessibilityNotes": "Rampe d'accès au ponton.",
                "categories": ["SPORT", "LOISIRS"],
            },
        },
        token=token,
    )

    partner = result["data"]["updatePartnerProfile"]["partner"]
    assert partner["description"] == "Voile et kayak au Frioul."
    assert partner["phone"] == "+33491000000"
    assert partner["contactEmail"] == "contact@club-voile.fr"
    assert partner["website"] == "https://www.club-voile.fr"
    assert partner["address"] == {
        "street": "12 La Canebière",
        "postalCode": "13001",
        "city": "Marseille",
    }
    assert partner["location"] == {"latitude": 43.29748, "longitude": 5.37795, "source": "GEOCODED"}
    assert partner["logo"]["id"] == str(logo.id) and partner["logo"]["url"].endswith("-small.webp")
    assert partner["accessibility"] == {
        "types": ["MOTOR", "VISUAL"],
        "notes": "Rampe d'accès au ponton.",
    }
    assert sorted(partner["categories"]) == ["LOISIRS", "SPORT"]
    assert partner["closedOnPublicHolidays"] is True
    week = {d["day"]: d["ranges"] for d in partner["weeklyHours"]}
    assert list(week) == [
        "MONDAY",
        "TUESDAY",
        "WEDNESDAY",
        "THURSDAY",
        "FRIDAY",
        "SATURDAY",
        "SUNDAY",
    ]
    assert week["SATURDAY"] == [
        {"opens": "09:00", "closes": "12:00"},
        {"opens": "14:00", "closes": "18:00"},
    ]
    assert week["MONDAY"] == []
    assert [q["q"] for q in ban.queries] == ["12 La Canebière 13001 Marseille"]

    [entry] = await audit_of(team.partner.id)
    assert entry.actor_id == user.id and entry.client_address == "203.0.113.9"
    assert entry.before["description"] == "" and entry.after["phone"] == "+33491000000"
    assert entry.before["categories"] == ["culture"]
    assert entry.after["location"] == {
        "latitude": 43.29748,
        "longitude": 5.37795,
        "source": "geocoded",
    }
    assert entry.before["location"] is None
    assert entry.after["logoId"] == str(logo.id)
    assert entry.after["weeklyHours"] == {"saturday": [["09:00", "12:00"], ["14:00", "18:00"]]}
    assert entry.after["closedOnPublicHolidays"] is True


async def test_only_the_fields_given_change_and_only_they_are_audited(profile_gql, ban):
    team, user = await editor()
    token = await token_for(profile_gql, user)
    variables = {"partnerId": str(team.partner.id)}
    await profile_gql.post(
        UPDATE,
        variables
        | {
            "input": {
                "description": "Cours de guitare.",
                "address": {
                    "street": "12 La Canebière",
                    "postalCode": "13001",
                    "city": "Marseille",
                },
            }
        },
        token=token,
    )
    ban.reset()

    result = await profile_gql.post(
        UPDATE,
        variables | {"input": {"phone": "+33 6 12 34 56 78", "description": "Cours de guitare."}},
        token=token,
    )

    partner = result["data"]["updatePartnerProfile"]["partner"]
    assert partner["phone"] == "+33612345678"
    assert partner["description"] == "Cours de guitare."
    assert partner["location"]["source"] == "GEOCODED"
    assert ban.queries == []  # the address did not change: not located again
    _, second = await audit_of(team.partner.id)
    assert (second.before, second.after) == ({"phone": ""}, {"phone": "+33612345678"})

    await profile_gql.post(
        UPDATE, variables | {"input": {"description": "Cours de guitare."}}, token=token
    )

    assert len(await audit_of(team.partner.id)) == 2  # nothing changed, nothing audited


LONG = "é" * 5001


@pytest.mark.parametrize(
    ("bad", "code", "field"),
    [
        ({"description": LONG}, "INVALID_INPUT", "description"),
        ({"phone": "01 23 45"}, "INVALID_INPUT", "phone"),
        ({"phone": "+44 20 7946 0958"}, "INVALID_INPUT", "phone"),
        ({"contactEmail": "pas-une-adresse"}, "INVALID_INPUT", "contactEmail"),
        ({"website": "ftp://club.fr"}, "INVALID_INPUT", "website"),
        ({"website": "club"}, "INVALID_INPUT", "website"),
        (
            {"address": {"street": "1 Rue des Papes", "postalCode": "84000", "city": "Avignon"}},
            "INVALID_INPUT",
            "postalCode",
        ),
        (
            {"address": {"street": "", "postalCode": "13001", "city": "Marseille"}},
            "INVALID_INPUT",
            "street",
        ),
        (
            {
                "address": {
                    "street": "99 Rue Imaginaire",
                    "postalCode": "13001",
                    "city": "Marseille",
                }
            },
            "ADDRESS_NOT_FOUND",
            "street",
        ),
        (
            {
                "weeklyHours": [
                    {
                        "day": "MONDAY",
                        "ranges": [
                            {"opens": "09:00", "closes": "12:00"},
                            {"opens": "11:00", "closes": "14:00"},
                        ],
                    }
                ]
            },
            "INVALID_INPUT",
            "weeklyHours.monday",
        ),
        (
            {"weeklyHours": [{"day": "FRIDAY", "ranges": [{"opens": "22:00", "closes": "02:00"}]}]},
            "INVALID_INPUT",
            "weeklyHours.friday",
        ),
        (
            {"weeklyHours": [{"day": "MONDAY", "ranges": []}, {"day": "MONDAY", "ranges": []}]},
            "INVALID_INPUT",
            "weeklyHours",
        ),
        ({"accessibilityNotes": "x" * 1001}, "INVALID_INPUT", "accessibilityNotes"),
        ({"categories": []}, "INVALID_INPUT", "categories"),
        ({"logoId": "pas-un-identifiant"}, "INVALID_INPUT", "logoId"),
        ({"logoId": "other partner's logo"}, "INVALID_INPUT", "logoId"),
        ({"bannerId": "own logo as banner"}, "INVALID_INPUT", "bannerId"),
    ],
)
async def test_a_refused_change_leaves_everything_as_it_was(profile_gql, ban, bad, code, field):
    team, user = await editor()
    token = await token_for(profile_gql, user)
    if bad.get("logoId") == "other partner's logo":
        other = await partner_team()
        bad = {"logoId": str((await image_of(other.partner.id, ImagePurpose.LOGO)).id)}
    if bad.get("bannerId") == "own logo as banner":
        bad = {"bannerId": str((await image_of(team.partner.id, ImagePurpose.LOGO)).id)}

    result = await profile_gql.post(
        UPDATE,
        {
            "partnerId": str(team.partner.id),
            # Valid changes sent with the bad one must not be applied either.
            "input": {
                "description": "Nouveau texte",
                "phone": "0491000000",
                "categories": ["SPORT"],
            }
            | bad,
        },
        token=token,
    )

    answer = result["data"]["updatePartnerProfile"]
    assert (answer["__typename"], answer["code"], answer["field"]) == ("UserError", code, field)
    assert answer["message"]
    profile = await PartnerProfile.get_or_none(partner_id=team.partner.id)
    assert profile is None or (profile.description, profile.phone, profile.latitude) == (
        "",
        "",
        None,
    )
    assert (await Partner.get(id=team.partner.id)).categories == ["culture"]
    assert await audit_of(team.partner.id) == []


async def test_when_the_geocoder_is_down_the_pin_waits_at_the_commune_then_a_job_moves_it(
    profile_gql, ban
):
    team, user = await editor()
    token = await token_for(profile_gql, user)
    ban.fail_next(503)  # the request's call; the job's call is answered

    result = await profile_gql.post(
        UPDATE,
        {
            "partnerId": str(team.partner.id),
            "input": {
                "address": {"street": "12 La Canebière", "postalCode": "13001", "city": "Marseille"}
            },
        },
        token=token,
    )

    assert result["data"]["updatePartnerProfile"]["__typename"] == "PartnerProfileSuccess"
    # What the request saved (the job may already have run when the answer is shaped).
    (saved,) = await audit_of(team.partner.id)
    centre = await OfflineGeocoder().geocode("", "13001", "Marseille")
    assert saved.after["location"] == {
        "latitude": round(centre.latitude, 6),
        "longitude": round(centre.longitude, 6),
        "source": "commune_centre",
    }
    await jobs_done()
    profile = await PartnerProfile.get(partner_id=team.partner.id)
    assert (profile.street, profile.latitude, profile.longitude, profile.location_source) == (
        "12 La Canebière",
        43.29748,
        5.37795,
        LocationSource.GEOCODED,
    )


async def test_the_pin_job_leaves_a_pin_the_partner_moved_meanwhile(profile_gql, ban):
    team, _ = await editor()
    await PartnerProfile.filter(partner_id=team.partner.id).delete()
    await PartnerProfile.create(
        partner_id=team.partner.id,
        street="12 La Canebière",
        postal_code="13001",
        city="Marseille",
        latitude=43.3,
        longitude=5.4,
        location_source=LocationSource.MOVED_BY_PARTNER,
    )

    assert await refine_partner_pin(team.partner.id) is False
    profile = await PartnerProfile.get(partner_id=team.partner.id)
    assert (profile.latitude, profile.longitude) == (43.3, 5.4)


async def test_clearing_the_address_removes_the_pin(profile_gql):
    team, user = await editor()
    token = await token_for(profile_gql, user)
    variables = {"partnerId": str(team.partner.id)}
    address = {"street": "12 La Canebière", "postalCode": "13001", "city": "Marseille"}
    await profile_gql.post(UPDATE, variables | {"input": {"address": address}}, token=token)

    result = await profile_gql.post(UPDATE, variables | {"input": {"address": None}}, token=token)

    partner = result["data"]["updatePartnerProfile"]["partner"]
    assert partner["address"] is None and partner["location"] is None


# --- who may edit ----------------------------------------------------------------------------


async def test_only_the_partners_profile_editors_and_support_staff_may_edit(profile_gql):
    team, _ = await editor()
    cashier = await collaborator(
        team, DelegatePermission.TRANSACTIONS, DelegatePermission.OFFERS_AND_POSTS
    )
    _, other_partners_editor = await editor()
    variables = {"partnerId": str(team.partner.id), "input": {"description": "Piraté"}}

    refused = {
        "cashier": await profile_gql.post(
            UPDATE, variables, token=await token_for(profile_gql, cashier)
        ),
        "other partner": await profile_gql.post(
            UPDATE, variables, token=await token_for(profile_gql, other_partners_editor)
        ),
        "young person": await profile_gql.post(
            UPDATE, variables, token=await token_for(profile_gql, await young_person())
        ),
        "finance staff": await profile_gql.post(
            UPDATE,
            variables,
            token=await token_for(profile_gql, await staff_member(StaffRole.FINANCE)),
        ),
        "anonymous": await profile_gql.post(UPDATE, variables),
    }

    assert {who: error_codes(r) for who, r in refused.items()} == {
        "cashier": ["FORBIDDEN"],
        "other partner": ["FORBIDDEN"],
        "young person": ["FORBIDDEN"],
        "finance staff": ["FORBIDDEN"],
        "anonymous": ["UNAUTHENTICATED"],
    }
    assert await audit_of(team.partner.id) == []

    support = await staff_member(StaffRole.SUPPORT)
    allowed = await profile_gql.post(
        UPDATE,
        variables | {"input": {"description": "Corrigé par le Département"}},
        token=await token_for(profile_gql, support),
    )
    assert (
        allowed["data"]["updatePartnerProfile"]["partner"]["description"]
        == "Corrigé par le Département"
    )
    [entry] = await audit_of(team.partner.id)
    assert entry.actor_id == support.id and entry.actor_kind == "staff"


# --- the pin ---------------------------------------------------------------------------------


async def test_the_partner_moves_its_pin_inside_the_departement_only(profile_gql, ban):
    team, user = await editor()
    token = await token_for(profile_gql, user)
    variables = {"partnerId": str(team.partner.id)}
    address = {"street": "12 La Canebière", "postalCode": "13001", "city": "Marseille"}
    await profile_gql.post(UPDATE, variables | {"input": {"address": address}}, token=token)

    moved = await profile_gql.post(
        MOVE_PIN, variables | {"latitude": 43.2961, "longitude": 5.3791}, token=token
    )
    outside = await profile_gql.post(
        MOVE_PIN, variables | {"latitude": 43.1242, "longitude": 5.9280}, token=token
    )  # Toulon, in the Var

    assert moved["data"]["movePartnerPin"]["partner"]["location"] == {
        "latitude": 43.2961,
        "longitude": 5.3791,
        "source": "MOVED_BY_PARTNER",
    }
    assert outside["data"]["movePartnerPin"]["code"] == "INVALID_INPUT"
    assert outside["data"]["movePartnerPin"]["field"] == "location"
    profile = await PartnerProfile.get(partner_id=team.partner.id)
    assert (profile.latitude, profile.longitude, profile.location_source) == (
        43.2961,
        5.3791,
        LocationSource.MOVED_BY_PARTNER,
    )
    [entry] = await audit_of(team.partner.id, "partner.pin_moved")
    assert entry.before == {
        "location": {"latitude": 43.29748, "longitude": 5.37795, "source": "geocoded"}
    }
    assert entry.after == {
        "location": {"latitude": 43.2961, "longitude": 5.3791, "source": "moved_by_partner"}
    }

    # A new address is located again, replacing the moved pin.
    relocated = await profile_gql.post(
        UPDATE,
        variables
        | {
            "input": {
                "address": {"street": "1 Quai du Port", "postalCode": "13002", "city": "Marseille"}
            }
        },
        token=token,
    )

    assert relocated["data"]["updatePartnerProfile"]["partner"]["location"] == {
        "latitude": 43.29593,
        "longitude": 5.36958,
        "source": "GEOCODED",
    }


async def test_moving_another_partners_pin_is_refused(profile_gql):
    team, _ = await editor()
    _, stranger = await editor()

    result = await profile_gql.post(
        MOVE_PIN,
        {"partnerId": str(team.partner.id), "latitude": 43.3, "longitude": 5.4},
        token=await token_for(profile_gql, stranger),
    )

    assert error_codes(result) == ["FORBIDDEN"]


# --- exceptional periods ---------------------------------------------------------------------


async def test_exceptional_periods_are_added_shown_and_removed(profile_gql):
    team, user = await editor()
    token = await token_for(profile_gql, user)
    variables = {"partnerId": str(team.partner.id)}
    today = clock.paris_today()
    await profile_gql.post(UPDATE, variables | {"input": {"weeklyHours": EVERY_DAY}}, token=token)

    closed_today = await profile_gql.post(
        ADD_EXCEPTION,
        variables
        | {
            "startsOn": str(today),
            "endsOn": str(today + timedelta(days=1)),
            "label": "Inventaire",
            "hours": [],
        },
        token=token,
    )
    later = await profile_gql.post(
        ADD_EXCEPTION,
        variables
        | {
            "startsOn": str(today + timedelta(days=20)),
            "endsOn": str(today + timedelta(days=20)),
            "label": "Fête du club",
            "hours": [{"opens": "18:00", "closes": "23:00"}],
        },
        token=token,
    )
    overlapping = await profile_gql.post(
        ADD_EXCEPTION,
        variables
        | {
            "startsOn": str(today + timedelta(days=1)),
            "endsOn": str(today + timedelta(days=3)),
            "label": "Travaux",
        },
        token=token,
    )
    past = await profile_gql.post(
        ADD_EXCEPTION,
        variables
        | {
            "startsOn": str(today - timedelta(days=9)),
            "endsOn": str(today - timedelta(days=8)),
            "label": "Trop tard",
        },
        token=token,
    )

    added = closed_today["data"]["addOpeningException"]
    assert added["openingException"]["label"] == "Inventaire"
    assert added["partner"]["openNow"] is False  # open every day, but not today
    special = later["data"]["addOpeningException"]["openingException"]
    assert special["ranges"] == [{"opens": "18:00", "closes": "23:00"}]
    assert (
        overlapping["data"]["addOpeningException"]["code"],
        overlapping["data"]["addOpeningException"]["field"],
    ) == ("INVALID_INPUT", "startsOn")
    assert past["data"]["addOpeningException"]["field"] == "endsOn"
    public = await profile_gql.post(PUBLIC_PROFILE, {"id": str(team.partner.id)})
    assert [e["label"] for e in public["data"]["partner"]["openingExceptions"]] == [
        "Inventaire",
        "Fête du club",
    ]

    _, stranger = await editor()
    stolen = await profile_gql.post(
        REMOVE_EXCEPTION,
        {"id": added["openingException"]["id"]},
        token=await token_for(profile_gql, stranger),
    )
    removed = await profile_gql.post(
        REMOVE_EXCEPTION, {"id": added["openingException"]["id"]}, token=token
    )

    assert error_codes(stolen) == ["FORBIDDEN"]
    assert removed["data"]["removeOpeningException"]["partner"]["openingExceptions"] == [
        {"id": special["id"]}
    ]
    assert not await OpeningException.exists(id=added["openingException"]["id"])
    assert len(await audit_of(team.partner.id, "partner.opening_exception_added")) == 2
    [gone] = await audit_of(team.partner.id, "partner.opening_exception_removed")
    assert gone.before["label"] == "Inventaire" and gone.after is None


# --- the public profile ------------------------------------------------------------------------


async def test_anyone_reads_the_public_profile(profile_gql):
    team, user = await editor()
    token = await token_for(profile_gql, user)
    await profile_gql.post(
        UPDATE,
        {
            "partnerId": str(team.partner.id),
            "input": {
                "description": "Cinéma d'art et d'essai.",
                "weeklyHours": [
                    {"day": "SUNDAY", "ranges": [{"opens": "10:00", "closes": "12:00"}]}
                ],
            },
        },
        token=token,
    )
    await PartnerProfile.filter(partner_id=team.partner.id).update(followers_count=42)

    public = await profile_gql.post(PUBLIC_PROFILE, {"id": str(team.partner.id)})
    on_the_autumn_change = await profile_gql.post(
        OPENING_STATE, {"id": str(team.partner.id), "at": "2026-10-25T09:30:00+00:00"}
    )
    never_edited = await profile_gql.post(
        PUBLIC_PROFILE, {"id": str((await partner_team()).partner.id)}
    )

    partner = public["data"]["partner"]
    assert partner["description"] == "Cinéma d'art et d'essai."
    assert partner["followersCount"] == 42
    assert on_the_autumn_change["data"]["partner"]["openingState"] == {
        "isOpen": True,
        "nextChangeAt": "2026-10-25T11:00:00+00:00",
    }
    blank = never_edited["data"]["partner"]
    assert blank["description"] == "" and blank["followersCount"] == 0 and blank["openNow"] is False
    assert blank["address"] is None and blank["location"] is None and blank["logo"] is None
    assert len(blank["weeklyHours"]) == 7


async def test_a_list_of_profiles_costs_the_same_for_2_or_12_partners(profile_gql):
    name = unique("Profil")
    for _ in range(12):
        team = await partner_team(name=name)
        await PartnerProfile.create(
            partner_id=team.partner.id,
            description="Un partenaire",
            logo_id=(await image_of(team.partner.id, ImagePurpose.LOGO)).id,
            weekly_hours={"monday": [["09:00", "18:00"]]},
        )
        await OpeningException.create(
            partner_id=team.partner.id,
            starts_on=clock.paris_today(),
            ends_on=clock.paris_today() + timedelta(days=3),
            label="Congés",
        )
    token = await token_for(profile_gql, await staff_member(StaffRole.SUPPORT))
    await profile_gql.post("{ me { id } }", token=token)  # the session, read before counting
    query = f"""query($first: Int!, $search: String!) {{
      partners(first: $first, search: $search) {{ partners {{ {PROFILE_FIELDS} }} }} }}"""

    costs = {}
    for size in (2, 12):
        with counting_queries() as counter:
            result = await profile_gql.post(query, {"first": size, "search": name}, token=token)
        partners = result["data"]["partners"]["partners"]
        assert len(partners) == size and all(p["logo"] and p["openingExceptions"] for p in partners)
        costs[size] = counter.count
    assert costs[2] == costs[12], costs
    # authentication (0 to 1: kept on PostgreSQL), partners, profiles, upcoming periods, images
    assert 4 <= costs[12] <= 5, costs
