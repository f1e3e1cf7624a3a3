"""Bons plans at the till's page: the deals a holder may use are listed after the lookup,
and a button records a use once (no money moves). Their API comes with h19-dealuse: these
tests run once it is merged, and are skipped before."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from infra.geocoding import OfflineGeocoder, use_geocoder
from models.transactions import CardTransaction
from tests.factories import till
from tests.web.support import Browser, text_of
from tests.web.test_till import look_up

bons_plans_api = pytest.importorskip(
    "tests.resolvers.test_bon_plan_uses", reason="the bons plans' API (h19-dealuse) is not here"
)


@pytest.fixture(scope="module", autouse=True)
def offline_geocoder() -> Iterator[None]:
    previous = use_geocoder(OfflineGeocoder())
    yield
    use_geocoder(previous)


def deal_form(page, deal_id: str) -> dict[str, str]:
    item = re.search(rf'<li id="bon-plan-{deal_id}">(.*?)</li>', page.text, re.S)
    assert item, f"deal {deal_id} not listed"
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', item.group(1)))
    assert {"csrf", "code", "bon_plan", "idempotency_key"} <= set(fields)
    return fields


async def test_a_young_adult_s_card_shows_the_deals_and_a_use_is_recorded_once(
    browser: Browser,
):
    from models.transactions import BonPlanUse

    team, cashier = await till()
    deal = await bons_plans_api.published_deal(team, title="Une place offerte")
    _, card = await bons_plans_api.young_adult(19)
    await browser.sign_in(cashier.email)
    await browser.get("/partenaires/caisse")

    found = await look_up(browser, card.code)

    assert found.status_code == 200
    assert 'id="no-wallet"' in found.text and 'id="debit-form"' not in found.text
    assert "Une place offerte" in text_of(found) and 'id="bons-plans"' in found.text
    form = deal_form(found, str(deal.id))
    used = await browser.post("/partenaires/caisse/bon-plan", form)
    again = await browser.post("/partenaires/caisse/bon-plan", form)  # a double click

    for answer in (used, again):
        assert answer.status_code == 200
        assert "Bon plan enregistré" in text_of(answer) and 'id="deal-done"' in answer.text
        assert re.search(
            r'<input[^>]+id="card-code" name="code" value=""[^>]+autofocus', answer.text, re.S
        )
    assert await BonPlanUse.filter(card_id=card.id).count() == 1
    assert not await CardTransaction.filter(card_id=card.id).exists()  # no money moved

    shown = await look_up(browser, card.code)
    assert "Déjà utilisé 1 fois par ce jeune" in text_of(shown)


async def test_a_deal_gone_since_the_lookup_is_refused_in_the_deals_list(browser: Browser):
    from models.transactions import BonPlanUse

    team, cashier = await till()
    deal = await bons_plans_api.published_deal(team, title="Bientôt retiré")
    _, card = await bons_plans_api.young_adult(20)
    await browser.sign_in(cashier.email)
    await browser.get("/partenaires/caisse")
    form = deal_form(await look_up(browser, card.code), str(deal.id))
    await bons_plans_api.withdraw(await bons_plans_api.viewer_of(team.principal), deal.id)

    refused = await browser.post("/partenaires/caisse/bon-plan", form)

    assert refused.status_code == 422
    error = re.search(r'id="bons-plans-erreur"[^>]*>(.*?)</p>', refused.text, re.S)
    assert error and error.group(1).strip()
    assert 'id="bon-plan-' not in refused.text  # no longer listed
    assert not await BonPlanUse.filter(card_id=card.id).exists()


async def test_another_partner_s_deal_is_refused_by_url(browser: Browser):
    from models.transactions import BonPlanUse

    team, cashier = await till()
    other_team, _ = await till()
    ours = await bons_plans_api.published_deal(team, title="Chez nous")
    theirs = await bons_plans_api.published_deal(other_team, title="Ailleurs")
    _, card = await bons_plans_api.young_adult(20)
    await browser.sign_in(cashier.email)
    await browser.get("/partenaires/caisse")
    form = deal_form(await look_up(browser, card.code), str(ours.id))

    refused = await browser.post(
        "/partenaires/caisse/bon-plan", {**form, "bon_plan": str(theirs.id)}
    )

    assert refused.status_code == 403 and "Accès refusé" in text_of(refused)
    assert not await BonPlanUse.filter(card_id=card.id).exists()
