"""What every page handler gets and gives back: a `Visit` in, a response out.

`Web.page(handler)` makes a Starlette endpoint of an `async def handler(visit) -> Response`.
Around the handler it
- reads the web session's cookie and resumes the API session it names (web/session.py);
- on a POST, reads the form (URL-encoded, at most MAX_FORM_BYTES) and refuses it (403,
  French page) unless its CSRF token is right (web/csrf.py);
- turns the API's refusals into pages: UNAUTHENTICATED -> the sign-in page (a revoked
  session lands there at its next click), FORBIDDEN -> 403, anything else -> 500;
- sets the security headers of every page (CSP without inline scripts or styles, no
  framing, no referrer, no caching) and the cookies the visit changed.

An htmx request (`HX-Request: true`) is answered like any other; a handler may render a
fragment for it instead of the whole page (`visit.is_htmx`), and a redirect becomes an
`HX-Redirect` header so the browser itself goes there.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote
from uuid import UUID

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry import Schema

from infra.settings import Settings
from resolvers.context import Context
from web import csrf
from web import session as web_session
from web.graphql import Forbidden, NotSignedIn, OperationFailed, Operations
from web.session import WebSession
from web.templating import assets, environment, security_headers

logger = logging.getLogger("cjeune.web")

MAX_FORM_BYTES = 16 * 1024
# A form with files (visuals, logo, banner, post images): a few images at the API's size
# limit each; its text fields (a 5,000-character description in UTF-8) up to 64 KB each.
MAX_FILES_PER_FORM = 4
MAX_TEXT_PART_BYTES = 64 * 1024
# The spaces' homes: after signing in again, a plain form's POST goes back to its space.
SPACES = ("/partenaires/", "/mon-espace/", "/departement/")

Handler = Callable[["Visit"], Awaitable[Response]]


def local_path(target: str | None, default: str) -> str:
    """`target` if it is a path of this site (a `suite=` after sign-in), else `default`."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


class Web:
    """The pages' shared parts, made once per app: settings, operations, templates, assets."""

    def __init__(self, settings: Settings, schema: Schema) -> None:
        self.settings = settings
        self.operations = Operations(schema)
        self.assets = assets()
        self.headers = security_headers(settings)
        self.templates = environment(settings)
        # Bons plans at the till: their API (h19-dealuse) may land after these pages.
        self.bons_plans = self.operations.has_field("Mutation", "recordBonPlanUse")

    def page(self, handler: Handler) -> Callable[..., Any]:
        """The Starlette endpoint of `handler`: every POST it receives must carry its CSRF
        token. (The one-click unsubscribe that mail clients post by themselves, RFC 8058,
        is a route of server/, outside the web space: web/message_pages.py.)"""

        async def endpoint(request: Request) -> Response:
            visit = await Visit.start(self, request)
            if request.method == "POST":
                refusal = await visit.read_form()
                if refusal is None and not visit.csrf_ok():
                    # A form of a session closed since (revoked, expired, signed out
                    # elsewhere) is refused by going to sign in, not as an expired form.
                    refusal = (
                        visit.to_sign_in()
                        if visit.clear_session
                        else visit.render("errors/csrf.html", status=403)
                    )
                if refusal is not None:
                    return visit.finish(refusal)
            try:
                response = await handler(visit)
            except NotSignedIn:
                response = visit.to_sign_in(reason="session")
            except Forbidden:
                response = visit.render("errors/forbidden.html", status=403)
            except OperationFailed as failure:
                response = visit.render("errors/failed.html", status=500, message=failure.message)
            finally:
                await visit.form.close()  # the uploaded files' temporary copies
            return visit.finish(response)

        endpoint.__name__ = handler.__name__
        return endpoint


@dataclass
class Visit:
    web: Web
    request: Request
    context: Context
    session: WebSession | None
    csrf_secret: str
    csrf_is_new: bool
    form: FormData = field(default_factory=FormData)
    # What finish() writes: a session to set, or clear_session to remove it.
    new_session: WebSession | None = None
    clear_session: bool = False

    @classmethod
    async def start(cls, web: Web, request: Request) -> Visit:
        settings = web.settings
        context = Context(request=request)
        session = web_session.read(settings, request.cookies)
        if session is not None and not await context.resume_session(
            session.user_id, session.session_id
        ):
            session = None  # revoked, expired or deactivated: signed out from here on
        secret = request.cookies.get(csrf.cookie_name(settings))
        visit = cls(web, request, context, session, secret or csrf.new_secret(), secret is None)
        if session is None and web_session.cookie_name(settings) in request.cookies:
            visit.clear_session = True
        return visit

    # --- who and what -------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self.web.settings

    @property
    def signed_in(self) -> bool:
        return self.session is not None

    @property
    def is_htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"

    def field(self, name: str) -> str:
        value = self.form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def raw_field(self, name: str) -> str:
        value = self.form.get(name)
        return value if isinstance(value, str) else ""

    async def run(self, operation: str, **variables: Any) -> dict[str, Any]:
        return await self.web.operations.run(self.context, operation, variables)

    # --- forms --------------------------------------------------------------------

    async def read_form(self) -> Response | None:
        declared = self.request.headers.get("content-length", "")
        kind = self.request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "multipart/form-data":
            return await self._read_multipart(declared)
        if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
            return self.render("errors/failed.html", status=413, message="Formulaire trop long.")
        body = b""
        async for chunk in self.request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                return self.render(
                    "errors/failed.html", status=413, message="Formulaire trop long."
                )
        if kind == "application/x-www-form-urlencoded":
            try:
                pairs: list[tuple[str, str | UploadFile]] = list(
                    parse_qsl(body.decode("utf-8"), keep_blank_values=True)
                )
                self.form = FormData(pairs)
            except UnicodeDecodeError:
                self.form = FormData()
        return None

    async def _read_multipart(self, declared: str) -> Response | None:
        """A form with files: its declared length must fit the images it may carry (the
        API checks each image again); Starlette's parser bounds the parts."""
        limit = MAX_FILES_PER_FORM * self.settings.max_upload_bytes + MAX_FORM_BYTES
        if not declared.isdigit() or int(declared) > limit:
            return self.render(
                "errors/failed.html",
                status=413,
                message="Fichiers trop lourds : envoyez-les un par un, ou réduisez-les.",
            )
        try:
            self.form = await self.request.form(
                max_files=MAX_FILES_PER_FORM, max_fields=200, max_part_size=MAX_TEXT_PART_BYTES
            )
        except Exception:  # a malformed body: the same as an empty form (CSRF refuses it)
            logger.info("unreadable multipart form", exc_info=True)
            self.form = FormData()
        return None

    def upload(self, name: str) -> UploadFile | None:
        """The file sent in `name`, if one was chosen (an empty file input sends nothing)."""
        value = self.form.get(name)
        if isinstance(value, UploadFile) and value.filename and (value.size or 0) > 0:
            return value
        return None

    @property
    def csrf_token(self) -> str:
        return csrf.token(self.settings, self.csrf_secret, self._session_key)

    @property
    def _session_key(self) -> UUID | None:
        current = self.new_session or self.session
        return None if current is None or self.clear_session else current.session_id

    def csrf_ok(self) -> bool:
        if self.csrf_is_new:  # no cookie: the form was not made for this browser
            return False
        sent = self.raw_field(csrf.FIELD) or self.request.headers.get("x-csrf-token", "")
        key = None if self.session is None else self.session.session_id
        return csrf.is_valid(self.settings, self.csrf_secret, key, sent)

    # --- sessions -----------------------------------------------------------------

    def open_session(self, session: WebSession) -> None:
        self.new_session, self.clear_session = session, False

    def end_session(self) -> None:
        self.new_session, self.clear_session = None, True

    # --- answers ------------------------------------------------------------------

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        page = self.web.templates.get_template(template).render(
            visit=self, csrf_token=self.csrf_token, request=self.request, **values
        )
        return HTMLResponse(page, status_code=status)

    def redirect(self, url: str) -> Response:
        if self.is_htmx:
            return Response(status_code=204, headers={"HX-Redirect": url})
        return Response(status_code=303, headers={"Location": url})

    def to_sign_in(self, reason: str | None = None) -> Response:
        """The sign-in page, then back to this page: the one asked for by a GET, the one
        htmx was on, or the space's home after a plain form's POST."""
        target = self.request.url.path
        if self.request.url.query:
            target += "?" + self.request.url.query
        if self.is_htmx:
            target = _path_of(self.request.headers.get("hx-current-url", "")) or target
        elif self.request.method != "GET":
            target = next((s for s in SPACES if target.startswith(s)), "/")
        query = f"suite={quote(target, safe='/')}"
        if reason is None and self.clear_session:  # its cookie named a session now closed
            reason = "session"
        if reason:
            query += f"&raison={reason}"
        return self.redirect(f"/connexion?{query}")

    def finish(self, response: Response) -> Response:
        for name, value in self.web.headers.items():
            response.headers.setdefault(name, value)
        if self.is_htmx and response.status_code >= 400 and response.status_code != 422:
            # A whole error page (403, 500…) answering a fragment's request: it replaces the
            # page's body rather than the fragment (422s are the fragment's own form errors).
            response.headers["HX-Retarget"] = "body"
            response.headers["HX-Reswap"] = "innerHTML"
        settings = self.settings
        if self.csrf_is_new:
            csrf.set_cookie(response, settings, self.csrf_secret)
        if self.new_session is not None:
            web_session.set_cookie(response, settings, self.new_session)
        elif self.clear_session:
            web_session.clear_cookie(response, settings)
        return response


def _path_of(url: str) -> str | None:
    """The path and query of a URL of this site (htmx's HX-Current-URL)."""
    if "://" not in url:
        return None
    rest = url.split("://", 1)[1]
    slash = rest.find("/")
    if slash < 0:
        return None
    return local_path(rest[slash:], "") or None
