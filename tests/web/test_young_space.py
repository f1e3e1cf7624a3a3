"""The young people's pages, as a pupil uses them: sign up (under 15, with a parent named who
gets the consent link), land in their space, activate a card by its code, see it (QR image,
code, holder, balances, history), choose a PIN, declare it lost; the printed QR's page is the
same for every code."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import pytest

from domain.cards import codes as card_codes
from domain.core import clock
from models.accounts import User
from models.cards import Card, CardStatus
from models.notifications import ParentalConsent
from tests.factories import PASSWORD, card_holder, partner_team, young_person
from tests.ledger_invariants import assert_ledger_invariants
from tests.support import jobs_done, unique
from tests.web.support import text_of


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(settings):
    yield
    await assert_ledger_invariants()


def born_aged(years: int) -> date:
    today = clock.paris_today()
    return date(today.year - years, 1, 1) if today.month > 1 else date(today.year - years - 1, 1, 1)


def sign_up_form(email: str, birth: date, **extra: str) -> dict[str, str]:
    return {
        "prenom": "Lina",
        "nom": "Benali",
        "naissance": birth.isoformat(),
        "code_postal": "13003",
        "email": email,
        "mot_de_passe": PASSWORD,
        "parent_nom": "",
        "parent_email": "",
        **extra,
    }


async def test_a_13_year_old_signs_up_and_the_parent_is_asked_at_once(browser, mailbox):
    email, parent = f"{unique('lina')}@jeune.test", f"{unique('parent')}@parent.test"
    await browser.get("/inscription")

    # Under 15 without a parent: refused next to the fields, nothing created.
    refused = await browser.post("/inscription", sign_up_form(email, born_aged(13)))
    assert refused.status_code == 400
    assert 'id="parent_nom-erreur"' in refused.text and 'id="parent_email-erreur"' in refused.text
    assert not await User.exists(email=email)

    form = sign_up_form(email, born_aged(13), parent_nom="Samia Benali", parent_email=parent)
    created = await browser.post("/inscription", form)
    assert created.status_code == 303, text_of(created)
    assert created.headers["location"].startswith("/mon-espace/?bienvenue=1")
    assert "consentement=erreur" not in created.headers["location"]
    home = await browser.follow(created)
    assert home.status_code == 200
    assert "Bonjour Lina" in text_of(home) and "Demande envoyée à" in text_of(home)
    assert "Aucune carte" in text_of(home)

    await jobs_done()
    message = await mailbox.wait_for(parent)
    body = message.get_body(("plain",)).get_content()
    url = next(word for word in body.split() if "consentement-parental?jeton=" in word)
    link = urlsplit(url)
    given = await browser.http.post(f"{link.path}?{link.query}", data={"action": "donner"})
    assert given.status_code == 200 and "accord est enregistré" in given.text
    assert "a donné son accord" in text_of(await browser.get("/mon-espace/"))


async def test_sign_up_refusals_come_from_the_api_rules(browser):
    await browser.get("/inscription")
    too_old = await browser.post(
        "/inscription", sign_up_form(f"{unique('x')}@jeune.test", born_aged(30))
    )
    assert too_old.status_code == 400 and "11 à 25 ans" in text_of(too_old)
    assert 'id="naissance-erreur"' in too_old.text
    elsewhere = await browser.post(
        "/inscription",
        sign_up_form(f"{unique('x')}@jeune.test", born_aged(18), code_postal="75011"),
    )
    assert elsewhere.status_code == 400 and 'id="code_postal-erreur"' in elsewhere.text


async def test_sign_in_lands_a_young_person_in_their_space(browser, other_browser):
    person = await young_person()
    signed = await browser.sign_in(person.email)
    assert signed.headers["location"] == "/mon-espace/"
    assert "Bonjour Jade" in text_of(await browser.follow(signed))
    team = await partner_team()
    other = other_browser
    signed = await other.sign_in(team.principal.email)
    assert signed.headers["location"] == "/partenaires/"
    assert (await other.get("/mon-espace/")).status_code == 403


async def test_a_pupil_activates_a_card_by_its_code_and_sees_it(browser, other_browser):
    holder = await card_holder(activated=False, birth_date=born_aged(13))
    person = await young_person(birth_date=holder.beneficiary.birth_date)
    await browser.sign_in(person.email)
    await browser.get("/mon-espace/activer")

    wrong = await browser.post("/mon-espace/activer", {"code": "ABCD"})
    assert wrong.status_code == 400 and 'id="card-code-erreur"' in wrong.text

    typed = card_codes.format_code(holder.card.code).lower()
    done = await browser.post("/mon-espace/activer", {"code": typed})
    assert done.status_code == 303, text_of(done)
    card_url = done.headers["location"].split("?")[0]
    assert card_url == f"/mon-espace/cartes/{holder.card.id}"
    page = await browser.follow(done)
    words = text_of(page)
    assert "Votre carte est activée" in words
    assert card_codes.format_code(holder.card.code) in words
    assert "Jade Vidal" in words and "Sport, culture et loisirs" in words and "€" in words
    assert (await Card.get(id=holder.card.id)).status == CardStatus.ACTIVE

    svg = await browser.get(card_url + "/qr.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content
    png = await browser.get(card_url + "/qr.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")

    # Someone else's card is not found, nor its QR.
    stranger = await young_person()
    other = other_browser
    await other.sign_in(stranger.email)
    assert (await other.get(card_url)).status_code == 404
    assert (await other.get(card_url + "/qr.svg")).status_code == 404


async def test_the_holder_chooses_a_pin_then_declares_the_card_lost(browser):
    holder = await card_holder(birth_date=born_aged(12))
    await browser.sign_in(holder.user.email)
    card_url = f"/mon-espace/cartes/{holder.card.id}"
    await browser.get(card_url + "/code-pin")
    mismatch = await browser.post(
        card_url + "/code-pin", {"pin": "1234", "pin_confirmation": "4321"}
    )
    assert mismatch.status_code == 400 and 'id="pin_confirmation-erreur"' in mismatch.text
    chosen = await browser.post(card_url + "/code-pin", {"pin": "2580", "pin_confirmation": "2580"})
    assert chosen.status_code == 303
    assert (await Card.get(id=holder.card.id)).pin_hash is not None
    assert "Changer mon code PIN" in text_of(await browser.follow(chosen))

    await browser.get(card_url + "/perte")
    lost = await browser.post(card_url + "/perte", {"motif": "vol"})
    assert lost.status_code == 303
    card = await Card.get(id=holder.card.id)
    assert card.status == CardStatus.OPPOSED and card.opposition_reason == "stolen"
    assert "Carte en opposition" in text_of(await browser.follow(lost))


async def test_a_young_adult_gets_a_digital_card(browser):
    person = await young_person(birth_date=born_aged(19))
    await browser.sign_in(person.email)
    home = await browser.get("/mon-espace/")
    assert "Obtenir ma carte dématérialisée" in text_of(home)
    refused = await browser.post("/mon-espace/carte-numerique", {"commune": "75056"})
    assert refused.status_code == 400 and 'id="commune-erreur"' in refused.text
    from tests.factories import current_school_year

    await current_school_year()
    got = await browser.post("/mon-espace/carte-numerique", {"commune": "13055"})
    assert got.status_code == 303, text_of(got)
    page = await browser.follow(got)
    assert "Ma carte dématérialisée" in text_of(page) and 'id="card-qr"' in page.text


async def test_the_printed_qr_page_is_the_same_for_every_code(browser):
    holder = await card_holder(birth_date=born_aged(13))
    valid = await browser.get(f"/carte/{holder.card.code}")
    unknown = await browser.get(f"/carte/{card_codes.new_code()}")
    nonsense = await browser.get("/carte/pas-un-code")
    assert valid.status_code == unknown.status_code == nonsense.status_code == 200
    assert valid.text == unknown.text == nonsense.text
    assert "Jade" not in valid.text and "Vidal" not in valid.text
    assert 'href="/inscription"' in valid.text


async def test_a_minor_s_consent_waits_only_for_marketing(browser):
    """The card works the day a pupil signs up, whatever the parent does."""
    holder = await card_holder(activated=False, birth_date=born_aged(12))
    await browser.get("/inscription")
    email = f"{unique('noe')}@jeune.test"
    form = sign_up_form(
        email,
        holder.beneficiary.birth_date,
        prenom="Jade",
        nom="Vidal",
        parent_nom="Marc Vidal",
        parent_email=f"{unique('p')}@parent.test",
    )
    assert (await browser.post("/inscription", form)).status_code == 303
    user = await User.get(email=email)
    assert await ParentalConsent.filter(young_person_id=user.id).count() == 1
    await browser.get("/mon-espace/activer")
    done = await browser.post("/mon-espace/activer", {"code": holder.card.code})
    assert done.status_code == 303
    assert (await Card.get(id=holder.card.id)).status == CardStatus.ACTIVE


async def test_the_card_page_lists_payments_with_partner_names_and_cancellations(browser):
    from domain.cards.transactions import cancel_transaction
    from tests.finance_helpers import debit, principal_viewer

    holder = await card_holder(birth_date=born_aged(13))
    team = await partner_team()
    kept = await debit(team, clock.now(), 1055, holder)
    cancelled = await debit(team, clock.now(), 250, holder)
    await cancel_transaction(await principal_viewer(team), cancelled.id)

    await browser.sign_in(holder.user.email)
    page = await browser.get(f"/mon-espace/cartes/{holder.card.id}")
    assert page.status_code == 200
    rows = text_of(page).split("Mes paiements avec la carte")[1]
    assert team.partner.trade_name in rows
    assert "10,55 €" in rows and "Effectuée" in rows
    assert "2,50 €" in rows and "Annulée" in rows
    assert f'id="transaction-{kept.id}"' in page.text


async def test_the_profile_is_private_by_default_and_choices_are_saved(browser):
    person = await young_person(birth_date=born_aged(17))
    await browser.sign_in(person.email)
    page = await browser.get("/mon-espace/profil")
    assert page.status_code == 200
    assert 'id="visibilite-privee" name="visibilite" value="PRIVATE" checked' in page.text
    saved = await browser.post(
        "/mon-espace/profil",
        {"visibilite": "FOLLOWED_PARTNERS", "notif_email": "oui", "pub_email": "oui"},
    )
    assert saved.status_code == 303
    user = await User.get(id=person.id)
    assert user.profile_visibility == "followed_partners"
    assert user.notify_by_email and not user.notify_by_push
    assert user.marketing_email_opt_in and not user.marketing_push_opt_in
    refused = await browser.post("/mon-espace/profil", {"visibilite": "TOUT_LE_MONDE"})
    assert refused.status_code == 400
