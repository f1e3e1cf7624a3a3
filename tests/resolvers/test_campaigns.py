"""Campaigns through the API: validation in French, the audience per channel, the preview,
the test to oneself, sending and following the progress, pause and cancel."""

from __future__ import annotations

from domain.consent.marketing import set_marketing_opt_in
from models.accounts import StaffRole
from models.notifications import ConsentSource
from tests.factories import partner_team, staff_member, token_for
from tests.push.test_campaigns import follower
from tests.support import jobs_done

CREATE = """
mutation($input: CampaignInput!) {
  createCampaign(input: $input) {
    __typename
    ... on CampaignSuccess { campaign { id status channels segment { partnerIds } } }
    ... on UserError { code message field }
  }
}
"""
AUDIENCE = """
query($segment: CampaignSegmentInput) {
  campaignAudience(segment: $segment) {
    __typename
    ... on CampaignAudience { email push inApp }
    ... on UserError { code message field }
  }
}
"""
SEND = """
mutation($id: ID!, $at: DateTime) {
  sendCampaign(id: $id, at: $at) {
    __typename
    ... on CampaignSuccess { campaign { status scheduledAt } }
    ... on UserError { code message field }
  }
}
"""
PROGRESS = """
query($id: ID!) {
  campaign(id: $id) {
    status
    progress { targeted sent failed skipped remaining unsubscribes
               channels { channel targeted sent remaining } }
  }
}
"""


def campaign_input(partner_id: str, **changes) -> dict:
    values = {
        "name": "Rentrée",
        "channels": ["EMAIL", "IN_APP"],
        "subject": "Tes bons plans",
        "title": "C'est la rentrée",
        "body": "Des bons plans près de chez toi.",
        "segment": {"partnerIds": [partner_id]},
    }
    values.update(changes)
    return values


async def test_a_campaign_is_refused_with_a_french_reason_when_it_cannot_be_right(gql):
    token = await token_for(gql, await staff_member(StaffRole.MARKETING))
    partner_id = str((await partner_team()).partner.id)
    as_marketing = gql.as_(token)
    cases = [
        ({"channels": []}, "channels", "au moins un canal"),
        ({"body": "x" * 1001}, "body", "1000 caractères au plus"),
        ({"segment": {"minAge": 20, "maxAge": 16}}, "segment.maxAge", "au moins l'âge minimum"),
        ({"segment": {"minAge": 8}}, "segment.minAge", "entre 11 et 25 ans"),
        (
            {"segment": {"partnerIds": ["00000000-0000-0000-0000-000000000000"]}},
            "segment.partnerIds",
            "n'existe pas",
        ),
        (
            {"segment": {"maxAge": 16, "themes": ["TOURISME"]}},
            "segment.maxAge",
            "réservés aux 18–25 ans",
        ),
        ({"offerIds": ["00000000-0000-0000-0000-000000000000"]}, "offerIds", "n'existe pas"),
        ({"segment": {"schools": ["  "]}}, "segment.schools", "Nom d'établissement vide"),
    ]
    for changes, field, words in cases:
        result = await as_marketing.post(CREATE, {"input": campaign_input(partner_id, **changes)})
        answer = result["data"]["createCampaign"]
        assert answer["__typename"] == "UserError", changes
        assert answer["code"] == "INVALID_INPUT" and answer["field"] == field, answer
        assert words in answer["message"], answer

    created = await as_marketing.post(CREATE, {"input": campaign_input(partner_id)})
    campaign_id = created["data"]["createCampaign"]["campaign"]["id"]
    past = await as_marketing.post(SEND, {"id": campaign_id, "at": "2020-01-01T09:00:00+01:00"})
    assert past["data"]["sendCampaign"]["field"] == "at"
    later = await as_marketing.post(SEND, {"id": campaign_id, "at": "2099-01-01T09:00:00+01:00"})
    assert later["data"]["sendCampaign"]["campaign"]["status"] == "SCHEDULED"


async def test_the_team_counts_previews_tries_sends_and_follows_a_campaign(gql, mailbox):
    staff = await staff_member(StaffRole.MARKETING)
    as_marketing = gql.as_(await token_for(gql, staff))
    partner = (await partner_team()).partner
    people = [await follower(partner, age, device=False) for age in (16, 19)]
    await follower(partner, 13)  # under 15 without a parent's consent: never counted
    segment = {"partnerIds": [str(partner.id)]}

    audience = await as_marketing.post(AUDIENCE, {"segment": segment})
    assert audience["data"]["campaignAudience"] == {
        "__typename": "CampaignAudience",
        "email": 2,
        "push": 0,
        "inApp": 2,
    }

    created = await as_marketing.post(CREATE, {"input": campaign_input(str(partner.id))})
    campaign_id = created["data"]["createCampaign"]["campaign"]["id"]
    preview = await as_marketing.post(
        "query($id: ID!) { campaignPreview(id: $id) { ... on CampaignPreview "
        "{ subject html text pushTitle pushData { key value } } } }",
        {"id": campaign_id},
    )
    shown = preview["data"]["campaignPreview"]
    assert shown["subject"] == "Tes bons plans"
    assert "Se désabonner" in shown["html"] and "desabonnement?jeton=" in shown["text"]
    assert {"key": "campaignId", "value": campaign_id} in shown["pushData"]

    tried = await as_marketing.post(
        "mutation($id: ID!) { sendTestCampaign(id: $id) { ... on CampaignTestSent { email } } }",
        {"id": campaign_id},
    )
    assert tried["data"]["sendTestCampaign"]["email"] == staff.email
    test_email = await mailbox.wait_for(staff.email, "Tes bons plans")
    assert test_email["X-CJeune-Test"] == "1"

    sent = await as_marketing.post(SEND, {"id": campaign_id})
    assert sent["data"]["sendCampaign"]["campaign"]["status"] == "SENDING"
    await jobs_done()
    for _ in range(100):  # batch jobs kick one another in-process
        await jobs_done()
        figures = (await as_marketing.post(PROGRESS, {"id": campaign_id}))["data"]["campaign"]
        if figures["status"] == "COMPLETED":
            break
    assert figures["status"] == "COMPLETED"
    await set_marketing_opt_in(people[0].id, "email", False, ConsentSource.UNSUBSCRIBE_LINK)
    figures = (await as_marketing.post(PROGRESS, {"id": campaign_id}))["data"]["campaign"]
    assert figures["progress"] == {
        "targeted": 4,
        "sent": 4,
        "failed": 0,
        "skipped": 0,
        "remaining": 0,
        "unsubscribes": 0,  # this opt-out did not come through the campaign's link
        "channels": [
            {"channel": "EMAIL", "targeted": 2, "sent": 2, "remaining": 0},
            {"channel": "IN_APP", "targeted": 2, "sent": 2, "remaining": 0},
        ],
    }
    for person in people:
        await mailbox.wait_for(person.email, "Tes bons plans")

    paused = await as_marketing.post(
        "mutation($id: ID!) { pauseCampaign(id: $id) { ... on UserError { code message } } }",
        {"id": campaign_id},
    )
    assert paused["data"]["pauseCampaign"] == {
        "code": "INVALID_STATE",
        "message": "Impossible de la mettre en pause : la campagne est terminée.",
    }


async def test_young_people_choose_their_themes_and_18_25_themes_wait_for_18(gql):
    teen = await follower((await partner_team()).partner, 16)
    as_teen = gql.as_(await token_for(gql, teen))
    choose = (
        "mutation($t: [OfferTheme!]!) { setMyThemesOfInterest(themes: $t) { __typename "
        "... on ThemesOfInterest { themes } ... on UserError { code field } } }"
    )

    refused = await as_teen.post(choose, {"t": ["SPORT", "TOURISME"]})
    assert refused["data"]["setMyThemesOfInterest"]["code"] == "INVALID_INPUT"
    chosen = await as_teen.post(choose, {"t": ["CULTURE", "SPORT"]})
    assert chosen["data"]["setMyThemesOfInterest"]["themes"] == ["SPORT", "CULTURE"]
    mine = await as_teen.post("{ myThemesOfInterest }")
    assert mine["data"]["myThemesOfInterest"] == ["SPORT", "CULTURE"]
