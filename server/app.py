"""The ASGI application: GraphQL at /graphql, health probes, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from tortoise import Tortoise

from infra.counters import MemoryCounter, RedisCounter
from infra.database import close_database, open_database
from infra.settings import Settings, get_settings
from push import realtime
from push.channels import close_channels
from schema import build_schema
from server.body_limit import BodyLimitMiddleware
from server.card_photo_routes import card_photo_routes
from server.consent_routes import parental_consent_routes
from server.finance_routes import finance_routes
from server.graphiql import graphiql_routes
from server.graphql_view import MULTIPART_OVERHEAD, CJeuneGraphQL
from server.home_page import home_routes
from server.media_routes import media_routes
from server.memory import settle
from server.privacy_routes import privacy_routes
from server.ratelimit import RateLimitMiddleware
from server.unavailable import ServiceUnavailableMiddleware
from server.unsubscribe_routes import unsubscribe_routes
from server.viewer_listener import listen_for_viewer_changes, stop_listening
from web.app import web_routes
from workers.broker import broker, configure_broker
from workers.runner import run_periodic_jobs_here

logger = logging.getLogger("cjeune")


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception:
        logger.exception("readiness check failed")
        return JSONResponse({"status": "unavailable", "database": "injoignable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def create_app(settings: Settings | None = None, *, manage_database: bool = True) -> Starlette:
    settings = settings or get_settings()
    settings.check()
    schema = build_schema(settings)
    view = CJeuneGraphQL(schema, settings)

    configure_broker(settings)
    counter = RedisCounter(settings.redis_url) if settings.redis_url else MemoryCounter()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await open_database(settings)
            await listen_for_viewer_changes(settings)
        fanout = realtime.use_fanout(realtime.fanout_for(settings.redis_url))
        await fanout.start()
        await broker.startup()
        periodic = None
        if manage_database and settings.redis_url is None:
            periodic = asyncio.create_task(run_periodic_jobs_here(), name="periodic-jobs")
        if manage_database:  # a serving process, not a test's app
            settle()
        try:
            yield
        finally:
            if periodic is not None:
                periodic.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await periodic
            await broker.shutdown()
            await close_channels()
            await fanout.close()
            realtime.use_fanout(realtime.LocalFanout())
            await counter.aclose()
            if manage_database:
                await stop_listening()
                await close_database()

    app = Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *home_routes(settings),
            *unsubscribe_routes,
            *parental_consent_routes,
            *media_routes,
            *card_photo_routes,
            *finance_routes,
            *privacy_routes,
            *([] if settings.is_production else graphiql_routes),
            *web_routes(settings, schema),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", "apollo-require-preflight"],
                max_age=600,
            ),
            Middleware(
                RateLimitMiddleware,
                limit_per_minute=settings.rate_limit_per_minute,
                counter=counter,
                # Probes, the images a feed page loads by the dozen, the pages' static files.
                exempt=lambda path: (
                    path in ("/healthz", "/readyz") or path.startswith(("/media/", "/assets/"))
                ),
            ),
            # Inside CORS, so that a browser can read the 503.
            Middleware(ServiceUnavailableMiddleware),
            Middleware(
                BodyLimitMiddleware,
                max_bytes=settings.max_request_bytes,
                max_multipart_bytes=settings.max_upload_bytes + MULTIPART_OVERHEAD,
            ),
        ],
        lifespan=lifespan,
    )
    # The pages reached by an emailed link run their operations in-process
    # (server/link_operations.py).
    app.state.graphql_schema = schema
    return app
