"""The « Transactions » tab: the day's transactions and earlier days, one transaction's
ticket (printable on a 58 mm or 80 mm thermal printer), and its cancellation the same day.

- `/partenaires/transactions?jour=AAAA-MM-JJ&delegue=<person>&apres=<cursor>`: one Paris day
  (today by default; `jour=tous` for every day), newest first, 25 a page.
- `/partenaires/transactions/{id}/ticket?largeur=58|80`: the transaction and its ticket
  (`Transaction.receipt`), with the print stylesheet.
- `/partenaires/transactions/{id}/annulation`: GET asks for confirmation, POST runs
  `cancelTransaction`. After the day of the transaction the page says to call the hotline.

Every read names the acting partner: another partner's transaction is not found (404),
even for a person who is a delegate of both, while acting for the other.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from starlette.responses import Response

from web.formatting import PARIS, paris_today
from web.graphql import user_error
from web.pages import Visit
from web.partners.space import FINANCE, TRANSACTIONS, PartnerSpace, enter

PAGE_SIZE = 25
WIDTHS = {"58": 32, "80": 48}  # characters per line of `Transaction.receipt`


def _day(raw: str | None) -> date | str | None:
    """The day asked for: a date, None for every day, or "" when the text is not a date."""
    if raw in (None, ""):
        return paris_today()
    if raw == "tous":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return ""


def _paris_midnight(day: date) -> str:
    return datetime.combine(day, time(0), PARIS).isoformat()


def cancellable(transaction: dict[str, Any]) -> bool:
    """The API's answer (`Transaction.cancellable`: the same Paris day, the till's
    permission, not cancelled yet): the rule is written once, there."""
    return bool(transaction["cancellable"])


async def transactions_list(visit: Visit) -> Response:
    query = visit.request.query_params
    day = _day(query.get("jour"))
    error = "Date invalide : choisissez un jour." if day == "" else None
    if day == "":
        day = paris_today()
    assert not isinstance(day, str)
    variables: dict[str, Any] = {
        "first": PAGE_SIZE,
        "after": query.get("apres") or None,
        "delegateId": query.get("delegue") or None,
        "since": _paris_midnight(day) if day else None,
        "until": _paris_midnight(day + timedelta(days=1)) if day else None,
    }
    entered = await enter(visit, "transactions_page", with_partner=True, **variables)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    if not space.sees_transactions:
        return visit.render("errors/forbidden.html", status=403)
    people = await _people(visit, space)
    page = data["transactions"] or {"transactions": [], "nextCursor": None}
    return visit.render(
        "partners/transactions.html",
        status=400 if error else 200,
        space=space,
        tab="transactions",
        rows=page["transactions"],
        next_cursor=page["nextCursor"],
        day=day,
        today=paris_today(),
        delegate=variables["delegateId"] or "",
        people=people,
        error=error,
        cancellable=cancellable,
        timedelta=timedelta,
    )


async def _people(visit: Visit, space: PartnerSpace) -> list[dict[str, str]]:
    """Whom the list may be filtered by: the partner's people for its managers, else oneself."""
    current = space.current or {}
    if current.get("isPrincipal") or "DELEGATES" in current.get("permissions", []):
        partner = (await visit.run("partner_delegates", partnerId=space.partner_id))["partner"]
        if partner and partner.get("delegates") is not None:
            people = [d["person"] for d in partner["delegates"]]
            return sorted(people, key=lambda p: (p["lastName"], p["firstName"]))
    me = space.me
    return [{"id": me["id"], "firstName": me["firstName"], "lastName": me["lastName"]}]


async def _one(
    visit: Visit, width: int = WIDTHS["58"]
) -> tuple[PartnerSpace, dict[str, Any]] | Response:
    entered = await enter(
        visit,
        "transaction_page",
        with_partner=True,
        id=visit.request.path_params["id"],
        width=width,
    )
    if isinstance(entered, Response):
        return entered
    space, data = entered
    if not (space.may(TRANSACTIONS) or space.may(FINANCE)):
        return visit.render("errors/forbidden.html", status=403)
    if data["transaction"] is None:
        return visit.render("errors/not_found.html", status=404, space=space)
    return space, data["transaction"]


async def ticket(visit: Visit) -> Response:
    paper = visit.request.query_params.get("largeur", "58")
    paper = paper if paper in WIDTHS else "58"
    found = await _one(visit, WIDTHS[paper])
    if isinstance(found, Response):
        return found
    space, transaction = found
    return visit.render(
        "partners/ticket.html",
        space=space,
        tab="transactions",
        transaction=transaction,
        paper=paper,
        cancellable=cancellable(transaction),
    )


async def cancellation(visit: Visit) -> Response:
    found = await _one(visit)
    if isinstance(found, Response):
        return found
    space, transaction = found
    if not space.may(TRANSACTIONS):
        return visit.render("errors/forbidden.html", status=403)
    values: dict[str, Any] = {
        "space": space,
        "tab": "transactions",
        "transaction": transaction,
        "refusal": None,
        "done": None,
        "cancellable_now": cancellable(transaction),
    }
    if not values["cancellable_now"]:
        return visit.render("partners/cancellation.html", status=409, **values)
    if visit.request.method == "POST":
        answer = (await visit.run("cancel_transaction", id=transaction["id"]))["cancelTransaction"]
        error = user_error(answer)
        if error is not None:
            values["refusal"] = error.message
            return visit.render("partners/cancellation.html", status=409, **values)
        values["done"] = answer
    return visit.render("partners/cancellation.html", **values)
