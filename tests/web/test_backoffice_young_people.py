"""« Jeunes et cartes » (support): find a young person, open their record (audited with
the reason, the id only), unlock a PIN, replace a lost card carrying its balances."""

from __future__ import annotations

import uuid
from datetime import date

from domain.core import clock
from models.accounts import EmailToken, EmailTokenPurpose, StaffRole, User
from models.audit import AuditEntry
from models.cards import Beneficiary, Card, CardStatus
from models.notifications import ParentalConsent
from tests.factories import card_holder, current_school_year, staff_member
from tests.web.support import Browser, text_of


async def support_signed_in(browser: Browser):
    agent = await staff_member(StaffRole.SUPPORT)
    await browser.sign_in(agent.email)
    return agent


async def open_record(browser: Browser, holder, reason: str = "appel-jeune"):
    await browser.get(f"/departement/jeunes?recherche={holder.card.code}")
    return await browser.post(f"/departement/jeunes/{holder.beneficiary.id}", {"motif": reason})


async def test_a_young_person_is_found_by_name_code_birth_date_or_school(browser):
    # A name, a birth date and a school no other test's pupils share: the search answers a
    # page of the matches, and the database holds many a « Jade Vidal » of Longchamp.
    family = "Vidal" + "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:8])
    holder = await card_holder(birth_date=date(2012, 2, 29))
    await Beneficiary.filter(id=holder.beneficiary.id).update(
        last_name=family, school_name=f"Collège {family}"
    )
    await support_signed_in(browser)

    for wanted in (f"{family} Jade", holder.card.code, "29/02/2012", family):
        found = await browser.get("/departement/jeunes", params={"recherche": wanted})
        assert found.status_code == 200
        assert f'id="young-{holder.beneficiary.id}"' in found.text, wanted
    nobody = await browser.get("/departement/jeunes", params={"recherche": "Zyxwvu"})
    assert "Aucun jeune ne correspond" in text_of(nobody)


async def test_opening_a_record_is_audited_with_the_reason_and_the_id_only(browser):
    holder = await card_holder()
    agent = await support_signed_in(browser)

    opened = await open_record(browser, holder, "appel-parent")

    assert opened.status_code == 200
    shown = text_of(opened)
    assert "Jade Vidal" in shown and "Collège Longchamp" in shown
    assert "100,00 €" in shown or "€" in shown
    entry = await AuditEntry.get(action="young_person.record_opened", actor_id=agent.id)
    assert entry.object_id == str(holder.beneficiary.id)
    assert entry.after == {"reason": "Appel d'un parent"}
    assert "Vidal" not in str(entry.before) + str(entry.after)
    no_reason = await browser.post(f"/departement/jeunes/{holder.beneficiary.id}", {})
    assert no_reason.status_code == 303
    assert (
        await AuditEntry.filter(action="young_person.record_opened", actor_id=agent.id).count() == 1
    )


async def test_a_locked_pin_is_unlocked_from_the_record(browser):
    holder = await card_holder()
    await Card.filter(id=holder.card.id).update(pin_locked_at=clock.now(), pin_failures=3)
    await support_signed_in(browser)
    record = await open_record(browser, holder)
    assert f'id="unlock-{holder.card.id}"' in record.text

    unlocked = await browser.post(
        f"/departement/jeunes/{holder.beneficiary.id}/cartes/{holder.card.id}/deblocage",
        {"motif": "appel-jeune"},
    )

    assert unlocked.status_code == 200
    assert "Le code de la carte est débloqué" in text_of(unlocked)
    assert (await Card.get(id=holder.card.id)).pin_locked_at is None
    assert f'id="unlock-{holder.card.id}"' not in unlocked.text


async def test_a_lost_card_is_replaced_and_the_new_one_carries_the_balance(browser):
    holder = await card_holder()
    await support_signed_in(browser)
    before = text_of(await open_record(browser, holder))

    replaced = await browser.post(
        f"/departement/jeunes/{holder.beneficiary.id}/cartes/{holder.card.id}/remplacement",
        {"motif": "appel-jeune"},
    )

    assert replaced.status_code == 200
    assert "une nouvelle carte est émise" in text_of(replaced)
    assert (await Card.get(id=holder.card.id)).status == CardStatus.OPPOSED
    new = await Card.get(replaces_id=holder.card.id)
    assert f'id="card-{new.id}"' in replaced.text
    balance = before.split("Sport, culture et loisirs : ")[1].split(" ")[0]
    assert text_of(replaced).count(f"Sport, culture et loisirs : {balance}") == 2


async def test_the_section_is_the_support_s_only(browser):
    holder = await card_holder()
    moderator = await staff_member(StaffRole.MODERATION)
    await browser.sign_in(moderator.email)
    home = await browser.get("/departement/")
    assert "/departement/jeunes" not in home.text
    assert (await browser.get("/departement/jeunes?recherche=Vidal")).status_code == 403
    refused = await browser.post(
        f"/departement/jeunes/{holder.beneficiary.id}", {"motif": "appel-jeune"}
    )
    assert refused.status_code == 403
    assert not await AuditEntry.filter(object_id=str(holder.beneficiary.id)).exists()


async def test_a_verification_email_is_sent_again_and_a_paper_consent_recorded(browser):
    under_15 = date(clock.paris_today().year - 13, 1, 1)
    holder = await card_holder(birth_date=under_15)
    await User.filter(id=holder.user.id).update(email_verified_at=None)
    await support_signed_in(browser)
    record = await open_record(browser, holder)
    assert 'id="resend-verification"' in record.text and 'id="consent-form"' in record.text

    resent = await browser.post(
        f"/departement/jeunes/{holder.beneficiary.id}/verification",
        {"motif": "appel-jeune", "compte": str(holder.user.id)},
    )
    assert resent.status_code == 200 and "Un nouveau lien de vérification" in text_of(resent)
    live = EmailToken.filter(
        user_id=holder.user.id,
        purpose=EmailTokenPurpose.VERIFY_EMAIL,
        used_at__isnull=True,
        expires_at__gt=clock.now(),
    )
    assert await live.count() == 1

    url = f"/departement/jeunes/{holder.beneficiary.id}/consentement"
    missing = await browser.post(url, {"motif": "appel-parent", "compte": str(holder.user.id)})
    assert missing.status_code == 422
    assert 'id="parent-name-erreur"' in missing.text and 'id="parent-email-erreur"' in missing.text
    recorded = await browser.post(
        url,
        {
            "motif": "appel-parent",
            "compte": str(holder.user.id),
            "parent_name": "Marie Vidal",
            "parent_email": "marie.vidal@famille.test",
        },
    )
    assert recorded.status_code == 200 and "Le consentement parental est enregistré" in text_of(
        recorded
    )
    consent = await ParentalConsent.get(young_person_id=holder.user.id)
    assert consent.parent_name == "Marie Vidal" and consent.given_at is not None


async def test_an_eligible_pupil_is_added_by_hand_with_the_import_s_checks(browser):
    year = await current_school_year()
    await support_signed_in(browser)
    page = await browser.get("/departement/jeunes/ajout")
    assert page.status_code == 200 and year.label in text_of(page)
    identifier = f"MAIN{uuid.uuid4().hex[:10].upper()}"
    born = f"{year.starts_on.year - 12}-03-04"
    pupil = {
        "identifiant": identifier,
        "nom": "Durand",
        "prenom": "Lina",
        "naissance": born,
        "etablissement": "MFR de Lambesc",
        "commune": "13050",
    }

    missing = await browser.post("/departement/jeunes/ajout", {**pupil, "nom": ""})
    assert missing.status_code == 422 and 'id="nom-erreur"' in missing.text
    too_old = await browser.post(
        "/departement/jeunes/ajout", {**pupil, "naissance": f"{year.starts_on.year - 30}-01-01"}
    )
    assert too_old.status_code == 422 and 'id="pupil-refused"' in too_old.text
    assert not await Beneficiary.exists(school_identifier=identifier)
    added = await browser.post("/departement/jeunes/ajout", pupil)

    assert added.status_code == 200 and "Lina Durand est inscrit(e)" in text_of(added)
    beneficiary = await Beneficiary.get(school_identifier=identifier)
    assert beneficiary.school_name == "MFR de Lambesc"
    assert await Card.filter(beneficiary_id=beneficiary.id, school_year_id=year.id).count() == 1
    again = await browser.post("/departement/jeunes/ajout", pupil)
    assert again.status_code == 422 and "déjà inscrit" in text_of(again)
