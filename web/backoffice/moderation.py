"""Modération: the queue of deals and events waiting for a decision, one version's review
(what changed since the published version) and the decision; reported posts.

Two moderators never decide the same version: the decision form carries the version's id,
and the API decides a version only while it is SUBMITTED, under a row lock
(domain/offers/moderation.decide); the second one gets « déjà décidée » and the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from web.backoffice import labels
from web.backoffice.space import StaffSpace, enter
from web.formatting import instant, paris_date, paris_time, paris_today
from web.graphql import user_error
from web.pages import Visit

SECTION = "moderation"
QUEUE = "/departement/moderation"
REPORTS = "/departement/moderation/signalements"

# The reasons a moderator picks from; the partner reads the label and the free text.
REFUSAL_REASONS = {
    "incomplet": "Informations incomplètes ou imprécises",
    "convention": "Offre non conforme à la convention",
    "public": "Thème ou public inadapté",
    "visuel": "Visuel inadapté",
    "trompeur": "Contenu trompeur",
    "autre": "Autre motif",
}
DONE = {
    "approuve": "La version est validée et publiée ; le partenaire en est informé.",
    "refuse": "La version est refusée ; le partenaire reçoit le motif.",
    "masquee": "La publication est masquée ; le partenaire reçoit le motif.",
    "ecarte": "Le signalement est écarté ; la publication reste visible.",
    "retablie": "La publication est de nouveau visible ; le partenaire en est informé.",
}


@dataclass(frozen=True)
class Change:
    label: str
    published: str
    proposed: str

    @property
    def changed(self) -> bool:
        return self.published != self.proposed


def _amount(revision: dict[str, Any]) -> str:
    if revision.get("discountAmount"):
        return str(revision["discountAmount"])
    if revision.get("discountPercent") is not None:
        return f"{revision['discountPercent']} %"
    return ""


def _sessions(revision: dict[str, Any]) -> str:
    return " ; ".join(
        f"{paris_date(s['startsAt'])} {paris_time(s['startsAt'])}–{paris_time(s['endsAt'])}"
        for s in revision.get("sessions") or []
    )


def _places(revision: dict[str, Any]) -> str:
    return " ; ".join(
        " ".join(filter(None, [p["label"], p["street"], p["postalCode"], p["city"]]))
        for p in revision.get("places") or []
    )


def _images(revision: dict[str, Any]) -> str:
    return " ".join(image["id"] for image in revision.get("images") or [])


FIELDS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("Titre", lambda r: r["title"]),
    ("Description", lambda r: r["description"]),
    ("Thème", lambda r: labels.THEMES.get(r["theme"], r["theme"])),
    ("Type de bon plan", lambda r: labels.DEAL_TYPES.get(r["dealType"] or "", "")),
    ("Type d'événement", lambda r: labels.EVENT_KINDS.get(r["eventKind"] or "", "")),
    ("Avantage", _amount),
    ("Code promo", lambda r: r.get("promoCode") or ""),
    ("Conditions", lambda r: r["conditions"]),
    ("Infos pratiques", lambda r: r["practicalInfo"]),
    ("Valable du", lambda r: paris_date(r["validFrom"])),
    ("Valable jusqu'au", lambda r: paris_date(r["validUntil"])),
    ("Dates", _sessions),
    ("Lieux", _places),
    ("Visuels", _images),
]


def changes(published: dict[str, Any] | None, proposed: dict[str, Any]) -> list[Change]:
    """Each field of the proposed version beside the published one's (empty when new);
    fields empty in both are left out."""
    rows = []
    for label, read in FIELDS:
        before = read(published) if published else ""
        after = read(proposed)
        if before or after:
            rows.append(Change(label, before, after))
    return rows


def waiting_days(submitted_at: str | None) -> int:
    return 0 if not submitted_at else (paris_today() - instant(submitted_at).date()).days


async def queue(visit: Visit) -> Response:
    entered = await enter(
        visit, SECTION, "moderation_queue", after=visit.request.query_params.get("apres")
    )
    if isinstance(entered, Response):
        return entered
    space, data = entered
    page = data["moderationQueue"]
    return _render(
        visit,
        space,
        "backoffice/moderation_queue.html",
        revisions=page["revisions"],
        next_cursor=page["nextCursor"],
        reports_count=len(data["postReports"]),
        waiting_days=waiting_days,
        done=DONE.get(visit.request.query_params.get("fait", "")),
    )


async def review(visit: Visit) -> Response:
    return await _review(visit, {}, {}, 200)


async def _review(
    visit: Visit, errors: dict[str, str], values: dict[str, str], status: int
) -> Response:
    offer_id = visit.request.path_params["offer_id"]
    entered = await enter(visit, SECTION, "moderation_offer", id=offer_id)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    offer = data["offer"]
    if offer is None or offer["working"] is None:
        return visit.render("errors/not_found.html", status=404)
    working = offer["working"]
    return _render(
        visit,
        space,
        "backoffice/moderation_review.html",
        status=status,
        offer=offer,
        working=working,
        published=offer["published"] if offer["published"] != working else None,
        changes=changes(offer["published"], working),
        waiting=waiting_days(working["submittedAt"]),
        reasons=REFUSAL_REASONS,
        errors=errors,
        values=values,
    )


async def decide(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    decision, revision_id = visit.field("decision"), visit.field("version")
    values = {"motif": visit.field("motif"), "precision": visit.field("precision")}
    reason: str | None = None
    if decision == "refuser":
        errors = {}
        label = REFUSAL_REASONS.get(values["motif"])
        if label is None:
            errors["motif"] = "Choisissez le motif du refus."
        if values["motif"] == "autre" and not values["precision"]:
            errors["precision"] = "Précisez le motif du refus."
        if errors:
            return await _review(visit, errors, values, 422)
        reason = f"{label}." + (f" {values['precision']}" if values["precision"] else "")
    elif decision != "approuver":
        return await _review(
            visit, {"decision": "Choisissez de valider ou de refuser."}, values, 422
        )
    answer = (
        await visit.run(
            "moderate", revisionId=revision_id, approve=decision == "approuver", reason=reason
        )
    )["moderate"]
    error = user_error(answer)
    if error is not None and error.code == "INVALID_STATE":
        # Another moderator decided it meanwhile, or the partner withdrew it.
        return _render(
            visit,
            entered[0],
            "backoffice/moderation_decided.html",
            status=409,
            message=error.message,
        )
    if error is not None:
        field = "precision" if error.field == "reason" else "decision"
        return await _review(visit, {field: error.message}, values, 422)
    return visit.redirect(f"{QUEUE}?fait={'approuve' if decision == 'approuver' else 'refuse'}")


async def reports(visit: Visit) -> Response:
    return await _reports(visit, {}, 200)


async def _reports(visit: Visit, errors: dict[str, str], status: int) -> Response:
    entered = await enter(visit, SECTION, "post_reports")
    if isinstance(entered, Response):
        return entered
    space, data = entered
    posts: dict[str, dict[str, Any]] = {}
    for report in data["postReports"]:
        post = posts.setdefault(report["post"]["id"], {**report["post"], "reports": []})
        post["reports"].append(report)
    return _render(
        visit,
        space,
        "backoffice/moderation_reports.html",
        status=status,
        posts=list(posts.values()),
        hidden=data["hiddenPosts"],
        errors=errors,
        done=DONE.get(visit.request.query_params.get("fait", "")),
    )


async def hide_post(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    post_id, reason = visit.request.path_params["post_id"], visit.field("motif")
    if not reason:
        return await _reports(visit, {post_id: "Indiquez le motif, que le partenaire lira."}, 422)
    error = user_error((await visit.run("hide_post", postId=post_id, reason=reason))["hidePost"])
    if error is not None:
        return await _reports(visit, {post_id: error.message}, 422)
    return visit.redirect(f"{REPORTS}?fait=masquee")


async def restore_post(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    post_id = visit.request.path_params["post_id"]
    error = user_error((await visit.run("restore_post", postId=post_id))["restorePost"])
    if error is not None:
        return await _reports(visit, {"form": error.message}, 422)
    return visit.redirect(f"{REPORTS}?fait=retablie")


async def dismiss_report(visit: Visit) -> Response:
    entered = await enter(visit, SECTION)
    if isinstance(entered, Response):
        return entered
    report_id = visit.request.path_params["report_id"]
    answer = (await visit.run("dismiss_post_report", reportId=report_id))["dismissPostReport"]
    error = user_error(answer)
    if error is not None:
        return await _reports(visit, {"form": error.message}, 422)
    return visit.redirect(f"{REPORTS}?fait=ecarte")


def _render(
    visit: Visit, space: StaffSpace, template: str, status: int = 200, **values: Any
) -> Response:
    return visit.render(template, status=status, space=space, tab=SECTION, labels=labels, **values)
