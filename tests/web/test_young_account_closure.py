"""Closing a young person's account (GDPR art. 17), from their page: the personal data are
erased or pseudonymised everywhere (every text column of every table is scanned for the
pupil's name, email and birth date), the card is opposed, the ledger still sums to zero and
the partner's statement reads the same; the append-only tables keep their triggers."""

from __future__ import annotations

import pytest

from domain.core import clock
from domain.finance import statements
from domain.notifications.devices import register_device
from domain.social.follows import follow
from models import sql
from models.accounts import User
from models.audit import AuditEntry
from models.cards import Beneficiary, Card, CardStatus
from models.notifications import ParentalConsent
from tests.factories import PASSWORD, card_holder, partner_team
from tests.finance_helpers import debit
from tests.ledger_invariants import assert_ledger_invariants
from tests.personal_data import where_found
from tests.support import unique
from tests.web.support import text_of


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(settings):
    yield
    await assert_ledger_invariants()


async def a_pupil_with_a_history():
    """A pupil with unique names, a debit at a partner, a follow, a device, a parent."""
    holder = await card_holder()
    first, last = unique("Prenomzq"), unique("Nomzq")
    await User.filter(id=holder.user.id).update(first_name=first, last_name=last)
    await Beneficiary.filter(id=holder.beneficiary.id).update(first_name=first, last_name=last)
    team = await partner_team()
    await debit(team, clock.now(), 1055, holder)
    await follow(holder.user.id, team.partner.id)
    await register_device(holder.user.id, unique("fcm-token-abcdefghijklmnop-"), "android")
    await ParentalConsent.create(
        young_person_id=holder.user.id,
        parent_name=f"Parent {last}",
        parent_email=f"parent-{holder.user.email}",
    )
    user = await User.get(id=holder.user.id)
    return holder, team, user


def traces_of(user: User) -> list[str]:
    born = user.birth_date
    assert born is not None
    return [
        user.first_name,
        user.last_name,
        user.email,
        born.isoformat(),
        born.strftime("%d/%m/%Y"),
    ]


async def test_closing_the_account_leaves_no_personal_data_and_the_books_intact(browser):
    holder, team, user = await a_pupil_with_a_history()
    today = clock.paris_today()
    statement_before = await statements.of_range(team.partner.id, today, today)
    assert await where_found(traces_of(user))  # the scan sees them before

    await browser.sign_in(user.email)
    page = await browser.get("/mon-espace/fermer-mon-compte")
    assert page.status_code == 200 and "Fermer mon compte" in text_of(page)
    wrong = await browser.post("/mon-espace/fermer-mon-compte", {"mot_de_passe": "faux"})
    assert wrong.status_code == 400 and 'id="mot_de_passe-erreur"' in wrong.text
    assert (await User.get(id=user.id)).is_active

    closed = await browser.post("/mon-espace/fermer-mon-compte", {"mot_de_passe": PASSWORD})
    assert closed.status_code == 200 and "Votre compte est fermé" in text_of(closed)

    assert await where_found(traces_of(user)) == []
    card = await Card.get(id=holder.card.id)
    assert card.status == CardStatus.OPPOSED and card.opposition_reason == "closed"
    statement_after = await statements.of_range(team.partner.id, today, today)
    assert statement_after == statement_before
    # Signed out, and the old password opens nothing.
    assert (await browser.get("/mon-espace/")).status_code == 303
    await browser.get("/connexion")
    again = await browser.post("/connexion", {"email": user.email, "password": PASSWORD})
    assert again.status_code == 400


async def test_the_append_only_tables_keep_their_triggers_after_a_closure(browser):
    _, _, user = await a_pupil_with_a_history()
    await browser.sign_in(user.email)
    await browser.get("/mon-espace/fermer-mon-compte")
    await browser.post("/mon-espace/fermer-mon-compte", {"mot_de_passe": PASSWORD})
    entry = await AuditEntry.get(action="account.closed", object_id=str(user.id))
    assert entry.before is None and entry.after is None  # ids only, no personal data
    with pytest.raises(Exception, match="append-only"):
        await sql.execute("DELETE FROM audit_entries WHERE id = $1", entry.id)
    with pytest.raises(Exception, match="append-only"):
        await sql.execute("UPDATE ledger_entries SET amount_cents = amount_cents")
