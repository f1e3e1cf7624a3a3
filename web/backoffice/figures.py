"""Tableau de bord (every staff role): the programme's figures for a school year
(`programmeFigures`, aggregates only), with server-drawn SVG bar charts, each with its data
table (`macros/charts.html`). `?annee=<school year id>` picks another year."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.responses import Response

from web.backoffice.space import enter
from web.graphql import user_error
from web.pages import Visit

SECTION = "tableau-de-bord"
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def _month(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


SHORT_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


def _short_month(day: date) -> str:
    return SHORT_MONTHS[day.month - 1]


def activation_bars(months: list[dict[str, Any]]) -> list[dict[str, Any]]:
    bars = []
    for m in months:
        day = date.fromisoformat(m["startsOn"])
        bars.append(
            {
                "label": _month(day),
                "tick": _short_month(day),
                "value": m["value"],
                "shown": str(m["value"]),
            }
        )
    return bars


def week_bars(weeks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One bar per week; the axis names a month under its first Monday."""
    bars = []
    for w in weeks:
        day = date.fromisoformat(w["startsOn"])
        tick = _short_month(day) if day.day <= 7 else ""
        bars.append(
            {
                "label": f"semaine du {day.day} {_month(day)}",
                "tick": tick,
                "value": w["value"],
                "shown": w["amount"],
            }
        )
    return bars


def wallet_bars(wallets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"label": w["label"], "tick": w["label"], "value": w["amountCents"], "shown": w["amount"]}
        for w in wallets
    ]


def campaign_bars(campaigns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "label": c["name"],
            "tick": c["name"][:18],
            "value": c["peopleReached"],
            "shown": str(c["peopleReached"]),
        }
        for c in campaigns
    ]


async def dashboard(visit: Visit) -> Response:
    chosen = visit.request.query_params.get("annee", "").strip() or None
    entered = await enter(visit, SECTION, "programme_figures_page", schoolYear=chosen)
    if isinstance(entered, Response):
        return entered
    space, data = entered
    answer = data["programmeFigures"]
    error = user_error(answer)
    figures = None if error is not None else answer
    charts = {}
    if figures is not None:
        charts = {
            "activations": activation_bars(figures["activationsByMonth"]),
            "weeks": week_bars(figures["spendingByWeek"]),
            "wallets": wallet_bars(figures["spendingByWallet"]),
            "campaigns": campaign_bars(figures["campaigns"]),
        }
    return visit.render(
        "backoffice/figures.html",
        status=404 if error is not None and chosen else 200,
        space=space,
        tab=SECTION,
        figures=figures,
        refusal=error.message if error is not None else None,
        years=data["schoolYears"],
        chosen=figures["schoolYearId"] if figures else chosen,
        charts=charts,
    )
