"""« Publications » (`/partenaires/publications`): the partner's news feed as its people
manage it. Write a post (text, up to the API's 4 images, a link to one of its deals or
events), list them with their likes, edit, delete. A post hidden by moderation shows why;
reports about posts are the staff's and never shown here. Through `partnerPosts`,
`createPost`, `editPost`, `deletePost` and `uploadImage`; the API checks the
`offers_and_posts` permission again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from web.formatting import paris_today
from web.graphql import user_error
from web.pages import Visit, Web
from web.partners.space import PartnerSpace, enter
from web.partners.uploads import image_hint, upload_images

OFFERS_AND_POSTS = "OFFERS_AND_POSTS"
BASE = "/partenaires/publications"
MAX_IMAGES = 4
NEW_IMAGES = tuple(f"nouvelle-image-{n}" for n in range(1, MAX_IMAGES + 1))
PAGE_SIZE = 20
SEARCHED_PAGES = 10  # a post to edit is looked for in the newest 10 x 50
DONE_MESSAGES = {
    "publiee": "Publication en ligne : vos abonnés la voient dans leur fil.",
    "modifiee": "Publication modifiée.",
    "supprimee": "Publication supprimée.",
}


async def _entered(visit: Visit, after: str | None = None, first: int = PAGE_SIZE) -> Any:
    entered = await enter(visit, "partner_posts_page", with_partner=True, after=after, first=first)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    if not space.may(OFFERS_AND_POSTS):
        return visit.render("errors/forbidden.html", status=403)
    return space, data


def _linkable(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The partner's deals and events on show, that a post may point to."""
    today = paris_today()
    return [
        o
        for o in data["partnerOffers"]["offers"]
        if o["published"]
        and not o["withdrawnAt"]
        and date.fromisoformat(o["published"]["validUntil"]) >= today
    ]


def _render(
    visit: Visit,
    space: PartnerSpace,
    data: dict[str, Any],
    *,
    template: str = "partners/posts.html",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    **more: Any,
) -> Response:
    errors = errors or {}
    return visit.render(
        template,
        status=status,
        space=space,
        tab="posts",
        posts=data["partnerPosts"]["posts"],
        next_cursor=data["partnerPosts"]["nextCursor"],
        offers=_linkable(data),
        values=values or {"texte": "", "offre": "", "images": []},
        errors=errors,
        error_labels={name: name for name in errors},
        new_images=NEW_IMAGES,
        image_hint=image_hint(visit, "POST"),
        done=DONE_MESSAGES.get(visit.request.query_params.get("fait", "")),
        **more,
    )


def _values(visit: Visit) -> dict[str, Any]:
    kept = [v for v in visit.form.getlist("image") if isinstance(v, str) and v]
    return {
        "texte": visit.raw_field("texte").strip(),
        "offre": visit.field("offre"),
        "images": [{"id": i, "url": visit.field(f"image-url-{i}")} for i in dict.fromkeys(kept)],
    }


async def _with_uploads(
    visit: Visit, space: PartnerSpace, values: dict[str, Any], errors: dict[str, str]
) -> None:
    free = NEW_IMAGES[: max(0, MAX_IMAGES - len(values["images"]))]
    uploaded = await upload_images(visit, space.partner_id, "POST", list(free))
    values["images"] += [{"id": i, "url": uploaded.urls[i]} for i in uploaded.ids.values()]
    if uploaded.errors:
        errors["images"] = " ".join(uploaded.errors.values())
    if any(visit.upload(name) for name in NEW_IMAGES[len(free) :]):
        errors["images"] = f"Au plus {MAX_IMAGES} images par publication."


def _field(name: str | None) -> str:
    return {"body": "texte", "imageIds": "images", "offerId": "offre"}.get(name or "", "texte")


async def posts_page(visit: Visit) -> Response:
    after = visit.request.query_params.get("apres") or None
    entered = await _entered(visit, after)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    if visit.request.method == "GET":
        return _render(visit, space, data)
    values = _values(visit)
    errors: dict[str, str] = {}
    await _with_uploads(visit, space, values, errors)
    if errors:
        return _render(visit, space, data, values=values, errors=errors, status=422)
    post_input: dict[str, Any] = {
        "body": values["texte"],
        "imageIds": [image["id"] for image in values["images"]],
    }
    if values["offre"]:
        post_input["offerId"] = values["offre"]
    answer = (await visit.run("create_post", partnerId=space.partner_id, input=post_input))[
        "createPost"
    ]
    error = user_error(answer)
    if error is not None:
        errors[_field(error.field)] = error.message
        return _render(visit, space, data, values=values, errors=errors, status=422)
    return visit.redirect(f"{BASE}?fait=publiee")


async def _find_post(visit: Visit) -> Any:
    """The space, the page's data and the post of the URL, if it is the acting partner's."""
    post_id = visit.request.path_params["id"]
    after = None
    for _ in range(SEARCHED_PAGES):
        entered = await _entered(visit, after, first=50)
        if isinstance(entered, Response):
            return entered
        space, data = entered
        found = next((p for p in data["partnerPosts"]["posts"] if p["id"] == post_id), None)
        if found is not None:
            return space, data, found
        after = data["partnerPosts"]["nextCursor"]
        if after is None:
            break
    return visit.render("errors/not_found.html", status=404)


async def edit_post(visit: Visit) -> Response:
    found = await _find_post(visit)
    if isinstance(found, Response):
        return found
    space, data, post = found
    if visit.request.method == "GET":
        values = {
            "texte": post["body"],
            "offre": (post.get("offer") or {}).get("id", ""),
            "images": [{"id": i["id"], "url": i["url"]} for i in post["images"]],
        }
        return _render(
            visit, space, data, template="partners/post_edit.html", values=values, post=post
        )
    values = _values(visit)
    errors: dict[str, str] = {}
    await _with_uploads(visit, space, values, errors)
    if not errors:
        changes = {
            "body": values["texte"],
            "imageIds": [image["id"] for image in values["images"]],
        }
        answer = (await visit.run("edit_post", id=post["id"], changes=changes))["editPost"]
        error = user_error(answer)
        if error is None:
            return visit.redirect(f"{BASE}?fait=modifiee#post-{post['id']}")
        errors[_field(error.field)] = error.message
    return _render(
        visit,
        space,
        data,
        template="partners/post_edit.html",
        values=values,
        errors=errors,
        status=422,
        post=post,
    )


async def delete_post(visit: Visit) -> Response:
    found = await _find_post(visit)
    if isinstance(found, Response):
        return found
    space, data, post = found
    if visit.request.method == "GET":
        return _render(visit, space, data, template="partners/post_delete.html", post=post)
    answer = (await visit.run("delete_post", id=post["id"]))["deletePost"]
    error = user_error(answer)
    if error is not None:
        return _render(
            visit,
            space,
            data,
            template="partners/post_delete.html",
            post=post,
            errors={"general": error.message},
            status=422,
        )
    return visit.redirect(f"{BASE}?fait=supprimee")


def post_routes(web: Web) -> list[Route]:
    both = ["GET", "POST"]
    return [
        Route(BASE, web.page(posts_page), methods=both),
        Route(f"{BASE}/{{id}}/modifier", web.page(edit_post), methods=both),
        Route(f"{BASE}/{{id}}/suppression", web.page(delete_post), methods=both),
    ]
