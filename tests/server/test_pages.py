"""The pages the app serves itself: GraphiQL works offline (its page loads every file from
the app, under a CSP of this origin only, and the files are the pinned ones), and `/`."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace

import httpx

from server.app import create_app
from server.graphiql import ASSETS
from tests.server.test_http import PRODUCTION, REDIS_URL
from workers.broker import configure_broker

# The files strawberry's own page loads from unpkg.com, with the SHA-384 of its `integrity`
# attributes: ours are the same bytes.
PINNED = {
    "react.production.min.js": "tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    "react-dom.production.min.js": (
        "bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh"
    ),
    "graphiql.min.js": "HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    "graphiql.min.css": "Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    "plugin-explorer.umd.js": "2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    "plugin-explorer.css": "5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
}
REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def sha384(content: bytes) -> str:
    return base64.b64encode(hashlib.sha384(content).digest()).decode()


async def test_the_graphiql_page_loads_everything_from_the_app(settings):
    app = create_app(replace(settings, environment="development"), manage_database=False)

    async with client(app) as http:
        page = await http.get("/graphql", headers={"accept": "text/html"})
        references = REFERENCE.findall(page.text)
        assets = {ref: await http.get(ref) for ref in references}

    assert page.status_code == 200
    assert "://" not in page.text and "//" not in "".join(references)  # no other host
    assert sorted(references) == sorted(
        f"/static/graphiql/{name}" for name in [*PINNED, "graphiql.css", "start.js", "favicon.svg"]
    )
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy
    assert "unsafe-inline" not in policy and "http" not in policy
    assert "<script>" not in page.text  # nothing inline: the CSP would refuse it
    for reference, answer in assets.items():
        assert answer.status_code == 200, reference
        name = reference.rsplit("/", 1)[1]
        if name in PINNED:
            assert sha384(answer.content) == PINNED[name], name
        else:  # ours: no address of another host either
            assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", answer.text), name
    assert assets["/static/graphiql/start.js"].headers["content-type"].startswith("text/javascript")


def test_the_readme_lists_the_pinned_files_as_they_are():
    readme = (ASSETS / "README.md").read_text()
    for name, digest in PINNED.items():
        assert sha384((ASSETS / name).read_bytes()) == digest
        assert f"| `{name}` |" in readme and digest in readme


async def test_production_serves_neither_the_page_nor_its_files(settings):
    production_settings = replace(settings, **PRODUCTION, redis_url=REDIS_URL)
    try:
        async with client(create_app(production_settings, manage_database=False)) as http:
            page = await http.get("/graphql", headers={"accept": "text/html"})
            asset = await http.get("/static/graphiql/graphiql.min.js")
    finally:
        configure_broker(settings)  # jobs go back in-process for the other tests

    assert page.status_code != 200 and "graphiql" not in page.text.lower()
    assert asset.status_code == 404


async def test_the_home_page_says_what_the_service_is_and_links_graphiql_in_development(
    settings,
):
    app = create_app(replace(settings, environment="development"), manage_database=False)
    async with client(app) as http:
        home = await http.get("/")

    assert home.status_code == 200
    assert home.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in home.text
    for words in ("carte CJeune", "Département des Bouches-du-Rhône", "API GraphQL"):
        assert words in home.text
    assert '<a href="/graphql"' in home.text and "GraphiQL" in home.text


async def test_the_home_page_in_production_has_no_graphiql_link(settings):
    production_settings = replace(settings, **PRODUCTION, redis_url=REDIS_URL)
    try:
        async with client(create_app(production_settings, manage_database=False)) as http:
            home = await http.get("/")
    finally:
        configure_broker(settings)

    assert home.status_code == 200
    assert "API GraphQL" in home.text and "Bouches-du-Rhône" in home.text
    assert "GraphiQL" not in home.text and 'href="/graphql"' not in home.text
    assert 'href="/partenaires/"' in home.text  # the way into the partner space


async def test_the_pages_of_emailed_links_use_the_web_layout_and_its_headers(settings):
    """The parent's consent, the unsubscribe and the expired download pages (server/
    routes) are drawn by the web space's templates: its stylesheet, no inline style."""
    async with client(create_app(settings, manage_database=False)) as http:
        pages = [
            await http.get("/desabonnement?jeton=altere"),
            await http.get("/consentement-parental?jeton=altere"),
            await http.get("/releves/altere"),
        ]

    for page in pages:
        assert page.status_code in (400, 403), page.text
        assert '<html lang="fr">' in page.text and 'href="#contenu"' in page.text
        assert re.search(r'href="/assets/css/site\.[0-9a-f]{10}\.css"', page.text)
        assert " style=" not in page.text and "<style" not in page.text
        policy = page.headers["content-security-policy"]
        assert "style-src 'self';" in policy and "unsafe-inline" not in policy
        assert page.headers["referrer-policy"] == "no-referrer"
