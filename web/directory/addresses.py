"""The public pages' addresses: one canonical form each (parameters in a fixed order, the
first page without `page=`), absolute on PUBLIC_URL for `<link rel="canonical">` and the
sitemap, so a search engine indexes each page once whatever address it was reached by."""

from __future__ import annotations

from urllib.parse import urlencode

from infra.settings import Settings
from web.directory.labels import CATEGORY_SLUGS

DIRECTORY = "/annuaire"
PARTNER = "/annuaire/partenaires/{id}"


def directory_path(commune: str | None = None, category: str | None = None, page: int = 1) -> str:
    query = []
    if commune:
        query.append(("commune", commune))
    if category:
        query.append(("categorie", CATEGORY_SLUGS[category]))
    if page > 1:
        query.append(("page", str(page)))
    return DIRECTORY + (f"?{urlencode(query)}" if query else "")


def partner_path(partner_id: str) -> str:
    return PARTNER.format(id=partner_id)


def absolute(settings: Settings, path: str) -> str:
    return settings.public_url.rstrip("/") + path
