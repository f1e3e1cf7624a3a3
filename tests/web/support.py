"""A browser stand-in for the pages: httpx against the ASGI app, keeping cookies, reading
each page's CSRF token and sending it back with its forms, as a browser's form would."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from server import viewer_listener
from tests.factories import PASSWORD

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TAGS = re.compile(r"<[^>]+>")


def text_of(response: httpx.Response) -> str:
    """The page's words, without tags or entities, spaces squeezed."""
    return " ".join(html.unescape(TAGS.sub(" ", response.text)).split())


def set_cookie_headers(response: httpx.Response) -> dict[str, str]:
    """Each cookie the answer sets, by name, with its whole Set-Cookie header."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        found[header.split("=", 1)[0]] = header
    return found


@dataclass
class Browser:
    http: httpx.AsyncClient
    page: httpx.Response | None = None
    history: list[httpx.Response] = field(default_factory=list)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        await viewer_listener.settle()
        response = await self.http.get(url, **kwargs)
        if response.headers.get("content-type", "").startswith("text/html"):
            self.page = response
        self.history.append(response)
        return response

    def csrf(self) -> str:
        assert self.page is not None, "no page loaded yet"
        found = CSRF.search(self.page.text)
        assert found, "the page has no form with a CSRF token"
        return html.unescape(found.group(1))

    async def post(
        self,
        url: str,
        data: dict[str, str] | None = None,
        *,
        csrf: bool = True,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        await viewer_listener.settle()
        form = dict(data or {})
        if csrf and "csrf" not in form:
            form["csrf"] = self.csrf()
        response = await self.http.post(url, data=form, headers=headers or {})
        if response.headers.get("content-type", "").startswith("text/html"):
            self.page = response
        self.history.append(response)
        return response

    async def follow(self, response: httpx.Response) -> httpx.Response:
        assert response.status_code in (302, 303, 307, 308), response.status_code
        return await self.get(response.headers["location"])

    async def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        await self.get("/connexion")
        answer = await self.post("/connexion", {"email": email, "password": password})
        assert answer.status_code == 303, text_of(answer)
        return answer
