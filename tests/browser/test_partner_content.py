"""The partner's content in Chromium: the profile's hours making « open now » true and a logo
with its preview, the preview as a young person sees it; a post with an image; the dashboard;
and each collaborator sees only the sections of their permission, URL guessing gives 403."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from domain.core import clock
from infra.geocoding import OfflineGeocoder, use_geocoder
from models.partners import DelegatePermission
from tests.browser.partner_space import main_heading, open_page, sign_in
from tests.factories import collaborator, partner_team
from tests.support import GraphQLClient
from tests.web.content_support import moderate, picture, validity

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
SECTIONS = {
    "OFFERS_AND_POSTS": ["/partenaires/bons-plans", "/partenaires/evenements",
                         "/partenaires/publications", "/partenaires/bons-plans/nouveau"],
    "PROFILE": ["/partenaires/profil", "/partenaires/profil/apercu"],
}  # fmt: skip
TABS = {
    "OFFERS_AND_POSTS": ["#tab-deals", "#tab-events", "#tab-posts"],
    "PROFILE": ["#tab-profile"],
}


@pytest.fixture(scope="module", autouse=True)
def offline_geocoder() -> Iterator[None]:
    previous = use_geocoder(OfflineGeocoder())
    yield
    use_geocoder(previous)


async def test_the_profile_s_hours_make_it_open_now(page: Page, look_at):
    team = await partner_team(name="Librairie")
    today = WEEKDAYS[clock.now().astimezone(clock.PARIS).weekday()]
    await sign_in(page, team.principal)
    await page.locator("#tab-profile").click()
    await expect(main_heading(page)).to_have_text("Mon profil")
    await expect(page.locator("#open-now")).to_contain_text("Fermé maintenant")

    await page.get_by_label("Description", exact=True).fill("Librairie jeunesse et BD.")
    await page.get_by_label("Téléphone").fill("04 42 00 00 00")
    await page.get_by_label("Numéro et rue").fill("8 cours Mirabeau")
    await page.get_by_label("Code postal").fill("13100")
    await page.get_by_label("Commune").fill("Aix-en-Provence")
    await page.locator(f"#{today}-1-ouvre").fill("00:00")
    await page.locator(f"#{today}-1-ferme").fill("23:59")
    await page.get_by_label("Handicap moteur").check()
    await page.get_by_role("button", name="Enregistrer le profil").click()

    await expect(page.locator("#profile-done")).to_be_visible()
    await expect(page.locator("#open-now")).to_contain_text("Ouvert maintenant")
    await expect(page.locator("#profile-pin")).to_contain_text("latitude 43.")

    await page.locator("#logo").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": picture(400, 400)}
    )
    await expect(page.locator("#logo-apercu")).to_be_visible()
    await page.get_by_role("button", name="Enregistrer les images").click()
    await expect(page.locator("#logo-actuel")).to_be_visible()
    await look_at(page, "profile")

    await page.get_by_role("link", name="Voir comme un jeune").click()
    await expect(page.locator("#public-open-now")).to_contain_text("Ouvert maintenant")
    await expect(page.locator("#public-profile")).to_contain_text("Librairie jeunesse et BD.")
    await look_at(page, "preview")


async def test_a_post_with_an_image(page: Page, look_at):
    team = await partner_team(name="Médiathèque")
    await sign_in(page, team.principal)
    await page.locator("#tab-posts").click()

    await page.get_by_label("Texte de la publication").fill("Atelier BD ce samedi à 14 h !")
    await page.locator("#nouvelle-image-1").set_input_files(
        {"name": "atelier.png", "mimeType": "image/png", "buffer": picture()}
    )
    await expect(page.locator("#nouvelle-image-1-apercu")).to_be_visible()
    await page.get_by_role("button", name="Publier").click()

    await expect(page.locator("#post-done")).to_be_visible()
    post = page.locator("article.post").first
    await expect(post).to_contain_text("Atelier BD ce samedi à 14 h !")
    await expect(post.locator("img")).to_have_count(1)
    await expect(post.locator(".post__likes")).to_have_text("0 j'aime")
    await look_at(page, "published")


async def test_the_dashboard_shows_what_needs_attention(page: Page, look_at, gql: GraphQLClient):
    team = await partner_team(name="Escalade")
    starts, ends = validity()
    await sign_in(page, team.principal)
    await open_page(page, "/partenaires/bons-plans/nouveau")
    await page.get_by_role("radio", name="Goodies").check()
    await page.get_by_role("radio", name="Sport").check()
    await page.get_by_label("Titre", exact=True).fill("Un t-shirt offert")
    await page.get_by_label("Description", exact=True).fill("À la première séance.")
    await page.get_by_label("Valable du", exact=True).fill(starts.isoformat())
    await page.get_by_label("Jusqu'au", exact=True).fill(ends.isoformat())
    await page.get_by_label("Numéro et rue", exact=True).fill("2 rue Paradis")
    await page.get_by_label("Code postal", exact=True).fill("13001")
    await page.get_by_label("Commune", exact=True).fill("Marseille")
    await page.get_by_role("button", name="Enregistrer et soumettre à la modération").click()
    await expect(page.locator("#offer-status")).to_have_text("En attente de modération")
    offer_id = page.url.split("/")[-1].split("?")[0]
    await moderate(gql, offer_id, False, "Le t-shirt est-il à la taille du jeune ?")

    await page.get_by_role("link", name="Accueil").click()

    await expect(page.locator(f"#attention-refused-{offer_id}")).to_contain_text(
        "Le t-shirt est-il à la taille du jeune ?"
    )
    await expect(page.locator("#attention-bank-missing")).to_be_visible()
    await expect(page.locator("#attention-commitment")).to_be_visible()
    await expect(page.locator("#figure-deals")).to_contain_text("1 refusé")
    await look_at(page, "attention")
    await page.locator(f"#attention-refused-{offer_id} a").click()
    await expect(page.locator("#rejection-reason")).to_be_visible()


@pytest.mark.parametrize("permission", ["TRANSACTIONS", "OFFERS_AND_POSTS", "PROFILE"])
async def test_a_collaborator_sees_only_their_sections_and_url_guessing_is_refused(
    page: Page, permission: str
):
    team = await partner_team()
    user = await collaborator(team, DelegatePermission[permission])
    await sign_in(page, user)

    for section, tabs in TABS.items():
        for tab in tabs:
            await expect(page.locator(tab)).to_have_count(1 if section == permission else 0)
    for section, paths in SECTIONS.items():
        for path in paths:
            answer = await page.goto(path)
            assert answer is not None
            assert answer.status == (200 if section == permission else 403), (permission, path)
