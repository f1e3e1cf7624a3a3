"""The programme's figures on a small known school year (2044-2045, which no other test
uses): cards, money per wallet and per Paris week (cancelled debits out), activations per
month, deals and events published, a campaign's reach."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.accounts.viewer import Viewer
from domain.cards.school_years import create_school_year
from domain.cards.transactions import cancel_transaction
from domain.core import clock
from domain.reporting.figures import programme_figures
from models.campaigns import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus
from models.cards import SchoolYear
from models.offers import Offer, OfferKind
from models.partners import Partner, PartnerStatus
from tests.factories import card_holder, partner_team
from tests.finance_helpers import debit, paris, principal_viewer

STARTS = date(2044, 9, 1)  # a Thursday: its week starts on Monday 29 August
BORN = date(2031, 4, 2)


@pytest.fixture(scope="module")
async def known_year(app):
    """The year and its data, made once per run (tests/web's figures use it too)."""
    made = await SchoolYear.get_or_none(label="2044-2045")
    if made is not None:
        return made
    year = await create_school_year(Viewer(), STARTS)
    team = await partner_team(name="Chiffres")
    with clock.frozen(paris(date(2044, 9, 2))):
        first = await card_holder(year, birth_date=BORN)
    with clock.frozen(paris(date(2044, 10, 10))):
        second = await card_holder(year, birth_date=BORN)
        await card_holder(year, activated=False, birth_date=BORN)
    await debit(team, paris(date(2044, 9, 2), 11), 1000, first)
    await debit(team, paris(date(2044, 9, 5), 9), 550, first)  # Monday: the next week
    await debit(team, paris(date(2044, 10, 10), 15), 2000, second)
    cancelled = await debit(team, paris(date(2044, 10, 10), 16), 700, second)
    with clock.frozen(paris(date(2044, 10, 10), 17)):
        await cancel_transaction(await principal_viewer(team), cancelled.id)
    for kind, day in ((OfferKind.DEAL, 5), (OfferKind.DEAL, 6), (OfferKind.EVENT, 7)):
        await Offer.create(
            partner_id=team.partner.id, kind=kind, first_published_at=paris(date(2044, 11, day))
        )
    await Offer.create(  # published before the year: not counted
        partner_id=team.partner.id, kind=OfferKind.DEAL, first_published_at=paris(date(2044, 8, 1))
    )
    campaign = await Campaign.create(
        name="Rentrée 2044",
        channels=["email", "push"],
        title="Bienvenue",
        body="Votre carte est prête.",
        status=CampaignStatus.COMPLETED,
        started_at=paris(date(2044, 9, 15)),
        targeted=3,
    )
    for user, channel, status in (
        (first.user, "email", RecipientStatus.SENT),
        (first.user, "push", RecipientStatus.SENT),
        (second.user, "email", RecipientStatus.FAILED),
    ):
        sent = status == RecipientStatus.SENT
        await CampaignRecipient.create(
            campaign=campaign,
            user=user,
            channel=channel,
            status=status,
            sent_at=paris(date(2044, 9, 15), 11) if sent else None,
            reason=None if sent else "Adresse refusée",
        )
    return year


async def test_the_figures_of_a_known_year(known_year):
    with clock.frozen(paris(date(2045, 10, 1))):  # the year is over: counted to its end
        figures = await programme_figures(known_year.id)

    assert figures.school_year.label == "2044-2045" and figures.until == date(2045, 8, 31)
    assert (figures.cards_issued, figures.cards_activated) == (3, 2)
    months = {c.starts_on: c.value for c in figures.activations_by_month}
    assert len(months) == 12 and months[date(2044, 9, 1)] == 1
    assert months[date(2044, 10, 1)] == 1 and sum(months.values()) == 2
    [sport] = figures.spending_by_wallet
    assert (sport.kind, sport.amount_cents, sport.transactions, sport.partners) == (
        "SPORT_CULTURE_LOISIRS",
        3550,
        3,
        1,
    )
    assert figures.amount_spent_cents == 3550
    weeks = {c.starts_on: c.value for c in figures.spending_by_week}
    assert min(weeks) == date(2044, 8, 29) and max(weeks) == date(2045, 8, 28)
    assert all(day.weekday() == 0 for day in weeks)
    assert weeks[date(2044, 8, 29)] == 1000 and weeks[date(2044, 9, 5)] == 550
    assert weeks[date(2044, 10, 10)] == 2000 and sum(weeks.values()) == 3550
    assert figures.partners_with_transactions == 1
    assert figures.active_partners == await Partner.filter(status=PartnerStatus.ACTIVE).count()
    assert (figures.deals_published, figures.events_published) == (2, 1)
    [reach] = figures.campaigns
    assert (reach.name, reach.targeted, reach.sent, reach.people) == ("Rentrée 2044", 3, 2, 1)
    assert figures.people_reached == 1


async def test_during_the_year_the_weeks_stop_today(known_year):
    with clock.frozen(paris(date(2044, 10, 12))):
        figures = await programme_figures(known_year.id)

    assert figures.until == date(2044, 10, 12)
    assert max(c.starts_on for c in figures.spending_by_week) == date(2044, 10, 10)
    assert [c.starts_on for c in figures.activations_by_month][-1] == date(2044, 10, 1)
    assert figures.spending_by_week[-1].starts_on - timedelta(days=7) == date(2044, 10, 3)
