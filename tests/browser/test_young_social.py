"""The public directory and the young people's social pages in Chromium: an anonymous
visitor browses the directory by commune and opens a partner's page; a signed-in young
person follows a partner from its page, finds its post in « Mon fil » and likes it; their
profile lists their sessions. Each page checked by axe-core and screenshotted at 360 and
1280 px."""

from __future__ import annotations

import re
from urllib.parse import quote_plus

from playwright.async_api import Page, expect

from tests.browser.partner_space import main_heading, open_page, sign_in
from tests.factories import young_person
from tests.web.social_support import listed_partner, new_commune, published_offer, published_post


async def test_an_anonymous_visitor_browses_the_directory_by_commune(page: Page, look_at):
    city = new_commune()
    team = await listed_partner(city, "Médiathèque")
    await listed_partner(city, "Dojo")
    await published_offer(team, "Atelier manga gratuit")

    await open_page(page, "/annuaire")
    await look_at(page, "directory")
    await page.get_by_label("Commune").select_option(city)
    await page.get_by_role("button", name="Afficher").click()

    await expect(page).to_have_url(re.compile(rf"/annuaire\?commune={re.escape(quote_plus(city))}"))
    await expect(main_heading(page)).to_contain_text(city)
    await expect(page.locator("#directory-count")).to_have_text("2 partenaires")
    await expect(page.locator('link[rel="canonical"]')).to_have_attribute(
        "href", re.compile(rf"/annuaire\?commune={re.escape(quote_plus(city))}$")
    )
    await look_at(page, "commune")
    await page.get_by_role("link", name=team.partner.trade_name).click()

    await expect(main_heading(page)).to_have_text(team.partner.trade_name)
    await expect(page.locator("#public-offers")).to_contain_text("Atelier manga gratuit")
    await expect(page.locator("#sign-in-to-follow")).to_be_visible()
    await look_at(page, "partner")


async def test_a_young_person_follows_a_partner_sees_its_post_in_the_feed_and_likes_it(
    page: Page, look_at
):
    team = await listed_partner(new_commune(), "Skatepark")
    await published_post(team, "Contest de skate samedi : inscriptions ouvertes !")
    person = await young_person()
    await sign_in(page, person)

    await open_page(page, f"/annuaire/partenaires/{team.partner.id}")
    await page.get_by_role("button", name=f"Suivre {team.partner.trade_name}").click()
    await expect(page.get_by_role("status").first).to_contain_text("Vous suivez")
    await expect(page.locator("#unfollow-button")).to_be_visible()
    await look_at(page, "followed")

    await page.get_by_role("link", name="Voir mon fil").click()
    await expect(main_heading(page)).to_have_text("Mon fil")
    post = page.locator(".feed-item", has_text="Contest de skate samedi")
    await expect(post).to_be_visible()
    await look_at(page, "feed")
    await post.get_by_role("button", name=re.compile("^J'aime")).click()

    post = page.locator(".feed-item", has_text="Contest de skate samedi")
    await expect(post.get_by_role("button", name=re.compile("^Je n'aime plus"))).to_be_visible()
    await expect(post).to_contain_text("1 j'aime")
    await look_at(page, "liked")

    await open_page(page, "/mon-espace/profil")
    await expect(page.locator("#current-session")).to_be_visible()
    await look_at(page, "profile")
