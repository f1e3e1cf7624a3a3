"""Browser tests: Playwright for Python driving Debian's Chromium against the real app.

- One Chromium for the whole session; one page, reused from test to test (its cookies,
  permissions, viewport and media emulation reset before each); `new_page()` opens another
  person's page (its own cookies) when a test needs two at once.
- The app is the session's, served by a real uvicorn on 127.0.0.1 in the tests' event loop
  (`live_server`), on the session's database: the tests build their data with tests/factories.py
  and look at the result through the pages, or GraphQL where a page does not show it.
- Every request a page makes goes through a guard: one to another host is refused and fails
  the test (no CDN, no font service, no analytics: everything is served by the app).
- They run on PostgreSQL only (CI runs them there); on SQLite they are skipped. Without
  Chromium they are skipped with one line saying how to install it, unless
  CJEUNE_BROWSER_TESTS=required (set by .ci/run), which makes a missing Chromium a failure.

A test is a browser test when it uses the `page` fixture (or another that starts the browser):
it is then marked `browser` (`pytest -m browser` runs them alone, `-m "not browser"` the rest).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Route,
    WebError,
    async_playwright,
)
from playwright.async_api import (
    Error as PlaywrightError,
)

from tests.browser.support import (
    CHROMIUM_ARGS,
    INSTALL_HINT,
    REQUIRED_ENV,
    SCREENSHOT_WIDTHS,
    accessibility_report,
    blocking_violations,
    browser_tests_required,
    chromium_path,
    fake_camera_args,
    screenshot_name,
    screenshots_folder,
)

BROWSER_FIXTURES = {"playwright"}  # every browser fixture starts from it
BROWSER_DIR = Path(__file__).parent
ON_SQLITE = os.environ.get("CJEUNE_TEST_DATABASE", "sqlite") != "postgres"
SQLITE_REASON = (
    "browser tests run on PostgreSQL only (CJEUNE_TEST_DATABASE=postgres; CI runs them there)"
)
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 10_000  # a page of ours answers in milliseconds: fail fast, not after 30 s

_skipped: list[str] = []  # the one reason the browser tests were skipped, for the summary


def _uses_browser(item: pytest.Item) -> bool:
    return bool(BROWSER_FIXTURES.intersection(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that drive the browser; skip them (one reason for all) where they
    cannot run. A session-wide hook: only this folder's tests are touched."""
    reason = None
    if ON_SQLITE:
        reason = SQLITE_REASON
    elif chromium_path() is None and not browser_tests_required():
        reason = f"{INSTALL_HINT} ({REQUIRED_ENV}=required makes this a failure)"
    marked = 0
    for item in items:
        if BROWSER_DIR in item.path.parents and _uses_browser(item):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
            marked += 1
    if reason and marked:
        _skipped.append(f"{marked} browser tests skipped: {reason}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The one line that says why the browser tests did not run (even under -q)."""
    for line in _skipped:
        terminalreporter.write_line(line, yellow=True)


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    _chromium()  # the first thing every browser test needs: fail at once without it
    async with async_playwright() as driver:
        yield driver


def _chromium() -> str:
    path = chromium_path()
    if path is None:  # only reached with CJEUNE_BROWSER_TESTS=required: the others are skipped
        pytest.fail(f"{INSTALL_HINT} ({REQUIRED_ENV}=required)", pytrace=False)
    return path


@pytest.fixture(scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    launched = await playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
    yield launched
    await launched.close()


@dataclass
class Guard:
    """Refuses every request to a host other than the live server's, and remembers it; and
    remembers what the browser reports as broken: a Content-Security-Policy violation (an
    inline script or style the page's own policy refuses) and an uncaught script error."""

    host: str
    outside: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.broken.append(f"{message.text} ({message.location.get('url', '')})")

    def on_error(self, error: WebError) -> None:
        self.broken.append(f"uncaught script error: {error.error}")

    async def __call__(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.host:
            self.outside.append(url)
            await route.abort("blockedbyclient")
        else:
            await route.continue_()

    def reset(self) -> None:
        self.outside.clear()
        self.broken.clear()

    def check(self) -> None:
        problems = []
        if self.outside:
            problems.append(
                "the page requested another host (everything must be served by the app): "
                + ", ".join(self.outside)
            )
        problems.extend(self.broken)
        self.reset()
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)


async def _new_context(browser: Browser, live_server: str, **options: Any) -> BrowserContext:
    context = await browser.new_context(
        base_url=f"http://{live_server}",
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport=VIEWPORT,  # type: ignore[arg-type]
        **options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    guard = Guard(live_server)
    await context.route("**/*", guard)
    context.on("console", guard.on_console)
    context.on("weberror", guard.on_error)
    context.guard = guard  # type: ignore[attr-defined]
    return context


@dataclass
class SharedPage:
    context: BrowserContext
    page: Page

    @property
    def guard(self) -> Guard:
        return self.context.guard  # type: ignore[attr-defined,no-any-return]


@pytest.fixture(scope="session")
async def _shared_page(browser: Browser, live_server: str) -> AsyncIterator[SharedPage]:
    context = await _new_context(browser, live_server)
    shared = SharedPage(context, await context.new_page())
    yield shared
    await context.close()


@pytest.fixture
async def page(_shared_page: SharedPage) -> AsyncIterator[Page]:
    """The session's page, as new: no cookies, no permissions, 1280×800, screen media. The
    guard's refusals fail the test."""
    shared = _shared_page
    if shared.page.is_closed():  # a test closed it
        shared.page = await shared.context.new_page()
    await shared.context.clear_cookies()
    await shared.context.clear_permissions()
    await shared.page.set_viewport_size(VIEWPORT)  # type: ignore[arg-type]
    await shared.page.emulate_media(media="screen")
    shared.guard.reset()
    yield shared.page
    if not shared.page.is_closed():
        try:  # nothing of this test's page keeps running
            await shared.page.goto("about:blank")
        except PlaywrightError:  # e.g. an error page still loading: start afresh next time
            await shared.page.close()
    shared.guard.check()


@pytest.fixture
def guard(page: Page, _shared_page: SharedPage) -> Guard:
    """The guard of the `page` fixture's page (the harness's own tests look into it)."""
    return _shared_page.guard


@pytest.fixture
async def new_page(
    browser: Browser, live_server: str
) -> AsyncIterator[Callable[[], Awaitable[Page]]]:
    """Another person's page: its own context (cookies), closed after the test."""
    contexts: list[BrowserContext] = []

    async def open_page() -> Page:
        context = await _new_context(browser, live_server)
        contexts.append(context)
        return await context.new_page()

    yield open_page
    for context in contexts:
        await context.close()
        context.guard.check()  # type: ignore[attr-defined]


@pytest.fixture
async def camera_page(
    playwright: Playwright, live_server: str
) -> AsyncIterator[Callable[[Path], Awaitable[Page]]]:
    """`await camera_page(video)`: a page of a second Chromium whose camera films `video`
    (a Y4M file: tests.browser.support.write_qr_video), the camera permission granted. The
    flags are the browser's, so each video needs its own launch (about a second)."""
    browsers: list[Browser] = []

    async def open_page(video: Path) -> Page:
        launched = await playwright.chromium.launch(
            executable_path=_chromium(), args=[*CHROMIUM_ARGS, *fake_camera_args(video)]
        )
        browsers.append(launched)
        context = await _new_context(launched, live_server, permissions=["camera"])
        return await context.new_page()

    yield open_page
    for launched in browsers:
        for context in launched.contexts:
            context.guard.check()  # type: ignore[attr-defined]
        await launched.close()


# --- what a person would look at ---------------------------------------------------------------


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Awaitable[list[Path]]]:
    """`await screenshot(page, "label")`: the whole page at 360 px and at 1280 px wide, as
    var/screenshots/<test>-<label>-<width>.png (CJEUNE_SCREENSHOTS names another folder)."""

    async def take(page: Page, label: str = "") -> list[Path]:
        folder = screenshots_folder()
        folder.mkdir(parents=True, exist_ok=True)
        size = page.viewport_size or VIEWPORT
        paths = []
        for width in SCREENSHOT_WIDTHS:
            await page.set_viewport_size({"width": width, "height": size["height"]})
            path = folder / screenshot_name(request.node.name, label, width)
            # caret="initial": Playwright's default hides the caret with a <style> it adds to
            # the page, which our CSP refuses (reported later, when htmx swaps the page).
            await page.screenshot(path=path, full_page=True, caret="initial")
            paths.append(path)
        await page.set_viewport_size(size)  # type: ignore[arg-type]
        return paths

    return take


_axe = Axe()


@pytest.fixture
def check_accessibility() -> Callable[..., Awaitable[list[dict[str, Any]]]]:
    """`await check_accessibility(page)`: axe-core on the page as it is now; fails on any
    serious or critical violation, with a report of each (rule, impact, elements, help URL).
    Returns all the violations (the minor and moderate ones too)."""

    async def check(page: Page) -> list[dict[str, Any]]:
        results = await _axe.run(page)
        violations: list[dict[str, Any]] = results.response["violations"]
        blocking = blocking_violations(violations)
        if blocking:
            pytest.fail(accessibility_report(page.url, blocking), pytrace=False)
        return violations

    return check


@pytest.fixture
def look_at(
    screenshot: Callable[..., Awaitable[list[Path]]],
    check_accessibility: Callable[..., Awaitable[list[dict[str, Any]]]],
) -> Callable[..., Awaitable[None]]:
    """`await look_at(page, "label")`: what every page of ours goes through: axe-core at
    360 px and at 1280 px (a narrow layout hides and shows other things), then screenshots."""

    async def look(page: Page, label: str = "") -> None:
        size = page.viewport_size or VIEWPORT
        for width in SCREENSHOT_WIDTHS:
            await page.set_viewport_size({"width": width, "height": size["height"]})
            await check_accessibility(page)
        await page.set_viewport_size(size)  # type: ignore[arg-type]
        await screenshot(page, label)

    return look
