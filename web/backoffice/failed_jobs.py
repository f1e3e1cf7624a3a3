"""Tâches en échec (administrators): background jobs that kept failing, run again with
their stored arguments or closed once dealt with."""

from __future__ import annotations

from starlette.responses import Response

from web.backoffice.space import enter
from web.graphql import user_error
from web.pages import Visit

SECTION = "taches"
HOME = "/departement/taches"
DONE = {
    "relancee": "La tâche est relancée : si elle réussit, elle quitte la liste.",
    "close": "La tâche est marquée comme traitée.",
}


async def failed_jobs(visit: Visit) -> Response:
    return await _list(visit, None)


async def _list(visit: Visit, refusal: str | None) -> Response:
    entered = await enter(visit, SECTION, "failed_jobs")
    if isinstance(entered, Response):
        return entered
    space, data = entered
    return visit.render(
        "backoffice/failed_jobs.html",
        status=422 if refusal else 200,
        space=space,
        tab=SECTION,
        jobs=data["failedJobs"],
        refusal=refusal,
        done=DONE.get(visit.request.query_params.get("fait", "")),
    )


async def retry(visit: Visit) -> Response:
    return await _act(visit, "retry_failed_job", "retryFailedJob", "relancee")


async def resolve(visit: Visit) -> Response:
    return await _act(visit, "resolve_failed_job", "resolveFailedJob", "close")


async def _act(visit: Visit, operation: str, field: str, done: str) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    job_id = visit.request.path_params["job_id"]
    error = user_error((await visit.run(operation, id=job_id))[field])
    if error is not None:
        return await _list(visit, error.message)
    return visit.redirect(f"{HOME}?fait={done}")
