"""A young person's copy of their data (GDPR art. 15 and 20): asked from their page, built by
the background job, its link emailed; the archive's JSON holds their data and no one
else's; the link expires, and a changed one is refused."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from domain.core import clock
from models.accounts import User
from models.cards import Beneficiary
from tests.factories import card_holder, partner_team
from tests.finance_helpers import debit
from tests.ledger_invariants import assert_ledger_invariants
from tests.support import jobs_done, unique


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(settings):
    yield
    await assert_ledger_invariants()


def export_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return urlsplit(next(w for w in body.split() if "/mes-donnees/" in w)).path


async def test_the_archive_holds_the_pupil_s_data_and_no_one_else_s(browser, mailbox):
    holder, other = await card_holder(), await card_holder()
    first, other_first = unique("Exportzq"), unique("Autrezq")
    await User.filter(id=holder.user.id).update(first_name=first)
    await Beneficiary.filter(id=holder.beneficiary.id).update(first_name=first)
    await User.filter(id=other.user.id).update(first_name=other_first)
    team = await partner_team()
    done = await debit(team, clock.now(), 1055, holder)
    await debit(team, clock.now(), 700, other)

    await browser.sign_in(holder.user.email)
    await browser.get("/mon-espace/")
    asked = await browser.post("/mon-espace/mes-donnees")
    assert asked.status_code == 303
    assert "recevoir par e-mail" in (await browser.follow(asked)).text
    await jobs_done()
    link = export_link(await mailbox.wait_for(holder.user.email, "données"))

    answer = await browser.http.get(link)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["cache-control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    data = json.loads(archive.read("donnees.json"))
    text = json.dumps(data)
    assert data["account"]["email"] == holder.user.email
    assert data["account"]["first_name"] == first
    assert "password_hash" not in data["account"]
    assert [t["reference"] for t in data["transactions"]] == [done.reference]
    assert data["transactions"][0]["partner_name"] == team.partner.trade_name
    assert other_first not in text and other.user.email not in text
    assert str(other.card.id) not in text

    # A changed link is worthless; an expired one says so.
    assert (await browser.http.get(link[:-2] + "xx")).status_code == 404
    with clock.frozen(clock.now() + timedelta(days=8)):
        assert (await browser.http.get(link)).status_code == 410
