"""Tableau de bord (every staff role): the programme's figures of a known school year, with
each chart's data table; not for people outside the staff."""

from __future__ import annotations

from datetime import date

from domain.core import clock
from models.accounts import StaffRole
from tests.domain.reporting.test_programme_figures import known_year  # noqa: F401 (fixture)
from tests.factories import partner_team, staff_member
from tests.finance_helpers import paris
from tests.web.support import text_of


async def test_every_staff_role_reads_the_figures_with_their_tables(browser, known_year):  # noqa: F811
    for role in (StaffRole.MODERATION, StaffRole.FINANCE, StaffRole.ADMINISTRATOR):
        await browser.sign_in((await staff_member(role)).email)
        home = await browser.get("/departement/")
        assert 'id="tab-tableau-de-bord"' in home.text
        with clock.frozen(paris(date(2045, 10, 1))):
            page = await browser.get(f"/departement/tableau-de-bord?annee={known_year.id}")
        assert page.status_code == 200
        await browser.post("/deconnexion")

    words = text_of(page)
    assert "Année scolaire 2044-2045 : du 01/09/2044 au 31/08/2045" in words
    assert "Cartes activées 2 sur 3 cartes émises" in words
    assert "Dépensé avec la carte 35,50 €" in words
    assert "Bons plans publiés 2 et 1 événement" in words
    assert "Jeunes touchés par les campagnes 1 1 campagne lancée" in words
    # Each chart is an SVG with a title and a description, followed by its data table.
    for chart in ("chart-wallets", "chart-activations", "chart-weeks", "chart-campaigns"):
        assert f'aria-labelledby="{chart}-svg-titre {chart}-svg-desc"' in page.text
        assert f'id="{chart}-donnees"' in page.text
    weeks = page.text.split('id="chart-weeks-donnees"', 1)[1].split("</table>", 1)[0]
    assert "semaine du 29 août 2044" in weeks and "10,00" in weeks
    assert "semaine du 10 octobre 2044" in weeks and "20,00" in weeks
    months = page.text.split('id="chart-activations-donnees"', 1)[1].split("</table>", 1)[0]
    assert 'septembre 2044</th><td class="number">1' in months
    assert 'class="chart__bar"' in page.text and "<script" not in page.text.split("<main", 1)[1]


async def test_the_figures_are_the_staff_s_only(browser):
    team = await partner_team(name="Curieux")
    await browser.sign_in(team.principal.email)
    refused = await browser.get("/departement/tableau-de-bord")
    assert refused.status_code == 403 and "Cartes activées" not in text_of(refused)
    assert "/departement/tableau-de-bord" not in refused.text
