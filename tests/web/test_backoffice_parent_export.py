"""A parent asks the support desk for their under-15 child's data: the button on the
record, with its reason; the link goes to the parent on record, whatever is typed."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from urllib.parse import urlsplit

from domain.core import clock
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.notifications import ParentalConsent
from tests.factories import card_holder, staff_member
from tests.support import jobs_done, unique
from tests.web.support import Browser, text_of


async def open_record(browser: Browser, holder):
    await browser.sign_in((await staff_member(StaffRole.SUPPORT)).email)
    await browser.get(f"/departement/jeunes?recherche={holder.card.code}")
    return await browser.post(
        f"/departement/jeunes/{holder.beneficiary.id}", {"motif": "appel-parent"}
    )


async def test_support_sends_the_child_s_data_to_the_parent_on_record(browser, mailbox):
    holder = await card_holder(birth_date=date(2013, 9, 9))
    parent_email = f"{unique('parent')}@famille.test"
    await ParentalConsent.create(
        young_person_id=holder.user.id,
        parent_name="Marc Vidal",
        parent_email=parent_email,
        given_at=clock.now(),
    )
    record = await open_record(browser, holder)
    assert 'id="parent-export-button"' in record.text
    missing = await browser.post(
        f"/departement/jeunes/{holder.beneficiary.id}/donnees-parent",
        {"motif": "appel-parent", "compte": str(holder.user.id), "raison_export": ""},
    )
    assert missing.status_code == 422 and "Saisissez le motif" in text_of(missing)

    sent = await browser.post(
        f"/departement/jeunes/{holder.beneficiary.id}/donnees-parent",
        {
            "motif": "appel-parent",
            "compte": str(holder.user.id),
            "raison_export": "Appel du père, identité vérifiée",
            "parent_email": "intrus@ailleurs.test",  # a typed address is never used
        },
    )

    assert sent.status_code == 200
    assert "envoyé par e-mail à l'adresse du parent enregistrée" in text_of(sent)
    await jobs_done()
    message = await mailbox.wait_for(parent_email, "données")
    assert mailbox.to("intrus@ailleurs.test") == []
    body = message.get_body(("plain",)).get_content()
    link = urlsplit(next(w for w in body.split() if "/mes-donnees/" in w)).path
    archive = await browser.http.get(link)
    assert archive.headers["content-type"] == "application/zip"
    data = json.loads(zipfile.ZipFile(io.BytesIO(archive.content)).read("donnees.json"))
    assert data["account"]["email"] == holder.user.email
    assert [c["code"] for c in data["cards"]] == [holder.card.code]
    entry = await AuditEntry.get(
        action="privacy.export_for_parent_requested", object_id=str(holder.user.id)
    )
    assert entry.after["reason"] == "Appel du père, identité vérifiée"


async def test_without_a_parent_on_record_the_record_says_why(browser, mailbox):
    holder = await card_holder(birth_date=date(2014, 1, 20))
    await open_record(browser, holder)

    refused = await browser.post(
        f"/departement/jeunes/{holder.beneficiary.id}/donnees-parent",
        {"motif": "appel-parent", "compte": str(holder.user.id), "raison_export": "Appel"},
    )

    assert refused.status_code == 422
    assert 'id="parent-export-refused"' in refused.text
    assert "Aucun parent n'est enregistré" in text_of(refused)


async def test_no_button_for_a_young_person_of_15_or_more(browser):
    holder = await card_holder(birth_date=date(2010, 1, 20))
    record = await open_record(browser, holder)
    assert record.status_code == 200 and 'id="parent-export-button"' not in record.text
