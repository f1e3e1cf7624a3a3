"""The « Tableau de bord » (`/partenaires/`): each figure the delegate's permissions open,
with a link to its section, and what needs attention (a refused deal with its reason, bank
details missing, the yearly bon plan not yet proposed)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from domain.core import clock
from infra.geocoding import OfflineGeocoder, use_geocoder
from models.partners import DelegatePermission
from tests.factories import collaborator, partner_team
from tests.finance_helpers import debit, paid_partner, paris
from tests.support import GraphQLClient
from tests.web.content_support import deal_fields, moderate, offer_id_of, post_with_files
from tests.web.support import Browser, text_of

HOME = "/partenaires/"


@pytest.fixture(scope="module", autouse=True)
def offline_geocoder() -> Iterator[None]:
    previous = use_geocoder(OfflineGeocoder())
    yield
    use_geocoder(previous)


def figure(page, name: str) -> str:
    found = re.search(
        rf'<li class="figure" id="figure-{name}">(.*?)</li>\s*(?:<li class="figure"|</ul>)',
        page.text,
        re.S,
    )
    assert found, f"no figure {name}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


async def test_a_new_partner_s_principal_sees_what_to_do_and_every_figure(
    browser: Browser, gql: GraphQLClient
):
    team = await partner_team()
    now = clock.now().astimezone(clock.PARIS)
    await debit(team, paris(now.date(), now.hour, now.minute), 1050)
    await debit(team, paris(now.date(), now.hour, now.minute), 250)
    await browser.sign_in(team.principal.email)
    await browser.get("/partenaires/bons-plans/nouveau")
    saved = await post_with_files(
        browser, "/partenaires/bons-plans/nouveau", deal_fields(action="soumettre")
    )
    offer_id = offer_id_of(saved.headers["location"])
    await moderate(gql, offer_id, False, "Ajoutez les horaires.")

    page = await browser.get(HOME)

    assert page.status_code == 200
    words = text_of(page)
    assert "Tableau de bord" in words
    assert 'id="attention-bank-missing"' in page.text
    assert 'href="/partenaires/coordonnees-bancaires"' in page.text
    assert 'id="attention-commitment"' in page.text
    refused = re.search(rf'id="attention-refused-{offer_id}">(.*?)</li>', page.text, re.S)
    assert refused and "Ajoutez les horaires." in refused.group(1)
    assert f'/partenaires/bons-plans/{offer_id}"' in refused.group(1)
    assert "13,00 €" in figure(page, "today") and "2 transactions" in figure(page, "today")
    assert 'href="/partenaires/transactions"' in page.text
    assert "13,00 €" in figure(page, "fortnight")
    assert 'href="/partenaires/remboursements"' in page.text
    assert "après le" in figure(page, "next-reimbursement")
    assert "0" in figure(page, "followers") and 'href="/partenaires/profil"' in page.text
    assert "1 refusé" in figure(page, "deals")


async def test_a_partner_with_bank_details_and_a_published_deal_has_nothing_to_do(
    browser: Browser, gql: GraphQLClient
):
    from tests.resolvers.test_bon_plan_uses import published_deal

    team = await paid_partner()
    await published_deal(team)
    await browser.sign_in(team.principal.email)

    page = await browser.get(HOME)

    assert 'id="attention"' not in page.text
    assert "1 publié" in figure(page, "deals") and "0,00 €" in figure(page, "today")


async def test_each_collaborator_sees_the_figures_of_their_permissions(browser: Browser):
    team = await partner_team()
    cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    await browser.sign_in(cashier.email)

    page = await browser.get(HOME)

    assert 'id="figure-today"' in page.text and 'id="figure-fortnight"' in page.text
    for hidden in ("figure-next-reimbursement", "figure-deals", "attention-bank-missing"):
        assert f'id="{hidden}"' not in page.text, hidden
    assert 'href="/partenaires/transactions?jour=tous"' in page.text  # not the finance page
    assert 'id="attention-commitment"' in page.text  # everyone's concern, no link to add

    editor = await collaborator(team, DelegatePermission.OFFERS_AND_POSTS)
    await browser.http.post("/deconnexion", data={"csrf": browser.csrf()})
    browser.http.cookies.clear()
    await browser.sign_in(editor.email)
    page = await browser.get(HOME)
    assert 'id="figure-deals"' in page.text and 'id="figure-today"' not in page.text
    assert 'href="/partenaires/bons-plans/nouveau"' in page.text
