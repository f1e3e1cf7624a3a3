"""Posts, likes, follows, reports and the feed, through GraphQL as the apps use them."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from domain.core import clock
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.notifications import Notification
from models.offers import Offer
from models.partners import DelegatePermission
from models.social import Highlight, Image, ImagePurpose, PartnerProfile, Post, PostStatus
from tests.domain.offers.test_visibility import offer as published_offer
from tests.factories import collaborator, partner_team, staff_member, token_for, young_person
from tests.resolvers.test_dataloaders import counting_queries

CREATE = """
mutation($p: ID!, $input: PostInput!) {
  createPost(partnerId: $p, input: $input) {
    __typename ... on PostSuccess { post { id body likeCount images { url } } }
    ... on UserError { code field message }
  }
}
"""
EDIT = """
mutation($id: ID!, $changes: PostChanges!) {
  editPost(id: $id, changes: $changes) {
    __typename ... on PostSuccess { post { body editedAt } } ... on UserError { code message }
  }
}
"""
FOLLOW = """mutation($p: ID!) { follow(partnerId: $p) {
  __typename ... on FollowSuccess { following } ... on UserError { code } } }"""
UNFOLLOW = """mutation($p: ID!) { unfollow(partnerId: $p) {
  __typename ... on FollowSuccess { following } ... on UserError { code } } }"""
LIKE = """mutation($id: ID!) { likePost(postId: $id) {
  __typename ... on PostSuccess { post { likeCount likedByMe } } ... on UserError { code } } }"""
UNLIKE = """mutation($id: ID!) { unlikePost(postId: $id) {
  __typename ... on PostSuccess { post { likeCount likedByMe } } } }"""
FEED = """
query($first: Int!, $after: String) {
  feed(first: $first, after: $after) {
    nextCursor
    items {
      __typename
      ... on FeedPost { post { id body likeCount likedByMe images { url(size: MEDIUM) }
                               partner { id tradeName logo { url } }
                               offer { id published { title } } } }
      ... on FeedHighlight { highlight { id title } }
      ... on FeedOffer { offer { id published { title } partner { tradeName } } }
    }
  }
}
"""
REPORT = """mutation($id: ID!, $reason: ReportReason!, $text: String!) {
  reportPost(postId: $id, reason: $reason, text: $text) {
    __typename ... on UserError { code field } } }"""
HIDE = """mutation($id: ID!, $reason: String!) { hidePost(postId: $id, reason: $reason) {
  __typename ... on PostSuccess { post { status hiddenReason } } ... on UserError { code } } }"""
PARTNER_POSTS = """query($p: ID!) { partnerPosts(partnerId: $p) {
  posts { body status hiddenReason } } }"""


async def _post(gql, team, body: str = "Séance à 4 € ce mercredi !", token=None) -> str:
    token = token or await token_for(gql, team.principal)
    answer = await gql.post(
        CREATE, {"p": str(team.partner.id), "input": {"body": body}}, token=token
    )
    return answer["data"]["createPost"]["post"]["id"]


async def _image(team, purpose: ImagePurpose = ImagePurpose.POST) -> Image:
    return await Image.create(
        partner_id=team.partner.id,
        purpose=purpose,
        width=800,
        height=600,
        variants={"medium": f"images/aa/{team.partner.id}-medium.webp"},
    )


async def test_a_publisher_posts_with_images_and_the_audit_trail_records_it(gql):
    team = await partner_team()
    publisher = await collaborator(team, DelegatePermission.OFFERS_AND_POSTS)
    first, second = await _image(team), await _image(team)

    answer = await gql.post(
        CREATE,
        {
            "p": str(team.partner.id),
            "input": {"body": "  Stage de voile  ", "imageIds": [str(first.id), str(second.id)]},
        },
        token=await token_for(gql, publisher),
    )

    post = answer["data"]["createPost"]["post"]
    assert post["body"] == "Stage de voile" and post["likeCount"] == 0
    assert [i["url"].rsplit("/", 1)[-1] for i in post["images"]] == [
        f"{team.partner.id}-medium.webp"
    ] * 2
    entry = await AuditEntry.get(action="post.created", object_id=post["id"])
    assert entry.actor_id == publisher.id and entry.partner_id == team.partner.id


async def test_bad_posts_are_refused_in_french_and_nothing_is_created(gql):
    team, other = await partner_team(), await partner_team(name="Autre")
    token = await token_for(gql, team.principal)
    foreign = await _image(other)
    logo = await _image(team, ImagePurpose.LOGO)
    cases = [
        ({"body": "   "}, "body"),
        ({"body": "x" * 2001}, "body"),
        ({"body": "Photos", "imageIds": [str(foreign.id)]}, "imageIds"),
        ({"body": "Logo", "imageIds": [str(logo.id)]}, "imageIds"),
        (
            {"body": "Trop", "imageIds": [str((await _image(team)).id) for _ in range(5)]},
            "imageIds",
        ),
    ]
    for payload, field in cases:
        answer = await gql.post(CREATE, {"p": str(team.partner.id), "input": payload}, token=token)
        error = answer["data"]["createPost"]
        assert (error["code"], error["field"]) == ("INVALID_INPUT", field), payload
    assert await Post.filter(partner_id=team.partner.id).count() == 0


async def test_only_the_partners_publishers_post_edit_and_delete(gql):
    team, other = await partner_team(), await partner_team(name="Rival")
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    post_id = await _post(gql, team)

    by_cashier = await gql.post(
        CREATE,
        {"p": str(team.partner.id), "input": {"body": "x"}},
        token=await token_for(gql, cashier),
    )
    rival = await token_for(gql, other.principal)
    edit_by_rival = await gql.post(
        EDIT, {"id": post_id, "changes": {"body": "pirate"}}, token=rival
    )
    delete_by_rival = await gql.post(
        "mutation($id: ID!) { deletePost(id: $id) { __typename } }", {"id": post_id}, token=rival
    )

    assert by_cashier["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert edit_by_rival["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert delete_by_rival["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await Post.get(id=post_id)).body == "Séance à 4 € ce mercredi !"

    edited = await gql.post(
        EDIT,
        {"id": post_id, "changes": {"body": "Séance à 3 €"}},
        token=await token_for(gql, team.principal),
    )
    assert edited["data"]["editPost"]["post"]["body"] == "Séance à 3 €"
    assert edited["data"]["editPost"]["post"]["editedAt"] is not None


async def test_follows_count_but_never_say_who(gql):
    team = await partner_team()
    fans = [await young_person() for _ in range(3)]
    for fan in fans:
        token = await token_for(gql, fan)
        await gql.post(FOLLOW, {"p": str(team.partner.id)}, token=token)
        await gql.post(FOLLOW, {"p": str(team.partner.id)}, token=token)  # twice counts once
    await gql.post(UNFOLLOW, {"p": str(team.partner.id)}, token=await token_for(gql, fans[0]))

    assert (await PartnerProfile.get(partner_id=team.partner.id)).followers_count == 2
    mine = await gql.post(
        "{ myFollows { partners { partner { id } } } }", token=await token_for(gql, fans[1])
    )
    assert mine["data"]["myFollows"]["partners"] == [{"partner": {"id": str(team.partner.id)}}]
    by_partner = await gql.post(
        "{ myFollows { partners { partner { id } } } }", token=await token_for(gql, team.principal)
    )
    assert by_partner["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_likes_count_once_and_say_whether_i_liked(gql):
    team = await partner_team()
    post_id = await _post(gql, team)
    me, other = await young_person(), await young_person()
    mine, theirs = await token_for(gql, me), await token_for(gql, other)

    await gql.post(LIKE, {"id": post_id}, token=mine)
    await gql.post(LIKE, {"id": post_id}, token=mine)
    liked = await gql.post(LIKE, {"id": post_id}, token=theirs)
    unliked = await gql.post(UNLIKE, {"id": post_id}, token=theirs)

    assert liked["data"]["likePost"]["post"] == {"likeCount": 2, "likedByMe": True}
    assert unliked["data"]["unlikePost"]["post"] == {"likeCount": 1, "likedByMe": False}


async def test_my_feed_mixes_followed_partners_and_highlights_newest_first(gql):
    followed, ignored = await partner_team(name="Suivi"), await partner_team(name="Ignoré")
    me = await young_person()
    token = await token_for(gql, me)
    await gql.post(FOLLOW, {"p": str(followed.partner.id)}, token=token)
    older = await _post(gql, followed, "Ancien")
    await asyncio.sleep(0.01)
    await _post(gql, ignored, "Pas pour moi")
    news = await Highlight.create(
        title=f"Rentrée {older}", body="La carte arrive", published_at=clock.now()
    )
    await asyncio.sleep(0.01)
    newer = await _post(gql, followed, "Récent")

    page = (await gql.post(FEED, {"first": 50}, token=token))["data"]["feed"]

    kinds = [
        item["post"]["id"] if item["__typename"] == "FeedPost" else item["highlight"]["id"]
        for item in page["items"]
    ]
    assert kinds.index(newer) < kinds.index(str(news.id)) < kinds.index(older)
    bodies = {i["post"]["body"] for i in page["items"] if i["__typename"] == "FeedPost"}
    assert "Pas pour moi" not in bodies
    first_post = next(i for i in page["items"] if i["__typename"] == "FeedPost")
    assert first_post["post"]["partner"]["tradeName"] == followed.partner.trade_name


async def test_feed_pages_are_stable_when_new_posts_arrive(gql):
    team = await partner_team()
    me = await young_person()
    token = await token_for(gql, me)
    await gql.post(FOLLOW, {"p": str(team.partner.id)}, token=token)
    ids = []
    for n in range(5):
        ids.append(await _post(gql, team, f"Post {n}"))
        await asyncio.sleep(0.005)

    first = (await gql.post(FEED, {"first": 2}, token=token))["data"]["feed"]
    await _post(gql, team, "Arrivé pendant que je lis")
    second = (await gql.post(FEED, {"first": 2, "after": first["nextCursor"]}, token=token))[
        "data"
    ]["feed"]
    third = (await gql.post(FEED, {"first": 2, "after": second["nextCursor"]}, token=token))[
        "data"
    ]["feed"]

    pages = [first, second, third]
    while pages[-1]["nextCursor"]:  # the département's news may follow the posts
        after = pages[-1]["nextCursor"]
        page = await gql.post(FEED, {"first": 50, "after": after}, token=token)
        pages.append(page["data"]["feed"])
    seen = [i["post"]["id"] for page in pages for i in page["items"] if "post" in i]
    assert seen == list(reversed(ids))  # each once, in order; the newcomer not slipped in


async def test_a_feed_page_costs_the_same_queries_for_12_or_30_items(gql):
    me = await young_person()
    token = await token_for(gql, me)
    teams = [await partner_team(name="Flux") for _ in range(3)]
    for team in teams:
        await gql.post(FOLLOW, {"p": str(team.partner.id)}, token=token)
        image = await _image(team)
        publisher = await token_for(gql, team.principal)
        for n in range(10):
            post_id = await _post(gql, team, f"{team.partner.trade_name} {n}", token=publisher)
            if n % 2:
                await gql.post(
                    EDIT, {"id": post_id, "changes": {"imageIds": [str(image.id)]}}, token=publisher
                )
        await gql.post(LIKE, {"id": post_id}, token=token)
        for _ in range(3):
            today = clock.paris_today()
            published = await published_offer(
                team.partner.id, valid_from=today, valid_until=today + timedelta(days=7)
            )
            await Offer.filter(id=published.id).update(first_published_at=clock.now())
        # Posts that point to a deal: the deal comes with the post, batched too.
        await Post.filter(partner_id=team.partner.id).update(
            offer_kind="deal", offer_id=published.id
        )

    with counting_queries() as small:
        few = await gql.post(FEED, {"first": 12}, token=token)
    with counting_queries() as large:
        many = await gql.post(FEED, {"first": 30}, token=token)

    assert len(few["data"]["feed"]["items"]) == 12
    assert len(many["data"]["feed"]["items"]) >= 30
    for page in (few, many):  # both pages hold posts and deals: every loader runs in both
        kinds = {item["__typename"] for item in page["data"]["feed"]["items"]}
        assert {"FeedPost", "FeedOffer"} <= kinds
        pointed = [i["post"]["offer"] for i in page["data"]["feed"]["items"] if "post" in i]
        assert pointed and all(o and o["published"]["title"] for o in pointed)
    assert small.count == large.count


class _Statements(logging.Handler):
    """The statements sent, but the session's read (kept by the viewer cache on
    PostgreSQL, read at every request on SQLite)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sent: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lstrip()
        if message.upper().startswith("SELECT") and "auth_sessions" not in message:
            self.sent.append(message)


APP_FEED = """
query($first: Int!) {
  feed(first: $first) {
    items {
      __typename
      ... on FeedPost { post { id likedByMe images { url(size: MEDIUM) }
                               partner { id tradeName logo { url(size: SMALL) } } } }
      ... on FeedHighlight { highlight { id title } }
    }
  }
}
"""


async def test_a_feed_page_is_one_statement_with_likes_images_partners_and_logos(gql):
    """The posts, with what their items show (liked, images, partner, profile, logo), the
    highlights and the deals come in one statement."""
    me = await young_person()
    token = await token_for(gql, me)
    teams = [await partner_team(name="Trois") for _ in range(2)]
    logos, pictures, liked = {}, {}, set()
    for team in teams:
        await gql.post(FOLLOW, {"p": str(team.partner.id)}, token=token)
        logo = await _image(team, ImagePurpose.LOGO)
        await PartnerProfile.filter(partner_id=team.partner.id).update(logo_id=logo.id)
        logos[str(team.partner.id)] = logo.variants["medium"]
        publisher = await token_for(gql, team.principal)
        for n in range(3):
            post_id = await _post(gql, team, f"{team.partner.trade_name} {n}", token=publisher)
            if n == 1:
                images = [await _image(team) for _ in range(2)]
                await gql.post(
                    EDIT,
                    {"id": post_id, "changes": {"imageIds": [str(i.id) for i in images]}},
                    token=publisher,
                )
                pictures[post_id] = [i.variants["medium"] for i in images]
        await gql.post(LIKE, {"id": post_id}, token=token)
        liked.add(post_id)
    await Highlight.create(title="Rentrée", body="…", published_at=clock.now())
    await gql.post(APP_FEED, {"first": 20}, token=token)  # the session read once

    statements, logger = _Statements(), logging.getLogger("tortoise.db_client")
    level = logger.level
    logger.addHandler(statements)
    logger.setLevel(logging.DEBUG)
    try:
        page = await gql.post(APP_FEED, {"first": 20}, token=token)
    finally:
        logger.removeHandler(statements)
        logger.setLevel(level)

    posts = [i["post"] for i in page["data"]["feed"]["items"] if i["__typename"] == "FeedPost"]
    assert len(posts) == 6
    assert {p["id"] for p in posts if p["likedByMe"]} == liked
    for post in posts:
        urls = [image["url"] for image in post["images"]]
        assert [url.rsplit("/", 1)[-1] for url in urls] == [
            key.rsplit("/", 1)[-1] for key in pictures.get(post["id"], [])
        ]
        logo = post["partner"]["logo"]["url"]
        assert logo.endswith(logos[post["partner"]["id"]].rsplit("/", 1)[-1])
    assert len(statements.sent) == 1, statements.sent


async def test_a_report_reaches_moderation_which_hides_the_post_and_tells_the_partner(gql):
    team = await partner_team()
    post_id = await _post(gql, team)
    reporter = await young_person()
    moderator = await staff_member(StaffRole.MODERATION)
    mod_token = await token_for(gql, moderator)

    vague = await gql.post(
        REPORT, {"id": post_id, "reason": "OTHER", "text": ""}, token=await token_for(gql, reporter)
    )
    sent = await gql.post(
        REPORT,
        {"id": post_id, "reason": "MISLEADING", "text": "Le prix est faux"},
        token=await token_for(gql, reporter),
    )
    queue = await gql.post("{ postReports { reason text post { id } } }", token=mod_token)
    hidden = await gql.post(HIDE, {"id": post_id, "reason": "Prix trompeur"}, token=mod_token)

    assert vague["data"]["reportPost"] == {
        "__typename": "UserError",
        "code": "INVALID_INPUT",
        "field": "text",
    }
    assert sent["data"]["reportPost"]["__typename"] == "ReportSuccess"
    assert {"reason": "MISLEADING", "text": "Le prix est faux", "post": {"id": post_id}} in queue[
        "data"
    ]["postReports"]
    assert hidden["data"]["hidePost"]["post"] == {
        "status": "HIDDEN",
        "hiddenReason": "Prix trompeur",
    }
    told = await Notification.get(user_id=team.principal.id, kind="post_hidden")
    assert "Prix trompeur" in told.body
    public = await gql.post(PARTNER_POSTS, {"p": str(team.partner.id)})
    inside = await gql.post(
        PARTNER_POSTS, {"p": str(team.partner.id)}, token=await token_for(gql, team.principal)
    )
    assert public["data"]["partnerPosts"]["posts"] == []
    assert inside["data"]["partnerPosts"]["posts"][0]["hiddenReason"] == "Prix trompeur"


async def test_hidden_and_deleted_posts_leave_the_feed(gql):
    team = await partner_team()
    me = await young_person()
    token = await token_for(gql, me)
    await gql.post(FOLLOW, {"p": str(team.partner.id)}, token=token)
    hidden = await _post(gql, team, "caché")
    deleted = await _post(gql, team, "supprimé")
    kept = await _post(gql, team, "gardé")
    await Post.filter(id=hidden).update(status=PostStatus.HIDDEN, hidden_reason="motif")
    await gql.post(
        "mutation($id: ID!) { deletePost(id: $id) { __typename } }",
        {"id": deleted},
        token=await token_for(gql, team.principal),
    )

    page = (await gql.post(FEED, {"first": 50}, token=token))["data"]["feed"]
    ids = {i["post"]["id"] for i in page["items"] if i["__typename"] == "FeedPost"}
    assert kept in ids and hidden not in ids and deleted not in ids


async def test_a_highlight_scheduled_for_later_is_not_in_the_feed_yet(gql):
    me = await young_person()
    later = await Highlight.create(
        title="Bientôt", body="…", published_at=clock.now() + timedelta(days=1)
    )
    page = (await gql.post(FEED, {"first": 50}, token=await token_for(gql, me)))["data"]["feed"]
    assert str(later.id) not in {
        i["highlight"]["id"] for i in page["items"] if i["__typename"] == "FeedHighlight"
    }


def test_no_field_tells_who_follows_or_likes(settings):
    """Minors' privacy: partners and staff get counts; the lists exist only as `my…` fields."""
    from schema import build_schema

    schema = build_schema(settings)._schema
    post_fields = set(schema.get_type("Post").fields)
    partner_fields = set(schema.get_type("Partner").fields)
    assert "likeCount" in post_fields
    assert not {"followers", "likers", "likedBy", "likes"} & post_fields
    assert not {"followers", "fans", "subscribers"} & partner_fields


async def test_the_public_profile_shows_the_partners_posts(gql):
    team = await partner_team()
    await _post(gql, team, "Premier")
    await _post(gql, team, "Second")

    profile = await gql.post(
        "query($id: ID!) { partner(id: $id) { followersCount posts(first: 1) { posts { body } "
        "nextCursor } } }",
        {"id": str(team.partner.id)},
    )

    page = profile["data"]["partner"]["posts"]
    assert page["posts"] == [{"body": "Second"}] and page["nextCursor"]
    assert profile["data"]["partner"]["followersCount"] == 0


async def test_my_follows_page_newest_first(gql):
    me = await young_person()
    token = await token_for(gql, me)
    teams = [await partner_team(name="Suivi") for _ in range(3)]
    for team in teams:
        await gql.post(FOLLOW, {"p": str(team.partner.id)}, token=token)
    query = """query($after: String) { myFollows(first: 2, after: $after) {
      partners { partner { id } } nextCursor } }"""

    first = (await gql.post(query, {}, token=token))["data"]["myFollows"]
    rest = (await gql.post(query, {"after": first["nextCursor"]}, token=token))["data"]["myFollows"]

    seen = [p["partner"]["id"] for page in (first, rest) for p in page["partners"]]
    assert seen == [str(t.partner.id) for t in reversed(teams)]
    assert rest["nextCursor"] is None
