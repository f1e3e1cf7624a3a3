"""`/annuaire`: the partners that accept the card, by commune and category, in numbered
pages (`?commune=Aubagne&categorie=sport&page=2`); one operation (`directory_page`) gives
the page and the communes to choose from."""

from __future__ import annotations

from starlette.responses import Response

from web.directory.addresses import absolute, directory_path, partner_path
from web.directory.labels import CATEGORIES, CATEGORY_OF_SLUG, CATEGORY_SLUGS
from web.directory.public import indexable
from web.pages import Visit

PER_PAGE = 24
MAX_PAGE_NUMBER = 1000  # a typed ?page=99999 is answered, not computed


def _page_number(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_NUMBER:
        return None
    return int(raw)


async def directory(visit: Visit) -> Response:
    params = visit.request.query_params
    commune = (params.get("commune") or "").strip()[:100] or None
    slug = (params.get("categorie") or "").strip().lower()
    category = CATEGORY_OF_SLUG.get(slug) if slug else None
    page = _page_number(params.get("page"))
    if (slug and category is None) or page is None:
        return visit.render("errors/not_found.html", status=404)
    data = await visit.run(
        "directory_page", commune=commune, category=category, page=page, first=PER_PAGE
    )
    found = data["directory"]
    known = {c["name"].lower(): c["name"] for c in data["directoryCommunes"]}
    if (commune and commune.lower() not in known) or page > found["pageCount"]:
        return visit.render("errors/not_found.html", status=404)
    commune = known.get(commune.lower()) if commune else None  # the commune's own spelling
    return indexable(
        visit.render(
            "directory/listing.html",
            found=found,
            partners=found["partners"],
            communes=data["directoryCommunes"],
            commune=commune,
            category=category,
            categories=CATEGORIES,
            category_slugs=CATEGORY_SLUGS,
            canonical=absolute(visit.settings, directory_path(commune, category, page)),
            directory_path=directory_path,
            partner_path=partner_path,
        )
    )
