"""The département's back office (`/departement/`): each section for the staff roles that own it."""

from __future__ import annotations

from starlette.routing import Route

from web.backoffice import failed_jobs, figures, hotline, moderation, team, young_people
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
        Route("/departement/hotline", web.page(hotline.search), methods=get),
        Route(
            "/departement/hotline/{partner_id}/{transaction_id}",
            web.page(hotline.regularize),
            methods=["GET", "POST"],
        ),
        Route("/departement/taches", web.page(failed_jobs.failed_jobs), methods=get),
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
    ]
