"""The back office's foundation (staff land there, see only their sections) and its
« Modération » section: the queue, a version's review, the decision, reported posts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.social.post_reports import report_post
from domain.social.posts import create_post
from infra.geocoding import OfflineGeocoder, use_geocoder
from models.accounts import StaffRole
from models.notifications import Notification
from models.offers import OfferRevision, RevisionStatus
from models.social import Post, PostReport, PostStatus, ReportReason, ReportStatus
from tests.factories import partner_team, staff_member, young_person
from tests.web.backoffice_helpers import new_version_submitted, submitted_deal, viewer_of
from tests.web.support import Browser, text_of


@pytest.fixture(scope="module", autouse=True)
def offline_geocoder() -> Iterator[None]:
    previous = use_geocoder(OfflineGeocoder())
    yield
    use_geocoder(previous)


async def moderator_signed_in(browser: Browser):
    moderator = await staff_member(StaffRole.MODERATION)
    landed = await browser.sign_in(moderator.email)
    return moderator, landed


async def test_a_staff_member_lands_in_the_back_office_and_sees_only_their_sections(
    browser, other_browser
):
    _, landed = await moderator_signed_in(browser)
    assert landed.headers["location"] == "/departement/"
    home = await browser.follow(landed)
    assert home.status_code == 200
    assert 'id="tab-moderation"' in home.text and 'href="/departement/moderation"' in home.text
    assert "/departement/jeunes" not in home.text and "/departement/hotline" not in home.text

    support = await staff_member(StaffRole.SUPPORT)
    await other_browser.sign_in(support.email)
    home = await other_browser.get("/departement/")
    assert "/departement/moderation" not in home.text
    refused = await other_browser.get("/departement/moderation")
    assert refused.status_code == 403
    assert "réservée à d'autres rôles" in text_of(refused)
    assert 'href="/departement/moderation"' not in refused.text


async def test_an_administrator_sees_every_section_and_others_are_refused(browser, other_browser):
    admin = await staff_member(StaffRole.ADMINISTRATOR)
    await browser.sign_in(admin.email)
    home = await browser.get("/departement/")
    assert 'id="tab-moderation"' in home.text
    assert (await browser.get("/departement/moderation")).status_code == 200

    team = await partner_team()
    await other_browser.sign_in(team.principal.email)
    assert (await other_browser.get("/departement/")).status_code == 403
    assert (await other_browser.get("/departement/moderation")).status_code == 403
    await other_browser.post("/deconnexion")
    anonymous = await other_browser.get("/departement/moderation")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/connexion?suite=/departement/moderation")


async def test_the_queue_is_oldest_first_and_a_new_version_shows_what_changed(browser):
    team = await partner_team()
    first = await submitted_deal(team, "Une place offerte")
    changed = await submitted_deal(team, "Atelier théâtre")
    changed = await new_version_submitted(team, changed, "Atelier théâtre et impro")
    await moderator_signed_in(browser)

    queue = await browser.get("/departement/moderation")

    shown = text_of(queue)
    assert shown.index("Une place offerte") < shown.index("Atelier théâtre et impro")
    assert team.partner.trade_name in shown and "nouvelle version" in shown
    review = await browser.get(f"/departement/moderation/offres/{changed.id}")
    assert review.status_code == 200
    page = text_of(review)
    assert "Ce qui change depuis la version publiée" in page
    assert 'class="changed"' in review.text
    assert "Atelier théâtre Atelier théâtre et impro" in page  # published, then proposed
    assert "ouvert à tous les titulaires (11–25 ans)" in page
    assert "1 rue de Rome, 13001 Marseille" in page
    new = await browser.get(f"/departement/moderation/offres/{first.id}")
    assert "Première publication de cette offre" in text_of(new)


async def test_approving_publishes_and_tells_the_partner(browser):
    team = await partner_team()
    offer = await submitted_deal(team)
    await moderator_signed_in(browser)
    await browser.get(f"/departement/moderation/offres/{offer.id}")

    decided = await browser.post(
        f"/departement/moderation/offres/{offer.id}/decision",
        {"version": str(offer.working_revision_id), "decision": "approuver"},
    )

    assert decided.status_code == 303
    queue = await browser.follow(decided)
    assert "La version est validée et publiée" in text_of(queue)
    assert f'id="revision-{offer.working_revision_id}"' not in queue.text
    revision = await OfferRevision.get(id=offer.working_revision_id)
    assert revision.status == RevisionStatus.APPROVED
    told = await Notification.get(user_id=team.principal.id, kind="moderation_decision")
    assert "validé" in told.title


async def test_a_refusal_needs_a_reason_from_the_list_and_sends_it(browser):
    team = await partner_team()
    offer = await submitted_deal(team)
    await moderator_signed_in(browser)
    url = f"/departement/moderation/offres/{offer.id}/decision"
    await browser.get(f"/departement/moderation/offres/{offer.id}")
    version = str(offer.working_revision_id)

    no_reason = await browser.post(url, {"version": version, "decision": "refuser"})
    assert no_reason.status_code == 422
    assert (
        'id="motif-erreur"' in no_reason.text
        and 'aria-describedby="motif-erreur"' in no_reason.text
    )
    other = await browser.post(url, {"version": version, "decision": "refuser", "motif": "autre"})
    assert other.status_code == 422 and 'id="precision-erreur"' in other.text
    assert (await OfferRevision.get(id=version)).status == RevisionStatus.SUBMITTED

    refused = await browser.post(
        url,
        {"version": version, "decision": "refuser", "motif": "visuel", "precision": "Photo floue."},
    )

    assert refused.status_code == 303
    revision = await OfferRevision.get(id=version)
    assert revision.status == RevisionStatus.REJECTED
    assert revision.rejection_reason == "Visuel inadapté. Photo floue."
    told = await Notification.get(user_id=team.principal.id, kind="moderation_decision")
    assert "Visuel inadapté. Photo floue." in told.body


async def test_two_moderators_never_decide_the_same_version(browser, other_browser):
    team = await partner_team()
    offer = await submitted_deal(team)
    version = str(offer.working_revision_id)
    await moderator_signed_in(browser)
    await moderator_signed_in(other_browser)
    await browser.get(f"/departement/moderation/offres/{offer.id}")
    await other_browser.get(f"/departement/moderation/offres/{offer.id}")
    url = f"/departement/moderation/offres/{offer.id}/decision"

    first = await browser.post(url, {"version": version, "decision": "approuver"})
    second = await other_browser.post(
        url, {"version": version, "decision": "refuser", "motif": "trompeur"}
    )

    assert first.status_code == 303
    assert second.status_code == 409
    assert "votre décision n'a pas été enregistrée" in text_of(second)
    assert (await OfferRevision.get(id=version)).status == RevisionStatus.APPROVED
    assert await Notification.filter(user_id=team.principal.id).count() == 1


async def test_reported_posts_are_hidden_with_a_reason_or_their_report_dismissed(browser):
    team = await partner_team()
    principal = await viewer_of(team.principal)
    rude = await create_post(principal, team.partner.id, "Un message déplacé.", [])
    fine = await create_post(principal, team.partner.id, "Soirée jeux vendredi.", [])
    reporter = await viewer_of(await young_person())
    await report_post(reporter, rude.id, ReportReason.INAPPROPRIATE, "Insultant.")
    report = await report_post(reporter, fine.id, ReportReason.SPAM, "")
    await moderator_signed_in(browser)

    listed = await browser.get("/departement/moderation/signalements")
    shown = text_of(listed)
    assert "Un message déplacé." in shown and "Contenu inapproprié : « Insultant. »" in shown

    missing = await browser.post(f"/departement/moderation/publications/{rude.id}/masquer", {})
    assert missing.status_code == 422 and f'id="motif-{rude.id}-erreur"' in missing.text
    hidden = await browser.post(
        f"/departement/moderation/publications/{rude.id}/masquer", {"motif": "Propos insultants."}
    )
    assert hidden.status_code == 303
    assert (await Post.get(id=rude.id)).status == PostStatus.HIDDEN
    dismissed = await browser.post(f"/departement/moderation/signalements/{report.id}/ecarter")
    assert dismissed.status_code == 303
    assert (await PostReport.get(id=report.id)).status == ReportStatus.DISMISSED
    assert (await Post.get(id=fine.id)).status == PostStatus.PUBLISHED
    after = await browser.get(dismissed.headers["location"])
    assert (
        "Le signalement est écarté" in text_of(after) and f'id="post-{fine.id}"' not in after.text
    )


async def test_a_hidden_post_is_restored_and_the_partner_told(browser):
    team = await partner_team()
    principal = await viewer_of(team.principal)
    post = await create_post(principal, team.partner.id, "Un message masqué par erreur.", [])
    await moderator_signed_in(browser)
    await browser.get("/departement/moderation/signalements")
    await browser.post(
        f"/departement/moderation/publications/{post.id}/masquer", {"motif": "Hors sujet."}
    )
    listed = await browser.get("/departement/moderation/signalements")
    assert f'id="hidden-{post.id}"' in listed.text and "masquée : Hors sujet." in text_of(listed)

    restored = await browser.post(f"/departement/moderation/publications/{post.id}/retablir")

    assert restored.status_code == 303
    after = await browser.follow(restored)
    assert "de nouveau visible" in text_of(after) and f'id="hidden-{post.id}"' not in after.text
    assert (await Post.get(id=post.id)).status == PostStatus.PUBLISHED
    told = await Notification.filter(user_id=team.principal.id).order_by("-created_at").first()
    assert told is not None and told.title == "Publication rétablie par la modération"
    again = await browser.post(f"/departement/moderation/publications/{post.id}/retablir")
    assert again.status_code == 422 and "pas masquée" in text_of(again)
