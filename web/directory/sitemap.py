"""`/sitemap.xml` (the directory, each commune's list, each partner's page) and
`/robots.txt` (the public pages open to crawlers, the spaces behind sign-in closed, where
the sitemap is). Both absolute on PUBLIC_URL, like the pages' canonical addresses."""

from __future__ import annotations

from xml.sax.saxutils import escape

from starlette.responses import PlainTextResponse, Response

from web.directory.addresses import absolute, directory_path, partner_path
from web.pages import Visit

MAX_URLS = 50_000  # the sitemap protocol's limit for one file
CLOSED = ("/partenaires/", "/mon-espace/", "/departement/", "/terminal/", "/carte/", "/graphql")


async def sitemap(visit: Visit) -> Response:
    paths = [directory_path()]
    page, pages = 1, 1
    partners: list[str] = []
    while page <= pages and len(partners) < MAX_URLS:
        data = await visit.run("sitemap", page=page)
        if page == 1:
            paths += [directory_path(c["name"]) for c in data["directoryCommunes"]]
        partners += [partner_path(p["id"]) for p in data["directory"]["partners"]]
        pages = data["directory"]["pageCount"]
        page += 1
    urls = "".join(
        f"<url><loc>{escape(absolute(visit.settings, path))}</loc></url>\n"
        for path in (paths + partners)[:MAX_URLS]
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    )
    return Response(body, media_type="application/xml", headers={"X-Robots-Tag": "noindex"})


async def robots(visit: Visit) -> Response:
    lines = ["User-agent: *", "Allow: /annuaire", *(f"Disallow: {path}" for path in CLOSED)]
    lines.append(f"Sitemap: {absolute(visit.settings, '/sitemap.xml')}")
    return PlainTextResponse("\n".join(lines) + "\n")
