"""Import des collégiens: the school years, the schools' CSV for a year with the report of
its refused lines (on screen and as a CSV), and the year-end closing with its figures.

The section is open to support (the import: `importBeneficiaries`, `beneficiaryImport`)
and finance (a new year's amounts: `createSchoolYear`; the closing: `schoolYearFigures`,
`closeSchoolYear`); each page asks for the role its operations need, and links only to
the pages the person's roles open.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from starlette.responses import Response

from web.backoffice.space import ADMINISTRATOR, StaffSpace, enter, forbidden
from web.formatting import paris_today
from web.graphql import user_error
from web.pages import Visit

SECTION = "import"
HOME = "/departement/import"
SUPPORT, FINANCE = "SUPPORT", "FINANCE"
# The guide's wallets and their usual amounts, suggested for a new year.
WALLETS = (
    ("SPORT_CULTURE_LOISIRS", "Sport, culture et loisirs", "100"),
    ("SOUTIEN_SCOLAIRE", "Soutien scolaire et linguistique", "50"),
)
CARD_STATUSES = {
    "not_activated": "Non activées",
    "active": "Actives",
    "opposed": "En opposition",
    "expired": "Expirées",
}
DONE = {"annee": "L'année scolaire est créée, avec ses porte-monnaie."}
_EUROS = re.compile(r"[0-9]{1,6}([,.][0-9]{1,2})?\s*€?")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def _holds(space: StaffSpace, role: str) -> bool:
    return ADMINISTRATOR in space.roles or role in space.roles


async def _enter(
    visit: Visit, role: str, operation: str = "staff_space", **variables: Any
) -> tuple[StaffSpace, dict[str, Any]] | Response:
    """The section's pages: the section's owners, then the role this page's API needs."""
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    if not _holds(space, role):
        return forbidden(visit, space)
    if operation != "staff_space":
        data = await visit.run(operation, **variables)
    return space, data


def _render(
    visit: Visit, space: StaffSpace, template: str, status: int = 200, **values: Any
) -> Response:
    return visit.render(
        template,
        status=status,
        space=space,
        tab=SECTION,
        can_import=_holds(space, SUPPORT),
        can_close=_holds(space, FINANCE),
        card_statuses=CARD_STATUSES,
        **values,
    )


# The school years


async def years(visit: Visit) -> Response:
    entered = await enter(visit, SECTION, "import_years")
    if isinstance(entered, Response):
        return entered
    space, data = entered
    today = paris_today().isoformat()
    return _render(
        visit,
        space,
        "backoffice/import_years.html",
        years=data["schoolYears"],
        today=today,
        done=DONE.get(visit.request.query_params.get("fait", "")),
    )


async def new_year(visit: Visit) -> Response:
    entered = await _enter(visit, FINANCE)
    if isinstance(entered, Response):
        return entered
    space, _ = entered
    values = {"rentree": visit.field("rentree")}
    posted = visit.request.method == "POST"
    for kind, _, usual in WALLETS:
        name = f"montant-{kind}"
        values[name] = visit.field(name) if posted else usual
    errors: dict[str, str] = {}
    if posted:
        if not values["rentree"]:
            errors["rentree"] = "Saisissez la date de la rentrée."
        for kind, _, _ in WALLETS:
            amount = values[f"montant-{kind}"]
            if not amount:
                errors[f"montant-{kind}"] = "Saisissez le montant par élève."
            elif not _EUROS.fullmatch(amount):
                errors[f"montant-{kind}"] = "Saisissez un montant en euros, par exemple 50,50."
        if not errors:
            wallet_types = [
                {"kind": kind, "amount": values[f"montant-{kind}"]} for kind, _, _ in WALLETS
            ]
            answer = (
                await visit.run(
                    "create_school_year",
                    input={"startsOn": values["rentree"], "walletTypes": wallet_types},
                )
            )["createSchoolYear"]
            error = user_error(answer)
            if error is None:
                return visit.redirect(f"{HOME}?fait=annee")
            field = "rentree" if error.field in (None, "startsOn") else f"montant-{WALLETS[0][0]}"
            errors[field] = error.message
    return _render(
        visit,
        space,
        "backoffice/import_new_year.html",
        status=422 if errors else 200,
        values=values,
        errors=errors,
        wallets=WALLETS,
    )


# The schools' file of a year


async def year(visit: Visit) -> Response:
    """GET: the upload form and the year's past imports; POST: import the file chosen."""
    year_id = visit.request.path_params["year_id"]
    entered = await _enter(visit, SUPPORT, "import_year", schoolYearId=year_id)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    found = next((y for y in data["schoolYears"] if y["id"] == year_id), None)
    if found is None:
        return visit.render("errors/not_found.html", status=404)
    error = None
    if visit.request.method == "POST":
        upload = visit.upload("fichier")
        if upload is None:
            error = "Choisissez le fichier CSV des collèges."
        else:
            text = _decoded(await upload.read())
            answer = (
                await visit.run(
                    "import_beneficiaries",
                    schoolYearId=year_id,
                    csv=text,
                    fileName=upload.filename,
                )
            )["importBeneficiaries"]
            refusal = user_error(answer)
            if refusal is None:
                return visit.redirect(f"{HOME}/rapports/{answer['importId']}")
            error = refusal.message
    return _render(
        visit,
        space,
        "backoffice/import_year.html",
        status=422 if error else 200,
        year=found,
        imports=data["beneficiaryImports"],
        error=error,
    )


def _decoded(content: bytes) -> str:
    """The schools' software writes UTF-8 (with or without BOM) or, older, Windows-1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


async def report(visit: Visit) -> Response:
    entered = await _enter(
        visit, SUPPORT, "beneficiary_import", id=visit.request.path_params["import_id"]
    )
    if isinstance(entered, Response):
        return entered
    space, data = entered
    found = data["beneficiaryImport"]
    if found is None:
        return visit.render("errors/not_found.html", status=404)
    return _render(visit, space, "backoffice/import_report.html", report=found)


async def report_csv(visit: Visit) -> Response:
    """The refused lines as a CSV for a French spreadsheet (`;`, UTF-8 with BOM), to send
    back to the schools."""
    entered = await _enter(
        visit, SUPPORT, "beneficiary_import", id=visit.request.path_params["import_id"]
    )
    if isinstance(entered, Response):
        return entered
    found = entered[1]["beneficiaryImport"]
    if found is None:
        return visit.render("errors/not_found.html", status=404)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Ligne du fichier", "Motif du refus"])
    for row in found["rejected"]:
        writer.writerow([row["line"], row["reason"]])
    name = _SAFE_NAME.sub("-", f"refus-import-{found['schoolYearLabel']}-{found['id'][:8]}")
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


# The year-end closing


async def closing(visit: Visit) -> Response:
    """GET: the figures now and the confirmation; POST: close, then the figures before and
    after."""
    year_id = visit.request.path_params["year_id"]
    entered = await _enter(visit, FINANCE, "school_year_figures", schoolYearId=year_id)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    figures = data["schoolYearFigures"]
    if figures is None:
        return visit.render("errors/not_found.html", status=404)
    closed, refusal = None, None
    if visit.request.method == "POST":
        answer = (await visit.run("close_school_year", schoolYearId=year_id))["closeSchoolYear"]
        error = user_error(answer)
        if error is None:
            closed = answer
        else:
            refusal = error.message
    return _render(
        visit,
        space,
        "backoffice/import_closing.html",
        status=422 if refusal else 200,
        figures=figures,
        closed=closed,
        refusal=refusal,
    )
