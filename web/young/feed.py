"""`/mon-espace/fil`: « Mon fil », the posts of the partners I follow, the département's
highlights and the deals and events newly published by them, newest first (`feed`, age-gated
by the API), `?apres=` for older ones; « J'aime » on a post
(`/mon-espace/fil/publications/<id>/jaime`, POST `action=aimer` or `ne-plus-aimer`: back
to the post, or with htmx the button and its count swapped in place)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from web.graphql import user_error
from web.pages import Visit
from web.young.space import enter

FEED = "/mon-espace/fil"


async def feed(visit: Visit) -> Response:
    after = visit.request.query_params.get("apres") or None
    data = await enter(visit, "young_feed", after=after)
    if isinstance(data, Response):
        return data
    return visit.render(
        "young/feed.html",
        tab="feed",
        me=data["me"],
        items=data["feed"]["items"],
        follows=[f["partner"] for f in data["myFollows"]["partners"]],
        more_follows=data["myFollows"]["nextCursor"] is not None,
        next_cursor=data["feed"]["nextCursor"],
        after=after,
        error=visit.request.query_params.get("erreur"),
    )


async def like(visit: Visit) -> Response:
    """Like or unlike, then back to the post in the page it was on."""
    post_id = visit.request.path_params["id"]
    action = visit.field("action")
    if action not in ("aimer", "ne-plus-aimer"):
        return visit.render("errors/not_found.html", status=404)
    if not visit.signed_in:
        return visit.to_sign_in()
    name, field = ("like_post", "likePost") if action == "aimer" else ("unlike_post", "unlikePost")
    answer = await visit.run(name, postId=post_id)
    after = visit.field("apres")
    back = FEED + (f"?apres={quote(after, safe='')}" if after else "")
    if user_error(answer[field]) is not None:
        separator = "&" if after else "?"
        return visit.redirect(f"{back}{separator}erreur=jaime")
    if visit.is_htmx:  # the button and its count, swapped in place
        return visit.render("young/_like.html", post=answer[field]["post"], after=after)
    return visit.redirect(f"{back}#post-{post_id}")
