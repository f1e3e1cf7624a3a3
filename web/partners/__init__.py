"""The partner space (`/partenaires/`): the dashboard, the partner choice, the till and the
transactions, deals, events, posts and profile, reimbursements, bank details, delegates,
settings and help."""

from __future__ import annotations

from starlette.responses import RedirectResponse
from starlette.routing import Route

from web.pages import Web
from web.partners import terminal_mode
from web.partners.bank_details import bank_details_page, check_as_typed
from web.partners.dashboard import dashboard
from web.partners.delegates import audit_trail, delegate_detail, delegates_list
from web.partners.help import help_page
from web.partners.home import choose_partner
from web.partners.offers import offer_routes
from web.partners.posts import post_routes
from web.partners.profile import profile_routes
from web.partners.reimbursements import reimbursements_list, statement_download
from web.partners.settings import settings_page
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
        Route("/partenaires/", web.page(dashboard), methods=["GET"]),
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
        Route("/partenaires/delegues", web.page(delegates_list), methods=both),
        Route("/partenaires/delegues/journal", web.page(audit_trail), methods=["GET"]),
        Route("/partenaires/delegues/{id}", web.page(delegate_detail), methods=both),
        Route("/partenaires/remboursements", web.page(reimbursements_list), methods=["GET"]),
        Route("/partenaires/aide", web.page(help_page), methods=["GET"]),
        Route("/partenaires/parametres", web.page(settings_page), methods=both),
        Route("/partenaires/coordonnees-bancaires", web.page(bank_details_page), methods=both),
        Route(
            "/partenaires/coordonnees-bancaires/verification",
            web.page(check_as_typed),
            methods=["POST"],
        ),
        Route(
            "/partenaires/remboursements/{id}/bordereau.{format}",
            web.page(statement_download),
            methods=["GET"],
        ),
        *offer_routes(web),
        *profile_routes(web),
        *post_routes(web),
        Route("/partenaires/terminaux", web.page(terminals_page), methods=both),
        *terminal_mode_routes(web),
        Route("/partenaires/terminaux/{id}/nom", web.page(rename_terminal), methods=["POST"]),
        Route(
            "/partenaires/terminaux/{id}/revocation", web.page(terminal_revocation), methods=both
        ),
    ]


def terminal_mode_routes(web: Web) -> list[Route]:
    """The till in terminal mode (web/partners/terminal_mode.py)."""
    both = ["GET", "POST"]
    return [
        Route("/terminal/appairage", web.page(terminal_mode.pairing), methods=both),
        Route("/terminal/caisse", web.page(terminal_mode.till_page), methods=["GET"]),
        Route("/terminal/caisse", web.page(terminal_mode.lookup), methods=["POST"]),
        Route("/terminal/caisse/paiement", web.page(terminal_mode.pay), methods=["POST"]),
        Route("/terminal/tickets/{id}", web.page(terminal_mode.ticket), methods=["GET"]),
        Route("/terminal/oublier", web.page(terminal_mode.forget), methods=["POST"]),
        Route("/terminal/manifest.webmanifest", web.page(terminal_mode.manifest), methods=["GET"]),
    ]
