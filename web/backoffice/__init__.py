"""The département's back office (`/departement/`): each section for the staff roles that own it."""

from __future__ import annotations

from starlette.routing import Route

from web.backoffice import failed_jobs, hotline, moderation, pupil_import, young_people
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
        Route("/departement/taches/{job_id}/relance", web.page(failed_jobs.retry), methods=post),
        Route("/departement/taches/{job_id}/traitee", web.page(failed_jobs.resolve), methods=post),
    ]
