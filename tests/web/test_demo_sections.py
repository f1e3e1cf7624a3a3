"""`cjeune serve --demo`: the partner's own sections open on sensible data — a refused deal
with its reason on the dashboard, deals and an event in their states, a profile with its
practical details, posts with likes, takings at the cinema's till."""

from __future__ import annotations

import re

from server.demo import DEMO_PASSWORD, load_demo
from tests.web.support import Browser, text_of


async def test_the_demo_club_and_cinema_show_every_section(browser: Browser):
    await load_demo(say=lambda _line: None)
    await load_demo(say=lambda _line: None)  # twice: nothing doubled

    await browser.sign_in("president@cn-estaque.test", DEMO_PASSWORD)
    home = await browser.get("/partenaires/")
    assert 'id="attention"' in home.text and "Précisez les dates des stages" in text_of(home)
    deals = await browser.get("/partenaires/bons-plans")
    states = re.findall(r'class="status status--(\w+)"', deals.text)
    # A draft, one refused with its reason, and the one the back office's demo queue holds.
    assert {"draft", "refused", "pending"} <= set(states), states
    events = await browser.get("/partenaires/evenements")
    assert "Régate des jeunes" in text_of(events) and "status--pending" in events.text
    profile = await browser.get("/partenaires/profil")
    assert 'value="04 91 00 00 02"' in profile.text and "latitude 43." in text_of(profile)
    posts = await browser.get("/partenaires/publications")
    assert re.search(r"[1-9] j'aime", text_of(posts))

    browser.http.cookies.clear()
    await browser.sign_in("direction@cinema-prado.test", DEMO_PASSWORD)
    home = await browser.get("/partenaires/")
    today = re.search(r'id="figure-today">(.*?)</li>\s*<li', home.text, re.S)
    # 12,50 € of the demo's two payments, and any the other demo tests made at its till.
    assert today and "0,00 €" not in text_of_fragment(today.group(1))
    assert re.search(r"[2-9] transactions|\d\d+ transactions", text_of_fragment(today.group(1)))
    deals = await browser.get("/partenaires/bons-plans")
    assert "Une modification attend la modération" in text_of(deals)


def text_of_fragment(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
