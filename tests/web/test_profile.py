"""« Mon profil »: the text, the address located on the map, the week's hours making « open
now » true, the exceptional periods, the logo and banner with the API's image rules, the
pin moved by hand, the preview as a young person sees it, and who may edit it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from domain.core import clock
from infra.geocoding import OfflineGeocoder, use_geocoder
from models.partners import DelegatePermission
from models.social import PartnerProfile
from tests.factories import collaborator, partner_team
from tests.web.content_support import picture, post_with_files
from tests.web.support import Browser, text_of

PROFILE = "/partenaires/profil"
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


@pytest.fixture(scope="module", autouse=True)
def offline_geocoder() -> Iterator[None]:
    previous = use_geocoder(OfflineGeocoder())
    yield
    use_geocoder(previous)


def profile_fields(**changes: str) -> dict[str, str]:
    today = WEEKDAYS[clock.now().astimezone(clock.PARIS).weekday()]
    fields = {
        "description": "Cinéma d'art et d'essai, trois salles.",
        "telephone": "04 91 00 00 00",
        "email": "accueil@cinema.test",
        "site": "www.cinema.test",
        "rue": "12 rue de Rome",
        "cp": "13001",
        "ville": "Marseille",
        f"{today}-1-ouvre": "00:00",
        f"{today}-1-ferme": "24:00",
        "TUESDAY-2-ouvre" if today != "TUESDAY" else "MONDAY-1-ouvre": "14:00",
        "TUESDAY-2-ferme" if today != "TUESDAY" else "MONDAY-1-ferme": "19:00",
        "accessibilite-MOTOR": "oui",
        "accessibilite-notes": "Entrée de plain-pied.",
    }
    fields.update(changes)
    return fields


def error_of(page, field_id: str) -> str:
    found = re.search(rf'id="{field_id}-erreur"[^>]*>(.*?)</p>', page.text, re.S)
    assert found, f"no error for {field_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


async def test_the_profile_s_hours_make_it_open_now_and_the_preview_shows_it(browser: Browser):
    team = await partner_team()
    await browser.sign_in(team.principal.email)
    page = await browser.get(PROFILE)
    assert page.status_code == 200 and "Fermé maintenant" in text_of(page)

    saved = await browser.post(PROFILE, profile_fields())

    assert saved.status_code == 303, text_of(saved)
    page = await browser.follow(saved)
    assert "Ouvert maintenant" in text_of(page) and 'id="profile-done"' in page.text
    assert 'value="04 91 00 00 00"' in page.text and 'value="https://www.cinema.test"' in page.text
    assert "latitude 43." in text_of(page)  # the address located: the pin, without tiles
    assert "<svg" not in page.text  # no tile server set: no map drawn
    profile = await PartnerProfile.get(partner_id=team.partner.id)
    assert profile.phone == "+33491000000" and profile.accessibility == ["motor"]

    preview = await browser.get(f"{PROFILE}/apercu")
    words = text_of(preview)
    assert "Ouvert maintenant" in words and "Cinéma d'art et d'essai" in words
    assert "00:00–24:00" in words and "Handicap moteur. Entrée de plain-pied." in words


async def test_profile_errors_are_next_to_their_field_and_nothing_changes(browser: Browser):
    team = await partner_team()
    await browser.sign_in(team.principal.email)
    await browser.get(PROFILE)

    bad_phone = await browser.post(PROFILE, profile_fields(telephone="12"))
    assert bad_phone.status_code == 422 and "Numéro de téléphone invalide" in error_of(
        bad_phone, "telephone"
    )
    assert 'value="12"' in bad_phone.text  # what was typed is kept
    half = await browser.post(PROFILE, profile_fields(**{"FRIDAY-1-ouvre": "09:00"}))
    assert half.status_code == 422 and "Vendredi" in error_of(half, "FRIDAY-1-ferme")
    backwards = await browser.post(
        PROFILE, profile_fields(**{"FRIDAY-1-ouvre": "18:00", "FRIDAY-1-ferme": "09:00"})
    )
    assert backwards.status_code == 422 and error_of(backwards, "FRIDAY-1-ouvre")
    outside = await browser.post(PROFILE, profile_fields(cp="75001"))
    assert "Bouches-du-Rhône" in error_of(outside, "cp")
    assert await PartnerProfile.get_or_none(partner_id=team.partner.id) is None or (
        (await PartnerProfile.get(partner_id=team.partner.id)).description == ""
    )


async def test_logo_and_banner_follow_the_api_s_image_rules(browser: Browser):
    team = await partner_team()
    await browser.sign_in(team.principal.email)
    await browser.get(PROFILE)

    wrong = await post_with_files(
        browser,
        f"{PROFILE}/images",
        {},
        {
            "logo": ("logo.png", picture(400, 400), "image/png"),
            "banniere": ("carre.png", picture(1200, 1200), "image/png"),
        },
    )
    assert wrong.status_code == 422
    assert "plus large que haute" in error_of(wrong, "banniere")
    assert 'id="logo-actuel"' in wrong.text  # the logo that was right is kept and shown
    good = await post_with_files(
        browser,
        f"{PROFILE}/images",
        {},
        {"banniere": ("bandeau.png", picture(1500, 500), "image/png")},
    )
    assert good.status_code == 303
    page = await browser.follow(good)
    assert 'id="banniere-actuel"' in page.text and 'src="/media/images/' in page.text
    profile = await PartnerProfile.get(partner_id=team.partner.id)
    assert profile.logo_id and profile.banner_id


async def test_exceptional_periods_and_the_pin_moved_by_hand(browser: Browser):
    team = await partner_team()
    await browser.sign_in(team.principal.email)
    await browser.post(PROFILE, profile_fields())
    await browser.get(PROFILE)
    start = clock.paris_today() + timedelta(days=10)

    added = await browser.post(
        f"{PROFILE}/exceptions",
        {
            "exception-du": start.isoformat(),
            "exception-au": (start + timedelta(days=6)).isoformat(),
            "exception-motif": "Congés",
            "exception-type": "ferme",
        },
    )
    page = await browser.follow(added)
    exception = re.search(r'<li id="exception-([0-9a-f-]+)">(.*?)</li>', page.text, re.S)
    assert exception and "Congés" in exception.group(2) and "fermé" in exception.group(2)
    past = await browser.post(
        f"{PROFILE}/exceptions",
        {"exception-du": "2020-01-01", "exception-au": "2020-01-02", "exception-type": "ferme"},
    )
    assert past.status_code == 422 and "passée" in error_of(past, "exception-au")
    removed = await browser.post(f"{PROFILE}/exceptions/{exception.group(1)}/suppression")
    page = await browser.follow(removed)
    assert f'id="exception-{exception.group(1)}"' not in page.text

    moved = await browser.post(
        f"{PROFILE}/position", {"latitude": "43,2951", "longitude": "5,3750"}
    )
    page = await browser.follow(moved)
    assert "placée par vous" in text_of(page) and "latitude 43.29510" in text_of(page)
    far = await browser.post(f"{PROFILE}/position", {"latitude": "48,85", "longitude": "2,35"})
    assert far.status_code == 422 and "Bouches-du-Rhône" in text_of(far)


async def test_only_the_profile_permission_opens_the_page(browser: Browser):
    team = await partner_team()
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    await browser.sign_in(cashier.email)

    assert 'id="tab-profile"' not in (await browser.get("/partenaires/")).text
    assert (await browser.get(PROFILE)).status_code == 403
    assert (await browser.get(f"{PROFILE}/apercu")).status_code == 403
    await browser.get("/partenaires/")  # a page with a form: its CSRF token
    refused = await browser.post(PROFILE, profile_fields())
    assert refused.status_code == 403
    assert await PartnerProfile.get_or_none(partner_id=team.partner.id) is None or (
        (await PartnerProfile.get(partner_id=team.partner.id)).description == ""
    )


async def test_a_long_accented_description_is_taken_as_a_browser_sends_it(browser: Browser):
    team = await partner_team()
    await browser.sign_in(team.principal.email)
    await browser.get(PROFILE)
    long_text = ("Été à l'Estaque, régates et pédalo. " * 140)[:4990]  # ~6 KB of UTF-8

    saved = await post_with_files(browser, PROFILE, profile_fields(description=long_text))

    assert saved.status_code == 303, text_of(saved)
    profile = await PartnerProfile.get(partner_id=team.partner.id)
    assert profile.description == long_text.strip()
