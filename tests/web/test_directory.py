"""The public directory and partner pages: readable without signing in, indexable (title,
description, canonical address, sitemap, robots.txt), nobody's personal data, and only the
deals a young person of any age may see; a signed-in young person follows a partner there."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote_plus

from domain.core import clock
from models.offers import OfferTheme
from models.partners import Partner, PartnerCategory, PartnerStatus
from models.social import Follow, PartnerProfile
from tests.factories import young_person
from tests.support import unique, valid_siret
from tests.web.social_support import listed_partner, new_commune, published_offer
from tests.web.support import text_of


def born_aged(years: int) -> date:
    today = clock.paris_today()
    return date(today.year - years, 1, 1) if today.month > 1 else date(today.year - years - 1, 1, 1)


def head_of(page) -> dict[str, str]:
    """The page's title, description and canonical address, as a search engine reads them."""
    text = page.text
    return {
        "title": re.search(r"<title>(.*?)</title>", text, re.S).group(1).strip(),
        "description": re.search(r'<meta name="description" content="([^"]*)"', text).group(1),
        "canonical": re.search(r'<link rel="canonical" href="([^"]*)"', text).group(1),
        "robots": re.search(r'<meta name="robots" content="([^"]*)"', text).group(1),
    }


async def test_an_anonymous_visitor_browses_a_commune_and_reads_a_partner(browser, settings):
    city = new_commune()
    cinema = await listed_partner(city, "Cinéma Le Prado")
    stade = await listed_partner(city, "Stade Vélodrome", (PartnerCategory.SPORT,))
    await published_offer(cinema, "Place à 5 €")

    home = await browser.get("/annuaire")
    assert home.status_code == 200 and home.headers["x-robots-tag"] == "index, follow"
    assert f"/annuaire?commune={quote_plus(city)}" in home.text
    listing = await browser.get(f"/annuaire?commune={city.upper()}")  # any case

    assert listing.status_code == 200
    head = head_of(listing)
    assert city in head["title"] and head["robots"] == "index, follow"
    assert head["canonical"] == f"{settings.public_url}/annuaire?commune={quote_plus(city)}"
    assert "2 partenaires" in head["description"]
    shown = text_of(listing)
    assert cinema.partner.trade_name in shown and stade.partner.trade_name in shown
    sport = await browser.get(f"/annuaire?commune={quote_plus(city)}&categorie=sport")
    assert stade.partner.trade_name in text_of(sport)
    assert cinema.partner.trade_name not in text_of(sport)

    page = await browser.get(f"/annuaire/partenaires/{cinema.partner.id}")
    assert page.status_code == 200
    head = head_of(page)
    assert head["title"].startswith(f"{cinema.partner.trade_name}, {city}")
    assert head["description"] == "Un cinéma de quartier, 3 salles."
    assert head["canonical"] == f"{settings.public_url}/annuaire/partenaires/{cinema.partner.id}"
    assert "Place à 5 €" in text_of(page)
    assert 'id="sign-in-to-follow"' in page.text and 'id="follow-button"' not in page.text


async def test_the_directory_shows_nobody_s_personal_data(browser):
    city = new_commune()
    team = await listed_partner(city, "Librairie")
    profile = await team.partner.profile
    principal = team.principal

    pages = [
        await browser.get(f"/annuaire?commune={quote_plus(city)}"),
        await browser.get(f"/annuaire/partenaires/{team.partner.id}"),
        await browser.get("/sitemap.xml"),
    ]

    for page in pages:
        assert page.status_code == 200
        for personal in (
            principal.email,
            principal.first_name + " " + principal.last_name,
            profile.contact_email,
            "491000000",  # the phone, whatever its format
            team.partner.siret,
            team.partner.legal_name,
        ):
            assert personal not in page.text, (page.url, personal)


async def test_an_11_year_old_never_sees_an_18_plus_deal_and_an_adult_does(browser):
    city = new_commune()
    team = await listed_partner(city, "Agence")
    await published_offer(team, "Stage découverte", OfferTheme.SPORT)
    await published_offer(team, "Voyage à Rome", OfferTheme.TOURISME)
    address = f"/annuaire/partenaires/{team.partner.id}"

    anonymous = text_of(await browser.get(address))
    await browser.sign_in((await young_person(born_aged(11))).email)
    child = text_of(await browser.get(address))
    await browser.post("/deconnexion")
    await browser.sign_in((await young_person(born_aged(19))).email)
    adult = text_of(await browser.get(address))

    assert "Stage découverte" in anonymous and "Voyage à Rome" not in anonymous
    assert "Stage découverte" in child and "Voyage à Rome" not in child
    assert "Voyage à Rome" in adult


async def test_a_young_person_follows_and_unfollows_from_the_partner_page(browser):
    team = await listed_partner(new_commune(), "Musée")
    person = await young_person()
    address = f"/annuaire/partenaires/{team.partner.id}"
    await browser.sign_in(person.email)
    await browser.get(address)

    followed = await browser.post(f"{address}/abonnement", {"action": "suivre"})

    assert followed.status_code == 303
    page = await browser.follow(followed)
    assert "Vous suivez" in text_of(page) and 'id="unfollow-button"' in page.text
    assert "1 abonné" in text_of(page)
    assert await Follow.exists(user_id=person.id, partner_id=team.partner.id)
    unfollowed = await browser.post(f"{address}/abonnement", {"action": "ne-plus-suivre"})
    page = await browser.follow(unfollowed)
    assert 'id="follow-button"' in page.text
    assert not await Follow.exists(user_id=person.id, partner_id=team.partner.id)


async def test_a_suspended_partner_an_unknown_commune_or_page_answer_404(browser):
    city = new_commune()
    team = await listed_partner(city, "Fermé")
    await Partner.filter(id=team.partner.id).update(status=PartnerStatus.SUSPENDED)

    assert (await browser.get(f"/annuaire/partenaires/{team.partner.id}")).status_code == 404
    assert (await browser.get("/annuaire/partenaires/pas-un-id")).status_code == 404
    assert (await browser.get(f"/annuaire?commune={quote_plus(city)}")).status_code == 404
    assert (await browser.get("/annuaire?categorie=poterie")).status_code == 404
    assert (await browser.get("/annuaire?page=9999")).status_code == 404


async def test_the_sitemap_and_robots_txt_list_the_public_pages(browser, settings):
    city = new_commune()
    team = await listed_partner(city, "Piscine", (PartnerCategory.SPORT,))
    base = settings.public_url

    sitemap = await browser.get("/sitemap.xml")
    robots = await browser.get("/robots.txt")

    assert sitemap.status_code == 200
    assert sitemap.headers["content-type"].startswith("application/xml")
    assert f"<loc>{base}/annuaire</loc>" in sitemap.text
    assert f"<loc>{base}/annuaire?commune={quote_plus(city)}</loc>" in sitemap.text
    assert f"<loc>{base}/annuaire/partenaires/{team.partner.id}</loc>" in sitemap.text
    assert robots.status_code == 200
    assert f"Sitemap: {base}/sitemap.xml" in robots.text
    assert "Disallow: /mon-espace/" in robots.text and "Allow: /annuaire" in robots.text


async def test_the_other_spaces_stay_out_of_search_engines(browser):
    page = await browser.get("/connexion")
    assert page.headers["x-robots-tag"] == "noindex"
    assert head_of_robots(page) == "noindex"


def head_of_robots(page) -> str:
    return re.search(r'<meta name="robots" content="([^"]*)"', page.text).group(1)


async def test_a_long_list_comes_in_numbered_pages_each_with_its_canonical_address(
    browser, settings
):
    city = new_commune()
    for n in range(25):
        partner = await Partner.create(
            legal_name=f"SAS Club {n:02}",
            trade_name=f"Club {n:02}",
            siret=valid_siret(int(unique(""))),
            categories=[PartnerCategory.SPORT.value],
            debitable_wallets=[],
            convention_signed_on=date(2024, 9, 1),
        )
        await PartnerProfile.create(partner=partner, city=city, postal_code="13002")
    first_address = f"/annuaire?commune={quote_plus(city)}"

    first = await browser.get(first_address)
    second = await browser.get(f"{first_address}&page=2")

    assert "Club 00" in text_of(first) and "Club 23" in text_of(first)
    assert "Club 24" not in text_of(first)
    assert f'href="{first_address}&amp;page=2" rel="next"' in first.text
    assert text_of(second).count("Club ") == 1 and "Club 24" in text_of(second)
    assert f'href="{first_address}" rel="prev"' in second.text
    assert head_of(second)["canonical"] == f"{settings.public_url}{first_address}&amp;page=2"
    assert "(page 2)" in head_of(second)["title"]
