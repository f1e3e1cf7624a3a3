"""Bons plans at the till, in Chromium: a 16–25's card (no wallet) shows the partner's deals
the holder may use, and a double click on « Enregistrer l'utilisation » records one use (no
money moves). Their API comes with h19-dealuse: skipped until it is merged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from infra.geocoding import OfflineGeocoder, use_geocoder
from models.transactions import CardTransaction
from tests.browser.partner_space import TILL, open_page, sign_in
from tests.factories import till

deals = pytest.importorskip(
    "tests.resolvers.test_bon_plan_uses", reason="the bons plans' API (h19-dealuse) is not here"
)


@pytest.fixture(scope="module", autouse=True)
def offline_geocoder() -> Iterator[None]:  # the deal's place is geocoded offline
    previous = use_geocoder(OfflineGeocoder())
    yield
    use_geocoder(previous)


async def test_a_young_adult_s_card_lists_the_deals_and_a_double_click_records_one_use(
    page: Page, look_at
):
    from models.transactions import BonPlanUse

    team, cashier = await till()
    deal = await deals.published_deal(team, title="Une place offerte")
    _, card = await deals.young_adult(19)
    await sign_in(page, cashier)
    await open_page(page, TILL)
    await page.locator("#card-code").fill(card.code)
    await page.locator("#lookup-button").click()

    listed = page.locator(f"#bon-plan-{deal.id}")
    await expect(listed).to_contain_text("Une place offerte")
    await expect(page.locator("#no-wallet")).to_be_visible()
    await expect(page.locator("#amount")).to_have_count(0)  # nothing to debit
    await look_at(page, "listed")

    await listed.get_by_role("button", name="Enregistrer l'utilisation").dblclick()

    await expect(page.locator("#deal-done")).to_contain_text("Une place offerte")
    await expect(page.locator("#card-code")).to_be_focused()  # ready for the next card
    await look_at(page, "recorded")
    assert await BonPlanUse.filter(card_id=card.id).count() == 1
    assert not await CardTransaction.filter(card_id=card.id).exists()

    await page.locator("#card-code").fill(card.code)
    await page.locator("#lookup-button").click()
    await expect(page.locator(f"#bon-plan-{deal.id}")).to_contain_text("Déjà utilisé 1 fois")
