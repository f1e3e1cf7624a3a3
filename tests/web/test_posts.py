"""« Publications »: write a post with an image and a deal it points to, its likes shown,
edit it, delete it; errors next to their field; who may see the page and another partner's
post refused by URL. Reports about posts stay the staff's: never on this page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from domain.social.likes import like_post
from infra.geocoding import OfflineGeocoder, use_geocoder
from models.partners import DelegatePermission
from models.social import Post, PostStatus
from tests.factories import collaborator, partner_team, young_person
from tests.web.content_support import picture, post_with_files
from tests.web.support import Browser, text_of

POSTS = "/partenaires/publications"


@pytest.fixture(scope="module", autouse=True)
def offline_geocoder() -> Iterator[None]:
    previous = use_geocoder(OfflineGeocoder())
    yield
    use_geocoder(previous)


def error_of(page, field_id: str) -> str:
    found = re.search(rf'id="{field_id}-erreur"[^>]*>(.*?)</p>', page.text, re.S)
    assert found, f"no error for {field_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


async def test_a_post_with_an_image_and_a_deal_its_likes_edit_and_delete(browser: Browser):
    from tests.resolvers.test_bon_plan_uses import published_deal

    team = await partner_team()
    deal = await published_deal(team, title="Une place offerte")
    await browser.sign_in(team.principal.email)
    page = await browser.get(POSTS)
    assert 'id="no-post"' in page.text and "Une place offerte" in page.text  # to point to

    published = await post_with_files(
        browser,
        POSTS,
        {"texte": "Nouvelle saison : venez découvrir nos ateliers !", "offre": str(deal.id)},
        {"nouvelle-image-1": ("atelier.png", picture(), "image/png")},
    )

    assert published.status_code == 303, text_of(published)
    post = await Post.get(partner_id=team.partner.id)
    assert post.offer_id == deal.id
    await like_post((await young_person()).id, post.id)
    await like_post((await young_person()).id, post.id)
    page = await browser.follow(published)
    item = re.search(rf'<article class="post" id="post-{post.id}"(.*?)</article>', page.text, re.S)
    assert (
        item and "2 j'aime" in item.group(1) and "Met en avant : Une place offerte" in item.group(1)
    )
    assert item.group(1).count("<img") == 1 and 'src="/media/images/' in item.group(1)

    form = await browser.get(f"{POSTS}/{post.id}/modifier")
    assert "Nouvelle saison" in form.text and 'name="image"' in form.text
    edited = await post_with_files(
        browser, f"{POSTS}/{post.id}/modifier", {"texte": "Nouvelle saison : ateliers complets."}
    )  # the image's box unticked: it is removed
    assert edited.status_code == 303, text_of(edited)
    page = await browser.follow(edited)
    assert "ateliers complets" in text_of(page) and "Publication modifiée" in text_of(page)
    assert "<img" not in re.search(rf'id="post-{post.id}"(.*?)</article>', page.text, re.S).group(1)

    asked = await browser.get(f"{POSTS}/{post.id}/suppression")
    assert asked.status_code == 200 and "2 j'aime" in text_of(asked)
    deleted = await browser.post(f"{POSTS}/{post.id}/suppression")
    page = await browser.follow(deleted)
    assert f'id="post-{post.id}"' not in page.text
    assert (await Post.get(id=post.id)).status == PostStatus.DELETED


async def test_post_errors_are_next_to_their_field(browser: Browser):
    team = await partner_team()
    await browser.sign_in(team.principal.email)
    await browser.get(POSTS)

    empty = await post_with_files(browser, POSTS, {"texte": "  "})
    assert empty.status_code == 422 and error_of(empty, "texte")
    not_an_image = await post_with_files(
        browser, POSTS, {"texte": "Bonjour"}, {"nouvelle-image-1": ("a.png", b"texte", "image/png")}
    )
    assert not_an_image.status_code == 422 and "JPEG, PNG ou WebP" in error_of(
        not_an_image, "images"
    )
    assert "Bonjour</textarea>" in not_an_image.text
    assert not await Post.filter(partner_id=team.partner.id).exists()


async def test_who_may_see_publications(browser: Browser, other_browser: Browser):
    team, other = await partner_team(), await partner_team()
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    await other_browser.sign_in(other.principal.email)
    await other_browser.get(POSTS)
    await post_with_files(other_browser, POSTS, {"texte": "Chez nous"})
    theirs = await Post.get(partner_id=other.partner.id)

    await browser.sign_in(cashier.email)
    assert 'id="tab-posts"' not in (await browser.get("/partenaires/")).text
    assert (await browser.get(POSTS)).status_code == 403

    publisher = await collaborator(team, DelegatePermission.OFFERS_AND_POSTS)
    browser.http.cookies.clear()
    await browser.sign_in(publisher.email)
    assert (await browser.get(POSTS)).status_code == 200
    assert (await browser.get(f"{POSTS}/{theirs.id}/modifier")).status_code == 404
    await browser.get(POSTS)
    refused = await browser.post(f"{POSTS}/{theirs.id}/suppression")
    assert refused.status_code == 404
    assert (await Post.get(id=theirs.id)).status == PostStatus.PUBLISHED
