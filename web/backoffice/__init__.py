"""The département's back office (`/departement/`): each section for the staff roles that own it."""

from __future__ import annotations

from starlette.routing import Route

from web.backoffice import (
    bon_plan_commitment,
    campaign_form,
    campaigns,
    card_photos,
    failed_jobs,
    figures,
    finance,
    finance_bank_details,
    hotline,
    moderation,
    partner_actions,
    partners,
    pupil_import,
    team,
    young_people,
)
from web.backoffice.home import home
from web.pages import Web


def backoffice_routes(web: Web) -> list[Route]:
    get, post = ["GET"], ["POST"]
    return [
        Route("/departement/", web.page(home), methods=get),
        Route("/departement/moderation", web.page(moderation.queue), methods=get),
        Route(
            "/departement/moderation/offres/{offer_id}", web.page(moderation.review), methods=get
        ),
        Route(
            "/departement/moderation/offres/{offer_id}/decision",
            web.page(moderation.decide),
            methods=post,
        ),
        Route("/departement/moderation/signalements", web.page(moderation.reports), methods=get),
        Route(
            "/departement/moderation/publications/{post_id}/masquer",
            web.page(moderation.hide_post),
            methods=post,
        ),
        Route(
            "/departement/moderation/publications/{post_id}/retablir",
            web.page(moderation.restore_post),
            methods=post,
        ),
        Route(
            "/departement/moderation/signalements/{report_id}/ecarter",
            web.page(moderation.dismiss_report),
            methods=post,
        ),
        Route("/departement/jeunes", web.page(young_people.search), methods=get),
        Route(
            "/departement/jeunes/ajout",
            web.page(young_people.add_pupil),
            methods=["GET", "POST"],
        ),
        Route("/departement/jeunes/photos", web.page(card_photos.queue), methods=get),
        Route(
            "/departement/jeunes/photos/{photo_id}/decision",
            web.page(card_photos.decide),
            methods=post,
        ),
        Route("/departement/jeunes/{young_id}", web.page(young_people.record), methods=post),
        Route(
            "/departement/jeunes/{young_id}/cartes/{card_id}/deblocage",
            web.page(young_people.unlock_pin),
            methods=post,
        ),
        Route(
            "/departement/jeunes/{young_id}/cartes/{card_id}/remplacement",
            web.page(young_people.replace_card),
            methods=post,
        ),
        Route(
            "/departement/jeunes/{young_id}/verification",
            web.page(young_people.resend_verification),
            methods=post,
        ),
        Route(
            "/departement/jeunes/{young_id}/consentement",
            web.page(young_people.record_consent),
            methods=post,
        ),
        Route(
            "/departement/jeunes/{young_id}/donnees-parent",
            web.page(young_people.parent_data_export),
            methods=post,
        ),
        Route("/departement/hotline", web.page(hotline.search), methods=get),
        Route(
            "/departement/hotline/{partner_id}/{transaction_id}",
            web.page(hotline.regularize),
            methods=["GET", "POST"],
        ),
        *partner_routes(web),
        Route("/departement/import", web.page(pupil_import.years), methods=get),
        Route(
            "/departement/import/annees/nouvelle",
            web.page(pupil_import.new_year),
            methods=["GET", "POST"],
        ),
        Route(
            "/departement/import/annees/{year_id}",
            web.page(pupil_import.year),
            methods=["GET", "POST"],
        ),
        Route(
            "/departement/import/annees/{year_id}/cloture",
            web.page(pupil_import.closing),
            methods=["GET", "POST"],
        ),
        Route(
            "/departement/import/rapports/{import_id}.csv",
            web.page(pupil_import.report_csv),
            methods=get,
        ),
        Route(
            "/departement/import/rapports/{import_id}",
            web.page(pupil_import.report),
            methods=get,
        ),
        Route("/departement/taches", web.page(failed_jobs.failed_jobs), methods=get),
        *campaign_routes(web),
        Route("/departement/taches/{job_id}/relance", web.page(failed_jobs.retry), methods=post),
        Route("/departement/taches/{job_id}/traitee", web.page(failed_jobs.resolve), methods=post),
        Route("/departement/equipe", web.page(team.team), methods=["GET", "POST"]),
        Route("/departement/tableau-de-bord", web.page(figures.dashboard), methods=get),
        Route("/departement/equipe/{staff_id}", web.page(team.member), methods=get),
        Route("/departement/equipe/{staff_id}/roles", web.page(team.set_roles), methods=post),
        Route(
            "/departement/equipe/{staff_id}/desactivation",
            web.page(team.deactivate),
            methods=post,
        ),
        Route(
            "/departement/equipe/{staff_id}/reactivation",
            web.page(team.reactivate),
            methods=post,
        ),
        *finance_routes(web),
    ]


def finance_routes(web: Web) -> list[Route]:
    get, post = ["GET"], ["POST"]
    period = "/departement/finance/quinzaines/{period_id}"
    details = "/departement/finance/coordonnees/{details_id}"
    return [
        Route("/departement/finance", web.page(finance.periods), methods=get),
        Route(
            "/departement/finance/cloture",
            web.page(finance.confirm_close),
            methods=["GET", "POST"],
        ),
        Route(period, web.page(finance.period), methods=get),
        Route(f"{period}/lot", web.page(finance.create_batch), methods=post),
        Route(f"{period}/lot/envoye", web.page(finance.mark_sent), methods=post),
        Route(f"{period}/lot/rejet", web.page(finance.reject_transfer), methods=post),
        Route(f"{period}/lot/paye", web.page(finance.mark_paid), methods=post),
        Route(f"{period}/lot/virements.{{format}}", web.page(finance.batch_file), methods=get),
        Route(
            "/departement/finance/coordonnees",
            web.page(finance_bank_details.waiting),
            methods=get,
        ),
        Route(f"{details}/validation", web.page(finance_bank_details.validate), methods=post),
        Route(f"{details}/refus", web.page(finance_bank_details.refuse), methods=post),
    ]


def partner_routes(web: Web) -> list[Route]:
    get, post, both = ["GET"], ["POST"], ["GET", "POST"]
    one = "/departement/partenaires/{partner_id}"
    return [
        Route("/departement/partenaires", web.page(partners.search), methods=get),
        Route("/departement/partenaires/nouveau", web.page(partners.create), methods=both),
        Route(
            "/departement/partenaires/engagement",
            web.page(bon_plan_commitment.commitment),
            methods=get,
        ),
        Route(one, web.page(partners.record), methods=get),
        Route(f"{one}/statut", web.page(partner_actions.change_status), methods=post),
        Route(f"{one}/code-pin", web.page(partner_actions.pin_minimum), methods=post),
        Route(f"{one}/materiel", web.page(partner_actions.equipment), methods=post),
        Route(f"{one}/rappel", web.page(partner_actions.remind), methods=post),
    ]


def campaign_routes(web: Web) -> list[Route]:
    base, both = "/departement/campagnes", ["GET", "POST"]
    one = base + "/{campaign_id}"
    return [
        Route(base, web.page(campaigns.campaigns), methods=["GET"]),
        Route(f"{base}/nouvelle", web.page(campaign_form.compose), methods=both),
        Route(f"{base}/audience", web.page(campaign_form.count), methods=["POST"]),
        Route(one, web.page(campaigns.campaign_page), methods=["GET"]),
        Route(f"{one}/modifier", web.page(campaign_form.edit), methods=both),
        Route(f"{one}/progression", web.page(campaigns.progress), methods=["GET"]),
        Route(f"{one}/apercu-email", web.page(campaigns.email_preview), methods=["GET"]),
        Route(f"{one}/test", web.page(campaigns.send_test), methods=["POST"]),
        Route(f"{one}/envoi", web.page(campaigns.send), methods=["POST"]),
        Route(f"{one}/annulation", web.page(campaigns.confirm_cancel), methods=["GET"]),
        Route(
            one + "/{action:str}",
            web.page(campaigns.change_state),
            methods=["POST"],
        ),
    ]
