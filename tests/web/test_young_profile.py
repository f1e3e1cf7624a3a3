"""« Mon profil », the rest of it: the themes I like (the 18–25 themes from 18), the devices
my notifications reach, my other sessions signed out; and the young space's footer, which
gives the young people's help contact, not the partners' Assistance."""

from __future__ import annotations

import uuid
from datetime import date

from domain.core import clock
from domain.notifications.devices import register_device
from models.accounts import AuthSession
from models.notifications import Device
from tests.factories import young_person
from tests.web.conftest import browser_for
from tests.web.support import Browser, text_of


def born_aged(years: int) -> date:
    today = clock.paris_today()
    return date(today.year - years, 1, 1) if today.month > 1 else date(today.year - years - 1, 1, 1)


KEEP = {"visibilite": "PRIVATE"}


async def test_themes_of_interest_are_saved_and_the_18_25_themes_are_for_adults(browser):
    child = await young_person(born_aged(13))
    await browser.sign_in(child.email)
    page = await browser.get("/mon-espace/profil")
    assert 'id="theme-sport"' in page.text and 'id="theme-tourisme"' not in page.text

    saved = await browser.post("/mon-espace/profil", {**KEEP, "themes": "SPORT"})
    assert saved.status_code == 303
    page = await browser.follow(saved)
    assert (
        'id="theme-sport" name="themes" value="SPORT" aria-describedby="themes-aide" checked'
        in page.text
    )
    assert 'id="theme-culture" name="themes" value="CULTURE" aria-describedby="themes-aide">' in (
        page.text
    )
    refused = await browser.post("/mon-espace/profil", {**KEEP, "themes": "TOURISME"})
    assert refused.status_code == 400 and "18" in text_of(refused)

    await browser.post("/deconnexion")
    adult = await young_person(born_aged(19))
    await browser.sign_in(adult.email)
    page = await browser.get("/mon-espace/profil")
    assert 'id="theme-tourisme"' in page.text
    assert (
        await browser.post("/mon-espace/profil", {**KEEP, "themes": "TOURISME"})
    ).status_code == 303


async def test_a_young_person_removes_a_device_from_their_notifications(browser):
    person = await young_person()
    device = await register_device(person.id, f"fcm-{uuid.uuid4().hex}-phone", "android")
    await browser.sign_in(person.email)
    page = await browser.get("/mon-espace/profil")
    assert "Téléphone Android" in text_of(page)

    removed = await browser.post(f"/mon-espace/profil/appareils/{device.id}/suppression")

    assert removed.status_code == 303
    page = await browser.follow(removed)
    assert "ne recevra plus vos notifications" in text_of(page)
    assert 'id="no-device"' in page.text
    assert not await Device.exists(id=device.id)


async def test_signing_out_the_other_sessions_closes_the_other_browser(app, browser):
    person = await young_person()
    async with browser_for(app, "198.51.100.30") as http:
        elsewhere = Browser(http)
        await elsewhere.sign_in(person.email)
        await browser.sign_in(person.email)
        page = await browser.get("/mon-espace/profil")
        assert text_of(page).count("connecté le") == 2 and 'id="current-session"' in page.text

        done = await browser.post("/mon-espace/profil/sessions")

        assert done.status_code == 303
        assert "autres sessions sont déconnectées (1)" in text_of(await browser.follow(done))
        assert (await browser.get("/mon-espace/")).status_code == 200
        kicked_out = await elsewhere.get("/mon-espace/")
        assert kicked_out.status_code == 303
        assert kicked_out.headers["location"].startswith("/connexion")
    assert await AuthSession.filter(user_id=person.id, revoked_at__isnull=True).count() == 1


async def test_the_young_space_shows_its_own_help_contact_not_the_partners(browser, settings):
    await browser.sign_in((await young_person()).email)

    for address in ("/mon-espace/", "/mon-espace/profil", "/inscription", "/annuaire"):
        if address == "/inscription":
            await browser.post("/deconnexion")
        page = await browser.get(address)
        footer = page.text.split('<footer class="site-footer">')[1]
        assert f'href="mailto:{settings.young_help_email}"' in footer, address
        assert settings.assistance_email not in footer, address
        assert settings.hotline_phone not in footer, address
