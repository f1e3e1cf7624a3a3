"""« Bons plans » and « Événements » pages: the form, its errors next to their fields, the
visuals sent with it, the states a partner reads (draft, pending, refused with the reason,
published, a new version while the published one stays on show, withdrawn), and who may
see them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from domain.core import clock
from infra.geocoding import OfflineGeocoder, use_geocoder
from models.offers import Offer, OfferRevision, RevisionStatus
from models.partners import DelegatePermission
from tests.factories import collaborator, partner_team
from tests.support import GraphQLClient
from tests.web.content_support import (
    deal_fields,
    moderate,
    offer_id_of,
    picture,
    post_with_files,
)
from tests.web.support import Browser, text_of

DEALS = "/partenaires/bons-plans"
EVENTS = "/partenaires/evenements"


@pytest.fixture(scope="module", autouse=True)
def offline_geocoder() -> Iterator[None]:
    previous = use_geocoder(OfflineGeocoder())
    yield
    use_geocoder(previous)


def error_of(page, field_id: str) -> str:
    found = re.search(rf'id="{field_id}-erreur"[^>]*>(.*?)</p>', page.text, re.S)
    assert found, f"no error for {field_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


async def test_a_deal_s_life_draft_refused_edited_published_and_a_new_version(
    browser: Browser, gql: GraphQLClient
):
    team = await partner_team()
    await browser.sign_in(team.principal.email)
    listed = await browser.get(DEALS)
    assert listed.status_code == 200 and 'id="no-offer"' in listed.text
    await browser.get(f"{DEALS}/nouveau")

    saved = await post_with_files(
        browser,
        f"{DEALS}/nouveau",
        deal_fields(),
        {
            "nouveau-visuel-1": ("affiche.png", picture(), "image/png"),
            "nouveau-visuel-2": ("salle.png", picture(500, 500, "#0a3d91"), "image/png"),
        },
    )

    assert saved.status_code == 303, text_of(saved)
    offer_id = offer_id_of(saved.headers["location"])
    offer = await Offer.get(id=offer_id)
    draft = await OfferRevision.get(id=offer.working_revision_id)
    assert draft.status == RevisionStatus.DRAFT and len(draft.image_ids) == 2
    assert draft.discount_percent == 20 and draft.places[0]["postalCode"] == "13001"
    page = await browser.follow(saved)
    assert 'id="offer-status">Brouillon' in page.text
    assert page.text.count('alt="Visuel n°') == 2
    assert "latitude 43." in text_of(page)  # the geocoded pin, without a tile server
    assert 'id="lieu-contenu-0-precision"' in page.text  # the commune's centre for now

    submitted = await browser.post(f"{DEALS}/{offer_id}/soumettre")
    page = await browser.follow(submitted)
    assert "En attente de modération" in text_of(page) and 'id="edit-offer"' not in page.text

    await moderate(gql, offer_id, False, "Le visuel ne montre pas l'offre.")
    page = await browser.get(f"{DEALS}/{offer_id}")
    assert 'id="offer-status">Refusé' in page.text
    assert "Le visuel ne montre pas l'offre." in text_of(page)
    listed = await browser.get(DEALS)
    assert "Motif : Le visuel ne montre pas l'offre." in text_of(listed)

    form = await browser.get(f"{DEALS}/{offer_id}/modifier")
    assert 'value="-20 % sur les places"' in form.text and form.text.count('name="visuel"') == 2
    kept = re.findall(r'name="visuel" value="([^"]+)"', form.text)
    urls = dict(re.findall(r'name="visuel-url-([^"]+)" value="([^"]+)"', form.text))
    edited = await post_with_files(
        browser,
        f"{DEALS}/{offer_id}/modifier",
        {
            **deal_fields(titre="-25 % sur les places", pourcentage="25", action="soumettre"),
            "visuel": kept[:1],
            **{f"visuel-url-{k}": v for k, v in urls.items()},
        },
    )
    assert edited.status_code == 303, text_of(edited)
    revision = await OfferRevision.get(id=(await Offer.get(id=offer_id)).working_revision_id)
    assert revision.number == 2 and revision.status == RevisionStatus.SUBMITTED
    assert revision.title == "-25 % sur les places" and len(revision.image_ids) == 1

    await moderate(gql, offer_id, True)
    page = await browser.get(f"{DEALS}/{offer_id}")
    assert 'id="offer-status">Publié' in page.text

    await browser.get(f"{DEALS}/{offer_id}/modifier")
    again = await post_with_files(
        browser,
        f"{DEALS}/{offer_id}/modifier",
        {**deal_fields(titre="-30 % sur les places", pourcentage="30", action="soumettre")},
    )
    page = await browser.follow(again)
    assert 'id="offer-status">Publié' in page.text  # the approved one stays on show
    assert 'id="published-version"' in page.text and "-25 % sur les places" in text_of(page)
    assert "Une modification attend la modération" in text_of(page)
    offer = await Offer.get(id=offer_id)
    assert offer.published_revision_id != offer.working_revision_id
    assert offer.title == "-25 % sur les places"


async def test_errors_are_shown_next_to_their_field_and_nothing_is_saved(browser: Browser):
    team = await partner_team()
    await browser.sign_in(team.principal.email)
    await browser.get(f"{DEALS}/nouveau")

    no_title = await post_with_files(browser, f"{DEALS}/nouveau", deal_fields(titre=""))
    assert no_title.status_code == 422
    assert 'aria-invalid="true"' in no_title.text and "error-summary" in no_title.text
    assert error_of(no_title, "titre")
    assert 'value="Salle 1"' in no_title.text  # what was typed is kept

    elsewhere = await post_with_files(
        browser, f"{DEALS}/nouveau", deal_fields(**{"lieu-0-cp": "75001"})
    )
    assert elsewhere.status_code == 422 and "Bouches-du-Rhône" in error_of(elsewhere, "lieu-0-cp")

    not_a_picture = await post_with_files(
        browser,
        f"{DEALS}/nouveau",
        deal_fields(),
        {"nouveau-visuel-1": ("cv.png", b"%PDF-1.4 not an image", "image/png")},
    )
    assert not_a_picture.status_code == 422
    assert "JPEG, PNG ou WebP" in error_of(not_a_picture, "visuels")

    too_small = await post_with_files(
        browser,
        f"{DEALS}/nouveau",
        deal_fields(),
        {"nouveau-visuel-1": ("mini.png", picture(100, 80), "image/png")},
    )
    assert "au moins 200 × 200" in error_of(too_small, "visuels")

    past = clock.paris_today() - timedelta(days=3)
    late = await post_with_files(
        browser,
        f"{DEALS}/nouveau",
        deal_fields(debut=past.isoformat(), fin=past.isoformat(), action="soumettre"),
    )
    assert late.status_code == 422 and "déjà passée" in error_of(late, "fin")
    assert not await Offer.filter(partner_id=team.partner.id).exists()


async def test_an_event_with_two_sessions_and_a_row_added_without_javascript(browser: Browser):
    team = await partner_team()
    await browser.sign_in(team.principal.email)
    form = await browser.get(f"{EVENTS}/nouveau")
    assert form.text.count('type="date"') == 2  # two dates to fill, more on demand
    day = clock.paris_today() + timedelta(days=3)
    fields = {
        "genre": "CONCERT",
        "theme": "CULTURE",
        "titre": "Concert des jeunes talents",
        "description": "Deux soirées, entrée libre sur présentation de la carte.",
        "seances": "2",
        "seance-0-jour": day.isoformat(),
        "seance-0-debut": "20:00",
        "seance-0-fin": "23:00",
        "seance-1-jour": (day + timedelta(days=1)).isoformat(),
        "seance-1-debut": "19:30",
        "seance-1-fin": "22:30",
        "lieux": "1",
        "lieu-0-rue": "12 cours Mirabeau",
        "lieu-0-cp": "13100",
        "lieu-0-ville": "Aix-en-Provence",
    }
    more = await post_with_files(browser, f"{EVENTS}/nouveau", {**fields, "action": "ajouter-date"})
    assert more.status_code == 200 and 'id="seance-2-jour"' in more.text
    assert 'value="19:30"' in more.text

    saved = await post_with_files(
        browser, f"{EVENTS}/nouveau", {**fields, "seances": "3", "action": "soumettre"}
    )

    assert saved.status_code == 303, text_of(saved)
    page = await browser.follow(saved)
    assert "Envoyé à la modération" in text_of(page)
    assert "de 20:00 à 23:00" in text_of(page) and "de 19:30 à 22:30" in text_of(page)
    offer = await Offer.get(id=offer_id_of(saved.headers["location"]))
    revision = await OfferRevision.get(id=offer.working_revision_id)
    assert len(revision.sessions) == 2 and revision.status == RevisionStatus.SUBMITTED
    assert offer_id_of(saved.headers["location"]) not in (await browser.get(DEALS)).text


async def test_withdrawing_asks_first_then_takes_it_off(browser: Browser):
    team = await partner_team()
    await browser.sign_in(team.principal.email)
    await browser.get(f"{DEALS}/nouveau")
    saved = await post_with_files(browser, f"{DEALS}/nouveau", deal_fields())
    offer_id = offer_id_of(saved.headers["location"])

    asked = await browser.get(f"{DEALS}/{offer_id}/retrait")
    assert asked.status_code == 200 and 'id="confirm-withdraw"' in asked.text
    assert (await Offer.get(id=offer_id)).withdrawn_at is None
    done = await browser.post(f"{DEALS}/{offer_id}/retrait")
    page = await browser.follow(done)

    assert 'id="offer-status">Retiré' in page.text and 'id="edit-offer"' not in page.text
    assert (await Offer.get(id=offer_id)).withdrawn_at is not None


async def test_a_collaborator_without_the_permission_and_another_partner_are_refused(
    browser: Browser, other_browser: Browser
):
    team = await partner_team()
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    publisher = await collaborator(team, DelegatePermission.OFFERS_AND_POSTS)
    other = await partner_team()
    await other_browser.sign_in(other.principal.email)
    await other_browser.get(f"{DEALS}/nouveau")
    theirs = await post_with_files(other_browser, f"{DEALS}/nouveau", deal_fields())
    their_id = offer_id_of(theirs.headers["location"])

    await browser.sign_in(cashier.email)
    home = await browser.get("/partenaires/")
    assert 'id="tab-deals"' not in home.text
    for url in (DEALS, f"{DEALS}/nouveau", EVENTS, f"{DEALS}/{their_id}"):
        refused = await browser.get(url)
        assert refused.status_code == 403, url

    await browser.get("/deconnexion")
    publishing = Browser(browser.http)
    await publishing.http.post("/deconnexion")
    publishing.http.cookies.clear()
    await publishing.sign_in(publisher.email)
    assert 'id="tab-deals"' in (await publishing.get("/partenaires/")).text
    assert (await publishing.get(DEALS)).status_code == 200
    assert (await publishing.get(f"{DEALS}/{their_id}")).status_code == 404
    assert (await publishing.get(f"{EVENTS}/{their_id}")).status_code == 404
    assert (await publishing.get(f"{DEALS}/{their_id}/modifier")).status_code == 404
    form = await publishing.get(f"{DEALS}/nouveau")
    assert form.status_code == 200
    refused = await publishing.post(f"{DEALS}/{their_id}/retrait")
    assert refused.status_code == 404
    assert (await Offer.get(id=their_id)).withdrawn_at is None
