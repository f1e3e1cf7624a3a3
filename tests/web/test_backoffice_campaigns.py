"""Campagnes (marketing): compose a campaign with its errors in French, count its audience
after the consent rules (htmx and « Recalculer »), preview it, try it on oneself, send it
and follow its progress to the end (a refused address counted as a bounce); the other
roles have no tab and are refused."""

from __future__ import annotations

import re
from email.message import EmailMessage

from domain.offers.moderation import decide
from models.accounts import StaffRole, User
from models.campaigns import Campaign, CampaignStatus
from models.cards import Beneficiary, BeneficiaryKind
from models.offers import Offer
from tests.factories import partner_team, staff_member
from tests.push.test_campaigns import follower
from tests.support import jobs_done, unique
from tests.web.backoffice_helpers import submitted_deal, viewer_of
from tests.web.support import Browser, text_of

HOME = "/departement/campagnes"
HTMX = {"HX-Request": "true"}


async def pupil_at(school: str, age: int, *, email: bool = True) -> User:
    """A young person of `age` at `school`, who accepts marketing by email (or not)."""
    person = await follower((await partner_team()).partner, age, email=email, device=False)
    await Beneficiary.create(
        kind=BeneficiaryKind.YOUNG_ADULT,
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
        school_name=school,
        commune_code="13201",
        user=person,
    )
    return person


async def published_deal(title: str) -> Offer:
    """A deal on show today, as the campaign's featured offers are picked from."""
    offer = await submitted_deal(await partner_team(), title=title)
    moderator = await viewer_of(await staff_member(StaffRole.MODERATION))
    await decide(moderator, offer.working_revision_id, True, None)
    return await Offer.get(id=offer.id)


def compose(school: str, **changes: str | list[str]) -> dict:
    values: dict = {
        "nom": "Fête de la musique",
        "canaux": ["EMAIL"],
        "objet": "La fête de la musique près de chez toi",
        "titre": "C'est la fête !",
        "message": "Des concerts gratuits partout.\n\nÀ bientôt sur CJeune.",
        "etablissements": school,
        "action": "enregistrer",
    }
    values.update(changes)
    return values


def links_of(message: EmailMessage) -> list[str]:
    html = message.get_body(("html",)).get_content()
    return re.findall(r'href="([^"]+)"', html)


async def marketing_signed_in(browser: Browser) -> User:
    staff = await staff_member(StaffRole.MARKETING)
    await browser.sign_in(staff.email)
    return staff


async def send_and_finish(browser: Browser, campaign_id: str):
    await browser.get(f"{HOME}/{campaign_id}")
    sent = await browser.post(f"{HOME}/{campaign_id}/envoi", {"quand": "maintenant"})
    assert sent.status_code == 303
    for _ in range(100):  # batch jobs kick one another in-process
        await jobs_done()
        if (await Campaign.get(id=campaign_id)).status == CampaignStatus.COMPLETED:
            break
    return await browser.get(f"{HOME}/{campaign_id}/progression", headers=HTMX)


async def test_the_form_says_what_is_wrong_in_french_next_to_each_field(browser):
    await marketing_signed_in(browser)
    await browser.get(f"{HOME}/nouvelle")
    school, name = unique("Collège"), unique("Rentrée")

    empty = await browser.post(
        f"{HOME}/nouvelle", compose(school, nom="", message="", objet="", age_min="dix")
    )
    assert empty.status_code == 422
    for field in ("nom", "message", "objet", "age-min"):
        assert f'id="{field}-erreur"' in empty.text, field
    shown = text_of(empty)
    assert "Donnez un nom à la campagne" in shown and "Indiquez l'objet de l'e-mail" in shown
    assert "Indiquez un âge en années" in shown and "4 erreurs empêchent de continuer" in shown

    too_young = await browser.post(f"{HOME}/nouvelle", compose(school, nom=name, age_min="8"))
    assert too_young.status_code == 422 and 'id="age-min-erreur"' in too_young.text
    assert "L'âge doit être compris entre 11 et 25 ans." in text_of(too_young)
    reversed_ages = await browser.post(
        f"{HOME}/nouvelle", compose(school, nom=name, age_min="20", age_max="16")
    )
    assert "au moins l'âge minimum" in text_of(reversed_ages)
    no_channel = await browser.post(f"{HOME}/nouvelle", compose(school, nom=name, canaux=[]))
    assert 'id="canaux-erreur"' in no_channel.text
    assert not await Campaign.exists(name=name)


async def test_the_audience_is_counted_after_the_consent_rules_live_and_without_js(browser):
    await marketing_signed_in(browser)
    school = unique("Collège")
    await pupil_at(school, 16)
    await pupil_at(school, 19)
    await pupil_at(school, 17, email=False)  # said no to emails: not counted
    await pupil_at(school, 13)  # under 15 without a parent's consent: never counted
    await browser.get(f"{HOME}/nouvelle")
    csrf = browser.csrf()  # the form's, which htmx includes

    live = await browser.post(
        f"{HOME}/audience",
        {"csrf": csrf, "canaux": "EMAIL", "etablissements": school.upper()},
        headers=HTMX,
    )
    assert live.status_code == 200 and live.text.lstrip().startswith('<div id="audience"')
    assert "E-mail : 2 jeunes" in text_of(live)
    older = await browser.post(
        f"{HOME}/audience",
        {"csrf": csrf, "canaux": ["EMAIL", "IN_APP"], "etablissements": school, "age_min": "18"},
        headers=HTMX,
    )
    assert "E-mail : 1 jeune" in text_of(older) and "Message dans l'appli : 1 jeune" in text_of(
        older
    )
    bad = await browser.post(
        f"{HOME}/audience", {"csrf": csrf, "canaux": "EMAIL", "communes": "75001"}, headers=HTMX
    )
    assert "Code INSEE inconnu dans les Bouches-du-Rhône" in text_of(bad)

    name = unique("Rentrée")
    without_js = await browser.post(
        f"{HOME}/nouvelle",
        compose(school, nom=name, action="recalculer", age_max="17", csrf=csrf),
    )
    assert without_js.status_code == 200 and "E-mail : 1 jeune" in text_of(without_js)
    unfinished = await browser.post(
        f"{HOME}/nouvelle", compose(school, nom="", action="recalculer", csrf=csrf)
    )
    assert unfinished.status_code == 200 and 'id="nom-erreur"' not in unfinished.text
    assert not await Campaign.exists(name=name)  # counted, not saved


async def test_a_campaign_is_previewed_tried_sent_and_followed_to_100_percent(browser, mailbox):
    staff = await marketing_signed_in(browser)
    school = unique("Collège")
    reached = [await pupil_at(school, 16), await pupil_at(school, 19)]
    bouncing = await pupil_at(school, 18)
    mailbox.refused.add(bouncing.email)
    title = unique("Concert offert ")
    deal = await published_deal(title)
    # The form lists the first 100 on show; « Chercher » finds the others by their words.
    form = await browser.get(f"{HOME}/nouvelle", params={"offre": title})
    assert f'id="offre-{deal.id}"' in form.text  # on show today: it can be picked

    saved = await browser.post(
        f"{HOME}/nouvelle", compose(school, canaux=["EMAIL", "PUSH"], offres=[str(deal.id)])
    )
    assert saved.status_code == 303
    page = await browser.follow(saved)
    campaign_id = page.url.path.rsplit("/", 1)[-1]
    shown = text_of(page)
    assert "Brouillon enregistré." in shown and "C'est la fête !" in shown
    assert "E-mail : 3 jeunes" in shown  # the audience today, before it is sent
    assert 'id="push-preview"' in page.text and 'id="email-frame"' in page.text
    assert "frame-src 'self'" in page.headers["content-security-policy"]
    email_html = await browser.get(f"{HOME}/{campaign_id}/apercu-email")
    assert email_html.status_code == 200 and "Des concerts gratuits partout." in email_html.text
    policy = email_html.headers["content-security-policy"]
    assert policy.startswith("sandbox;") and "script-src" not in policy
    assert "<img" not in email_html.text  # no open-tracking pixel
    assert "Concert offert" in email_html.text

    await browser.get(f"{HOME}/{campaign_id}")
    tried = await browser.post(f"{HOME}/{campaign_id}/test")
    assert tried.status_code == 303
    test_email = await mailbox.wait_for(staff.email, "fête de la musique")
    assert test_email["X-CJeune-Test"] == "1"

    progress = await send_and_finish(browser, campaign_id)
    figures = text_of(progress)
    assert 'hx-trigger="every' not in progress.text  # finished: the polling stops
    assert "Terminée" in figures and "100 %" in figures
    assert re.search(r'id="progress-sent">2<', progress.text)
    assert re.search(r'id="progress-failed">1<', progress.text)
    assert re.search(r'id="progress-bounced">1<', progress.text)
    assert 'value="100"' in progress.text
    received = [await mailbox.wait_for(p.email, "fête de la musique") for p in reached]
    for message in received:
        html = message.get_body(("html",)).get_content()
        assert "<img" not in html  # no open-tracking pixel
    # No per-person click tracking: every link but the unsubscribe one is the same for all.
    shared = [sorted(u for u in links_of(m) if "desabonnement" not in u) for m in received]
    assert shared[0] == shared[1]
    assert not [m for m in mailbox.to(bouncing.email) if "musique" in m["Subject"]]

    listed = await browser.get(HOME)
    assert f'id="campaign-{campaign_id}"' in listed.text and "100 %" in text_of(listed)
    await browser.get(f"{HOME}/{campaign_id}")
    again = await browser.post(f"{HOME}/{campaign_id}/pause")
    assert again.status_code == 409
    assert "Impossible de la mettre en pause : la campagne est terminée." in text_of(again)


async def test_a_scheduled_campaign_is_paused_nowhere_and_cancelled(browser):
    await marketing_signed_in(browser)
    school = unique("Collège")
    await browser.get(f"{HOME}/nouvelle")
    saved = await browser.post(f"{HOME}/nouvelle", compose(school))
    campaign_id = (await browser.follow(saved)).url.path.rsplit("/", 1)[-1]

    missing = await browser.post(f"{HOME}/{campaign_id}/envoi", {"quand": "programmer"})
    assert missing.status_code == 422 and 'id="jour-erreur"' in missing.text
    past = await browser.post(
        f"{HOME}/{campaign_id}/envoi",
        {"quand": "programmer", "jour": "2020-06-21", "heure": "18:00"},
    )
    assert past.status_code == 422 and "doit être dans le futur" in text_of(past)
    scheduled = await browser.post(
        f"{HOME}/{campaign_id}/envoi",
        {"quand": "programmer", "jour": "2099-06-21", "heure": "18:00"},
    )
    assert scheduled.status_code == 303
    page = await browser.follow(scheduled)
    assert "prévue le 21/06/2099 à 18:00" in text_of(page)
    campaign = await Campaign.get(id=campaign_id)
    assert campaign.scheduled_at.isoformat().startswith("2099-06-21T16:00")  # 18:00 in Paris

    confirm = await browser.get(f"{HOME}/{campaign_id}/annulation")
    assert confirm.status_code == 200 and "C'est définitif" in text_of(confirm)
    assert (await Campaign.get(id=campaign_id)).status == CampaignStatus.SCHEDULED  # a GET
    cancelled = await browser.post(f"{HOME}/{campaign_id}/annulation")
    assert cancelled.status_code == 303
    assert "La campagne est annulée" in text_of(await browser.follow(cancelled))
    assert (await Campaign.get(id=campaign_id)).status == CampaignStatus.CANCELLED


async def test_a_sending_campaign_is_paused_then_resumed_to_its_end(browser, mailbox):
    await marketing_signed_in(browser)
    school = unique("Collège")
    pupil = await pupil_at(school, 17)
    await browser.get(f"{HOME}/nouvelle")
    saved = await browser.post(f"{HOME}/nouvelle", compose(school))
    campaign_id = (await browser.follow(saved)).url.path.rsplit("/", 1)[-1]
    # Sending, as after « Envoyer maintenant », before its first batch has run.
    await Campaign.filter(id=campaign_id).update(status=CampaignStatus.SENDING)
    sending = await browser.get(f"{HOME}/{campaign_id}")
    assert 'hx-trigger="every 2s"' in sending.text and 'id="pause-campaign"' in sending.text

    paused = await browser.post(f"{HOME}/{campaign_id}/pause")
    assert paused.status_code == 303
    page = await browser.follow(paused)
    assert "L'envoi est en pause" in text_of(page) and 'id="resume-campaign"' in page.text
    assert (await Campaign.get(id=campaign_id)).status == CampaignStatus.PAUSED
    resumed = await browser.post(f"{HOME}/{campaign_id}/reprise")
    assert resumed.status_code == 303
    for _ in range(100):
        await jobs_done()
        if (await Campaign.get(id=campaign_id)).status == CampaignStatus.COMPLETED:
            break
    assert (await Campaign.get(id=campaign_id)).status == CampaignStatus.COMPLETED
    await mailbox.wait_for(pupil.email, "fête de la musique")


async def test_campaigns_are_the_marketing_team_s_only(browser):
    await browser.sign_in((await staff_member(StaffRole.MARKETING)).email)
    home = await browser.get("/departement/")
    assert 'id="tab-campagnes"' in home.text
    await browser.get(f"{HOME}/nouvelle")
    saved = await browser.post(f"{HOME}/nouvelle", compose(unique("Collège")))
    campaign_id = (await browser.follow(saved)).url.path.rsplit("/", 1)[-1]

    await browser.get("/departement/")
    await browser.post("/deconnexion")
    await browser.sign_in((await staff_member(StaffRole.SUPPORT)).email)
    home = await browser.get("/departement/")
    assert "/departement/campagnes" not in home.text
    for path in (HOME, f"{HOME}/nouvelle", f"{HOME}/{campaign_id}"):
        answer = await browser.get(path)
        assert answer.status_code == 403 and 'id="forbidden"' in answer.text, path
    refused = await browser.post(f"{HOME}/{campaign_id}/envoi", {"quand": "maintenant"})
    assert refused.status_code == 403
    assert (await Campaign.get(id=campaign_id)).status == CampaignStatus.DRAFT
