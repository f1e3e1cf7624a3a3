"""The partner space: who is signed in, which partner they act for, what they may do there.

A delegate of several partners picks the one they act for (`/partenaires/choisir`); the
choice is kept in the web session (`WebSession.partner_id`) and every page shows it in its
header. The permissions shown (which tabs, which buttons) are read from the API's
`me.delegations`; the API still checks each operation itself, so a page that shows too much
would only meet a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from uuid import UUID

from starlette.responses import Response

from web.pages import Visit

TRANSACTIONS, FINANCE = "TRANSACTIONS", "FINANCE"


@dataclass
class PartnerSpace:
    """The signed-in person as the partner space sees them, and the partner they act for."""

    me: dict[str, Any]
    delegations: list[dict[str, Any]] = field(default_factory=list)
    current: dict[str, Any] | None = None

    @classmethod
    def of(cls, me: dict[str, Any] | None, chosen: UUID | None) -> PartnerSpace:
        me = me or {}
        usable = [
            d
            for d in me.get("delegations") or []
            # A partner's status is told to its insiders only: null once the partner or the
            # delegation is suspended.
            if d["status"] == "ACTIVE" and d["partner"].get("status") == "ACTIVE"
        ]
        usable.sort(key=lambda d: d["partner"]["tradeName"].casefold())
        current = None
        if len(usable) == 1:
            current = usable[0]
        elif chosen is not None:
            current = next((d for d in usable if d["partner"]["id"] == str(chosen)), None)
        return cls(me, usable, current)

    @property
    def partner(self) -> dict[str, Any]:
        assert self.current is not None
        partner: dict[str, Any] = self.current["partner"]
        return partner

    @property
    def partner_id(self) -> str:
        return str(self.partner["id"])

    def may(self, permission: str) -> bool:
        current = self.current
        return current is not None and (
            bool(current["isPrincipal"]) or permission in current["permissions"]
        )

    @property
    def sees_transactions(self) -> bool:
        return self.may(TRANSACTIONS) or self.may(FINANCE)


async def enter(
    visit: Visit,
    operation: str = "partner_space",
    *,
    with_partner: bool = False,
    **variables: Any,
) -> tuple[PartnerSpace, dict[str, Any]] | Response:
    """Run a full page's operation (it spreads PartnerSpaceViewer under `me`) and place the
    visitor in the partner space; a response instead when they must first sign in, pick a
    partner, or have none. `with_partner`: the operation takes the acting partner as
    `$partnerId` (found first with the partner space's own read if the session has none)."""
    if not visit.signed_in:
        return visit.to_sign_in()
    assert visit.session is not None
    if with_partner:
        partner_id = acting_partner_id(visit)
        if partner_id is None:
            entered = await enter(visit)
            if isinstance(entered, Response):
                return entered
            partner_id = entered[0].partner_id
        variables["partnerId"] = partner_id
    data = await visit.run(operation, **variables)
    space = PartnerSpace.of(data.get("me"), visit.session.partner_id)
    if not space.delegations:
        return visit.render("partners/no_partner.html", status=403, space=space)
    if space.current is None or (with_partner and space.partner_id != variables["partnerId"]):
        suite = quote(visit.request.url.path, safe="/")
        return visit.redirect(f"/partenaires/choisir?suite={suite}")
    current = visit.new_session or visit.session
    if current.partner_id != UUID(space.partner_id):
        # Remember the one partner of a single-partner delegate: the till's quick requests
        # (lookup, debit) then need no `me` read to know it.
        visit.open_session(current.acting_for(UUID(space.partner_id)))
    return space, data


def acting_partner_id(visit: Visit) -> str | None:
    """The partner of the session, for a quick request that shows no header (htmx)."""
    session = visit.new_session or visit.session
    return str(session.partner_id) if session and session.partner_id else None
