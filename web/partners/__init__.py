"""The partner space (`/partenaires/`): home, partner choice, the till, the transactions."""

from __future__ import annotations

from starlette.responses import RedirectResponse
from starlette.routing import Route

from web.pages import Web
from web.partners.home import choose_partner, home
from web.partners.terminals import rename as rename_terminal
from web.partners.terminals import revocation as terminal_revocation
from web.partners.terminals import terminals_page
from web.partners.ticket_pdf import ticket_download
from web.partners.till import lookup, pay, till_page, use_bon_plan
from web.partners.transactions import cancellation, ticket, transactions_list


def partner_routes(web: Web) -> list[Route]:
    both = ["GET", "POST"]
    return [
        Route("/partenaires", lambda request: RedirectResponse("/partenaires/", 308)),
        Route("/partenaires/", web.page(home), methods=["GET"]),
        Route("/partenaires/choisir", web.page(choose_partner), methods=both),
        Route("/partenaires/caisse", web.page(till_page), methods=["GET"]),
        Route("/partenaires/caisse", web.page(lookup), methods=["POST"]),
        Route("/partenaires/caisse/paiement", web.page(pay), methods=["POST"]),
        Route("/partenaires/caisse/bon-plan", web.page(use_bon_plan), methods=["POST"]),
        Route("/partenaires/transactions", web.page(transactions_list), methods=["GET"]),
        Route("/partenaires/transactions/{id}/ticket", web.page(ticket), methods=["GET"]),
        Route(
            "/partenaires/transactions/{id}/ticket.pdf", web.page(ticket_download), methods=["GET"]
        ),
        Route("/partenaires/transactions/{id}/annulation", web.page(cancellation), methods=both),
        Route("/partenaires/terminaux", web.page(terminals_page), methods=both),
        Route("/partenaires/terminaux/{id}/nom", web.page(rename_terminal), methods=["POST"]),
        Route(
            "/partenaires/terminaux/{id}/revocation", web.page(terminal_revocation), methods=both
        ),
    ]
