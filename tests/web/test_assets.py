"""The pages' static files: served under content-hashed names cached a year, the vendored
libraries exactly the npm files their README pins."""

from __future__ import annotations

import gzip
import hashlib
import re

from web.assets import IMMUTABLE, STATIC, Assets

VENDORED = {
    "htmx.min.js": "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717",
    "jsQR.js": "bc40c8a15196236b2314db0856f72ca0b49980cd5413b8c852a7349f5fee0859",
}


def test_the_vendored_files_are_the_pinned_ones_and_the_readme_says_so():
    readme = (STATIC / "vendor" / "README.md").read_text()
    for name, digest in VENDORED.items():
        assert hashlib.sha256((STATIC / "vendor" / name).read_bytes()).hexdigest() == digest
        assert f"| `{name}` |" in readme and digest in readme
    assert "htmx.org@2.0.11" in readme and "jsqr@1.4.0" in readme


async def test_a_hashed_name_is_cached_a_year_and_another_name_is_not(browser):
    page = await browser.get("/connexion")
    stylesheet = re.search(r'href="(/assets/css/site\.([0-9a-f]{10})\.css)"', page.text)
    assert stylesheet
    content = (STATIC / "css" / "site.css").read_bytes()
    assert stylesheet[2] == hashlib.sha256(content).hexdigest()[:10]

    current = await browser.http.get(stylesheet[1])
    stale = await browser.http.get("/assets/css/site.0000000000.css")  # an older page's
    plain = await browser.http.get("/assets/css/site.css")
    missing = await browser.http.get("/assets/css/nothing.css")
    readme = await browser.http.get("/assets/vendor/README.md")

    assert current.status_code == 200 and current.headers["cache-control"] == IMMUTABLE
    assert current.headers["content-type"] == "text/css; charset=utf-8"
    assert current.headers["x-content-type-options"] == "nosniff"
    assert current.content == content  # httpx undoes the gzip it asked for
    assert current.headers["content-encoding"] == "gzip"
    for answer in (stale, plain):
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-cache"
    assert missing.status_code == 404 and readme.status_code == 404
    again = await browser.http.get(
        stylesheet[1], headers={"if-none-match": current.headers["etag"]}
    )
    assert again.status_code == 304


def test_text_files_are_kept_gzipped_once():
    assets = Assets()
    script = assets.files["vendor/jsQR.js"]
    assert script.gzipped is not None and len(script.gzipped) < len(script.content) / 3
    assert gzip.decompress(script.gzipped) == script.content
    assert assets.url("js/till.js").startswith("/assets/js/till.")
