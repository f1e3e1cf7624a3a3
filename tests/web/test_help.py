"""« Aide »: the guide's answers for every delegate, and the Assistance's phone and email
(from the settings) on the page and in every page's footer."""

from __future__ import annotations

from models.partners import DelegatePermission
from tests.factories import collaborator, partner_team
from tests.web.support import text_of


async def test_every_delegate_reads_the_guide_s_answers_and_the_assistance(browser, settings):
    team = await partner_team()
    await browser.sign_in((await collaborator(team, DelegatePermission.PROFILE)).email)

    page = await browser.get("/partenaires/aide")

    assert page.status_code == 200 and 'id="tab-help"' in page.text
    shown = text_of(page)
    for answer in (
        "100 € pour le sport, la culture et les loisirs et 50 € pour le soutien scolaire",
        "Carte non activée",
        "Carte en opposition",
        "le jour même",
        "tous les 15 jours",
        "au moins un bon plan par an",
        "tourisme et insertion professionnelle réservés aux 18–25 ans",
    ):
        assert answer in shown, answer
    footer = page.text.split('<footer class="site-footer">')[1]
    assert settings.hotline_phone in footer and settings.assistance_email in footer
    assert f'href="mailto:{settings.assistance_email}"' in footer
    signed_out = await browser.http.get("/accessibilite")
    assert settings.assistance_email in signed_out.text.split('<footer class="site-footer">')[1]
