"""The partner space (`/partenaires/`): home, partner choice, the till, the transactions."""

from __future__ import annotations

from starlette.responses import RedirectResponse
from starlette.routing import Route

from web.pages import Web
from web.partners.dashboard import dashboard
from web.partners.home import choose_partner
from web.partners.offers import offer_routes
from web.partners.posts import post_routes
from web.partners.profile import profile_routes
from web.partners.till import lookup, pay, till_page, use_bon_plan
from web.partners.transactions import cancellation, ticket, transactions_list


def partner_routes(web: Web) -> list[Route]:
    both = ["GET", "POST"]
    return [
        Route("/partenaires", lambda request: RedirectResponse("/partenaires/", 308)),
        Route("/partenaires/", web.page(dashboard), methods=["GET"]),
        Route("/partenaires/choisir", web.page(choose_partner), methods=both),
        Route("/partenaires/caisse", web.page(till_page), methods=["GET"]),
        Route("/partenaires/caisse", web.page(lookup), methods=["POST"]),
        Route("/partenaires/caisse/paiement", web.page(pay), methods=["POST"]),
        Route("/partenaires/caisse/bon-plan", web.page(use_bon_plan), methods=["POST"]),
        Route("/partenaires/transactions", web.page(transactions_list), methods=["GET"]),
        Route("/partenaires/transactions/{id}/ticket", web.page(ticket), methods=["GET"]),
        Route("/partenaires/transactions/{id}/annulation", web.page(cancellation), methods=both),
        *offer_routes(web),
        *profile_routes(web),
        *post_routes(web),
    ]
