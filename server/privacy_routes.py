"""GET /mes-donnees/{token}: a young person's copy of their data, through the link their
email holds (domain/privacy/export.py). Never cached; an expired link says so."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.privacy import export
from infra.storage import StoredFileNotFound
from server.link_pages import french_page, paragraphs

_PRIVATE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


async def download_export(request: Request) -> Response:
    try:
        link = export.read_link(request.path_params["token"])
        data = await export.archive_of(link)
    except export.LinkExpired:
        return french_page(
            "Lien expiré",
            paragraphs(
                "Ce lien de téléchargement de vos données a expiré. Demandez une nouvelle "
                "copie depuis votre espace CJeune, rubrique « Mes données »."
            ),
            status_code=410,
        )
    except (export.LinkInvalid, StoredFileNotFound):
        return french_page(
            "Lien non valable",
            paragraphs("Ce lien de téléchargement n'est pas valable."),
            status_code=404,
        )
    disposition = f'attachment; filename="{export.ARCHIVE_NAME}"'
    return Response(
        data,
        media_type="application/zip",
        headers={**_PRIVATE, "Content-Disposition": disposition},
    )


privacy_routes: list[Route] = [
    Route("/mes-donnees/{token}", download_export, methods=["GET"]),
]
