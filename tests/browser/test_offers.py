"""Deals and events in Chromium: the whole life of a deal (a draft with two visuals and an
address, submitted, refused by the département through the API with a reason the partner
reads, edited, approved, then found by `search` for an 18-year-old and hidden from a
13-year-old since its theme is tourism); an event with two dates; a collaborator without
the permission sees no such tab and is refused by URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.async_api import Page, expect

from domain.accounts.viewer import Viewer
from domain.core import clock
from infra.geocoding import OfflineGeocoder, use_geocoder
from models.offers import Offer
from models.partners import DelegatePermission
from tests.browser.partner_space import main_heading, open_page, sign_in
from tests.factories import collaborator, partner_team, young_person
from tests.search.test_database_backend import run as search
from tests.support import GraphQLClient
from tests.web.content_support import moderate, picture, validity

DEALS = "/partenaires/bons-plans"
EVENTS = "/partenaires/evenements"


@pytest.fixture(scope="module", autouse=True)
def offline_geocoder() -> Iterator[None]:
    previous = use_geocoder(OfflineGeocoder())
    yield
    use_geocoder(previous)


def born_aged(age: int) -> date:
    today = clock.paris_today()
    return date(today.year - age - 1, 1, 1) if age else today


async def test_the_life_of_a_deal_to_search(page: Page, look_at, gql: GraphQLClient):
    team = await partner_team(name="Croisières")
    word = f"Calanques{team.partner.id.hex[:6]}"
    starts, ends = validity()
    await sign_in(page, team.principal)
    await page.locator("#tab-deals").click()
    await page.get_by_role("link", name="Ajouter un bon plan").click()
    await expect(main_heading(page)).to_have_text("Ajouter un bon plan")

    await page.get_by_role("radio", name="Réduction en pourcentage").check()
    await expect(page.locator("#montant")).to_be_hidden()  # only the chosen type's value
    await expect(page.locator("#code-promo")).to_be_hidden()
    await page.get_by_label("Taux de réduction").fill("20")
    await page.get_by_role("radio", name=re.compile("^Tourisme")).check()
    await page.get_by_label("Titre", exact=True).fill(f"{word} en bateau")
    await page.get_by_label("Description", exact=True).fill(
        "Une sortie en mer, -20 % sur le billet."
    )
    await page.get_by_label("Valable du", exact=True).fill(starts.isoformat())
    await page.get_by_label("Jusqu'au", exact=True).fill(ends.isoformat())
    await page.get_by_label("Numéro et rue", exact=True).fill("1 quai du Port")
    await page.get_by_label("Code postal", exact=True).fill("13002")
    await page.get_by_label("Commune", exact=True).fill("Marseille")
    for slot, colour in (("#nouveau-visuel-1", "#0a3d91"), ("#nouveau-visuel-2", "#1e6b34")):
        await page.locator(slot).set_input_files(
            {"name": "visuel.png", "mimeType": "image/png", "buffer": picture(colour=colour)}
        )
    await expect(page.locator("#nouveau-visuel-1-apercu")).to_be_visible()  # the preview
    await look_at(page, "form")

    await page.get_by_role("button", name="Enregistrer le brouillon", exact=True).click()

    await expect(page.locator("#offer-status")).to_have_text("Brouillon")
    await expect(page.locator(".visuals img")).to_have_count(2)
    await expect(page.locator("#lieu-contenu-0")).to_contain_text("13002 Marseille")
    await expect(page.locator("#lieu-contenu-0")).to_contain_text("latitude 43.")
    await look_at(page, "draft")
    offer_id = page.url.split("/")[-1].split("?")[0]

    await page.get_by_role("button", name="Soumettre à la modération").click()
    await expect(page.locator("#offer-status")).to_have_text("En attente de modération")

    await moderate(gql, offer_id, False, "Précisez les horaires des départs.")
    await page.reload()
    await expect(page.locator("#offer-status")).to_have_text("Refusé")
    await expect(page.locator("#rejection-reason")).to_contain_text(
        "Précisez les horaires des départs."
    )
    await look_at(page, "refused")

    await page.get_by_role("link", name="Modifier").click()
    await page.get_by_label(re.compile("^Informations pratiques")).fill(
        "Départs à 10 h et 14 h, quai du Port."
    )
    await page.get_by_role("button", name="Enregistrer et soumettre à la modération").click()
    await expect(page.locator("#offer-status")).to_have_text("En attente de modération")

    await moderate(gql, offer_id, True)
    await page.reload()
    await expect(page.locator("#offer-status")).to_have_text("Publié")

    offer = await Offer.get(id=offer_id)
    assert offer.title == f"{word} en bateau"
    query = {"text": word, "kinds": ["DEAL"]}
    adult, child = await young_person(born_aged(18)), await young_person(born_aged(13))
    found = await search(Viewer(adult), query)
    assert [hit["title"] for hit in found["hits"]] == [f"{word} en bateau"]
    assert (await search(Viewer(child), query))["hits"] == []


async def test_an_event_with_two_dates(page: Page, look_at):
    team = await partner_team(name="Théâtre")
    day = clock.paris_today() + timedelta(days=5)
    await sign_in(page, team.principal)
    await open_page(page, f"{EVENTS}/nouveau")

    await page.get_by_role("radio", name="Spectacle").check()
    await page.get_by_role("radio", name="Culture", exact=True).check()
    await page.get_by_label("Titre", exact=True).fill("Improvisation théâtrale")
    await page.get_by_label("Description", exact=True).fill("Deux soirées d'improvisation.")
    for row, (when, opens, closes) in enumerate(
        ((day, "20:00", "22:00"), (day + timedelta(days=7), "18:30", "20:30"))
    ):
        await page.locator(f"#seance-{row}-jour").fill(when.isoformat())
        await page.locator(f"#seance-{row}-debut").fill(opens)
        await page.locator(f"#seance-{row}-fin").fill(closes)
    await page.get_by_label("Numéro et rue", exact=True).fill("5 place de l'Hôtel de Ville")
    await page.get_by_label("Code postal", exact=True).fill("13200")
    await page.get_by_label("Commune", exact=True).fill("Arles")
    await page.get_by_role("button", name="Enregistrer et soumettre à la modération").click()

    await expect(page.locator("#offer-status")).to_have_text("En attente de modération")
    sessions = page.locator(".sessions li")
    await expect(sessions).to_have_count(2)
    await expect(sessions.nth(0)).to_contain_text("de 20:00 à 22:00")
    await expect(sessions.nth(1)).to_contain_text("de 18:30 à 20:30")
    await look_at(page, "submitted")
    await page.get_by_role("link", name="Événements", exact=True).click()
    await expect(page.locator("#offers-table")).to_contain_text("Improvisation théâtrale")
    await look_at(page, "list")


async def test_a_collaborator_without_the_permission_sees_no_deals_and_is_refused(page: Page):
    team = await partner_team()
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)

    await sign_in(page, cashier)

    await expect(page.locator("#tab-deals")).to_have_count(0)
    await expect(page.locator("#tab-events")).to_have_count(0)
    for path in (DEALS, f"{DEALS}/nouveau", EVENTS, f"{EVENTS}/nouveau"):
        answer = await page.goto(path)
        assert answer is not None and answer.status == 403, path
        await expect(main_heading(page)).to_have_text("Accès refusé")
