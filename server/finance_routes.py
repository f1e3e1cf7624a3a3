"""GET /releves/{token} and /virements/{token}: statements and payment files, through the
short-lived signed links the GraphQL API hands out (domain/finance/links.py).

Nothing is cached anywhere: the files carry bank details and young people's initials.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.core.errors import DomainError
from domain.finance import files as finance_files
from domain.finance import links as finance_links
from domain.finance import statements
from domain.finance.statement_csv import render_csv
from domain.finance.statement_pdf import render_pdf
from infra.storage import StoredFileNotFound
from models.finance import PaymentBatch
from server.link_pages import french_page, paragraphs

logger = logging.getLogger(__name__)

_PRIVATE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8", "sepa": "application/xml"}


def _refused(expired: bool) -> Response:
    if expired:
        return french_page(
            "Lien expiré",
            paragraphs(
                "Ce lien de téléchargement a expiré. Revenez dans votre espace partenaire, "
                "rubrique « Mes remboursements », pour en obtenir un nouveau."
            ),
            status_code=410,
        )
    return french_page(
        "Lien non valable",
        paragraphs("Ce lien de téléchargement n'est pas valable."),
        status_code=403,
    )


def _file(data: bytes, fmt: str, filename: str) -> Response:
    return Response(
        data,
        media_type=_TYPES[fmt],
        headers={**_PRIVATE, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def download_statement(request: Request) -> Response:
    try:
        wanted = finance_links.read_statement_link(request.path_params["token"])
    except finance_links.LinkExpired:
        return _refused(expired=True)
    except finance_links.LinkInvalid:
        return _refused(expired=False)
    try:
        if wanted.reimbursement_id is not None:
            statement = await statements.of_reimbursement(
                wanted.partner_id, wanted.reimbursement_id
            )
        else:
            assert wanted.first is not None and wanted.last is not None
            statement = await statements.of_range(wanted.partner_id, wanted.first, wanted.last)
    except DomainError:
        return _refused(expired=False)
    render = render_pdf if wanted.format == "pdf" else render_csv
    data = await asyncio.to_thread(render, statement)  # a long PDF: off the event loop
    return _file(data, wanted.format, f"{statement.file_stem}.{wanted.format}")


async def download_batch_file(request: Request) -> Response:
    try:
        wanted = finance_links.read_batch_file_link(request.path_params["token"])
    except finance_links.LinkExpired:
        return _refused(expired=True)
    except finance_links.LinkInvalid:
        return _refused(expired=False)
    batch = await PaymentBatch.get_or_none(id=wanted.batch_id)
    if batch is None:
        return _refused(expired=False)
    key = batch.sepa_key if wanted.format == "sepa" else batch.csv_key
    try:
        data = await finance_files.read(key)
    except StoredFileNotFound:
        logger.error("payment file %s of batch %s is missing", key, batch.id)
        return _refused(expired=False)
    extension = "xml" if wanted.format == "sepa" else "csv"
    return _file(data, wanted.format, f"{batch.reference.lower()}.{extension}")


finance_routes: list[Route] = [
    Route("/releves/{token}", download_statement, methods=["GET"]),
    Route("/virements/{token}", download_batch_file, methods=["GET"]),
]
