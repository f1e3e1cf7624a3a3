"""The public pages, readable without signing in and meant to be indexed: the directory of
the partners that accept the card (`/annuaire`, by commune and category), each partner's
page (`/annuaire/partenaires/<id>`, with Follow for a signed-in young person), the sitemap
and robots.txt. Nobody's personal data: what partners publish on their profile only, and
the deals and events a young person of any age may see (a signed-in young person sees those
of their age)."""

from __future__ import annotations

from starlette.routing import Route

from web.directory.listing import directory
from web.directory.partner_page import follow, partner_page
from web.directory.sitemap import robots, sitemap
from web.pages import Web


def directory_routes(web: Web) -> list[Route]:
    return [
        Route("/annuaire", web.page(directory), methods=["GET", "HEAD"]),
        Route("/annuaire/partenaires/{id}", web.page(partner_page), methods=["GET", "HEAD"]),
        Route("/annuaire/partenaires/{id}/abonnement", web.page(follow), methods=["POST"]),
        Route("/sitemap.xml", web.page(sitemap), methods=["GET", "HEAD"]),
        Route("/robots.txt", web.page(robots), methods=["GET", "HEAD"]),
    ]
