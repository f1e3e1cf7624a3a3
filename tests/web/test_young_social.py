"""The young people's social pages: « Mon fil » (the followed partners' posts, likes, their
new deals, age-gated) and « Autour de moi » (deals and events near a commune, the
département's services, a map where a tile server is set)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote_plus

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.department_services.services import ServiceChanges, create_service
from domain.social.follows import follow
from infra.settings import Settings
from models.accounts import StaffRole
from models.offers import OfferTheme, ServiceCategory
from models.social import PostLike
from tests.factories import partner_team, staff_member, young_person
from tests.web.social_support import (
    CAMARGUE,
    listed_partner,
    new_commune,
    published_offer,
    published_post,
)
from tests.web.support import text_of
from web.templating import environment


def born_aged(years: int) -> date:
    today = clock.paris_today()
    return date(today.year - years, 1, 1) if today.month > 1 else date(today.year - years - 1, 1, 1)


async def test_the_feed_shows_followed_partners_posts_and_a_like_counts(browser):
    followed = await listed_partner(new_commune(), "Théâtre")
    other = await listed_partner(new_commune(), "Bowling")
    person = await young_person()
    await follow(person.id, followed.partner.id)
    post = await published_post(followed, "Ce soir : répétition ouverte aux jeunes !")
    await published_post(other, "Une publication d'un partenaire non suivi")
    await browser.sign_in(person.email)

    page = await browser.get("/mon-espace/fil")

    assert page.status_code == 200 and 'aria-current="page">Mon fil' in page.text
    shown = text_of(page)
    assert "répétition ouverte aux jeunes" in shown
    assert "partenaire non suivi" not in shown
    assert f'id="like-{post.id}"' in page.text
    follows = page.text.split('id="my-follows"')[1].split("</details>")[0]
    assert followed.partner.trade_name in follows and other.partner.trade_name not in follows
    liked = await browser.post(f"/mon-espace/fil/publications/{post.id}/jaime", {"action": "aimer"})
    assert liked.status_code == 303 and liked.headers["location"].endswith(f"#post-{post.id}")
    page = await browser.follow(liked)
    assert f'id="unlike-{post.id}"' in page.text
    assert "1 j'aime" in text_of(page)
    assert await PostLike.exists(user_id=person.id, post_id=post.id)
    unliked = await browser.post(
        f"/mon-espace/fil/publications/{post.id}/jaime", {"action": "ne-plus-aimer"}
    )
    page = await browser.follow(unliked)
    assert f'id="like-{post.id}"' in page.text and "0 j'aime" in text_of(page)
    # With htmx, the button and its count come back alone, to be swapped in place.
    swapped = await browser.post(
        f"/mon-espace/fil/publications/{post.id}/jaime",
        {"action": "aimer"},
        headers={"HX-Request": "true"},
    )
    assert swapped.status_code == 200 and "<html" not in swapped.text
    assert f'id="unlike-{post.id}"' in swapped.text and "1 j'aime" in text_of(swapped)


async def test_an_11_year_old_s_feed_never_shows_an_18_plus_deal(browser):
    team = await listed_partner(new_commune(), "Voyages")
    child, adult = await young_person(born_aged(11)), await young_person(born_aged(20))
    for person in (child, adult):
        await follow(person.id, team.partner.id)
    await published_offer(team, "Sortie escalade", OfferTheme.SPORT)
    await published_offer(team, "Séjour linguistique", OfferTheme.TOURISME)

    await browser.sign_in(child.email)
    child_feed = text_of(await browser.get("/mon-espace/fil"))
    await browser.post("/deconnexion")
    await browser.sign_in(adult.email)
    adult_feed = text_of(await browser.get("/mon-espace/fil"))

    assert "Sortie escalade" in child_feed and "Séjour linguistique" not in child_feed
    assert "Séjour linguistique" in adult_feed


async def test_the_feed_and_nearby_are_for_signed_in_young_people(browser):
    for address in ("/mon-espace/fil", "/mon-espace/autour"):
        answer = await browser.get(address)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith(f"/connexion?suite={address}")
    team = await partner_team()
    await browser.sign_in(team.principal.email)
    assert (await browser.get("/mon-espace/fil")).status_code == 403


async def test_nearby_lists_the_deals_of_a_commune_for_the_person_s_age(browser):
    team = await listed_partner(new_commune(), "Club de voile")
    await published_offer(team, "Initiation voile", OfferTheme.SPORT, place=CAMARGUE)
    await published_offer(
        team, "Permis bateau", OfferTheme.INSERTION_PROFESSIONNELLE, place=CAMARGUE
    )
    marketing = Viewer(user=await staff_member(StaffRole.MARKETING))
    await create_service(
        marketing,
        ServiceChanges(
            category=ServiceCategory.LISTENING_PLACE,
            title="Point écoute jeunes Camargue",
            description="Écoute anonyme et gratuite.",
        ),
    )
    child = await young_person(born_aged(12))
    await browser.sign_in(child.email)

    page = await browser.get(f"/mon-espace/autour?commune={quote_plus('saintes maries de la mer')}")

    assert page.status_code == 200
    shown = text_of(page)
    assert "Saintes-Maries-de-la-Mer" in shown
    assert "Initiation voile" in shown and "Permis bateau" not in shown
    assert "Point écoute jeunes Camargue" in shown and "Lieu d'écoute" in shown
    assert 'id="nearby-map"' not in page.text  # no tile server in the tests' settings
    unknown = await browser.get("/mon-espace/autour?commune=Gotham")
    assert unknown.status_code == 400 and 'id="commune-erreur"' in unknown.text


async def test_nearby_starts_from_the_person_s_own_commune_and_saves_a_favourite(browser):
    team = await listed_partner(new_commune(), "Manade")
    deal = await published_offer(team, "Balade à cheval", OfferTheme.LOISIRS, place=CAMARGUE)
    person = await young_person(born_aged(16))
    person.postal_code = "13460"
    await person.save(update_fields=["postal_code"])
    await browser.sign_in(person.email)

    page = await browser.get("/mon-espace/autour")

    assert "Balade à cheval" in text_of(page)
    saved = await browser.post(
        "/mon-espace/favoris", {"offre": str(deal.id), "commune": "Saintes-Maries-de-la-Mer"}
    )
    assert saved.status_code == 303 and "garde=oui" in saved.headers["location"]
    assert "gardé dans vos favoris" in text_of(await browser.follow(saved))


def test_nearby_s_map_numbers_the_pins_like_the_list_where_a_tile_server_is_set():
    tiles = "https://tuiles.example.test/{z}/{x}/{y}.png"
    places = [("Balade", 43.4530, 4.4300), ("Très loin", 44.5, 6.0)]
    area = environment(Settings(map_tile_url=tiles)).get_template("macros/map.html").module.area  # type: ignore[attr-defined]

    drawn = str(area(43.45214, 4.42913, places, "autour", "nearby-map"))

    assert 'id="nearby-map"' in drawn and "https://tuiles.example.test/12/" in drawn
    assert "<title>1. Balade</title>" in drawn
    assert "Très loin" not in drawn  # outside the window: in the list only
    plain = environment(Settings(map_tile_url="")).get_template("macros/map.html").module.area  # type: ignore[attr-defined]
    assert "<svg" not in str(plain(43.45214, 4.42913, places, "autour", "nearby-map"))
