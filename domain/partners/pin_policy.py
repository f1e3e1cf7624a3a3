"""The PIN rule: where a partner's tills ask the holder's PIN before a debit.

"Afin de renforcer la sécurité dans certaines enseignes équipées de TPE, le titulaire de la
carte CJeune devra taper son code PIN pour autoriser la transaction" (the partner guide).
Each partner has a level (`PinPolicy`: none, on its payment terminals only, on every till).
The département (staff who manage partners) imposes a minimum; the partner's principal
delegate may choose a stronger level, never a weaker one; the stronger of the two applies,
so a minimum raised later is never undone by an earlier choice, and a minimum lowered later
leaves the partner's own choice in force.

`pin_required(partner, channel)` is the one rule every debit path asks: the GraphQL till
today, the web space's till and the payment terminals later. A request states its channel
(`PaymentChannel`, the till by default); a terminal's session will state it for the
terminal once terminals have sessions of their own.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from domain.accounts.viewer import Viewer
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, forbidden, not_found
from domain.core.transactions import atomic
from models.accounts import StaffRole
from models.partners import Partner, PinPolicy

# Who may impose the minimum: the staff who create partners and manage their conventions
# (administrators hold every role).
MINIMUM_SETTERS = (StaffRole.SUPPORT,)


class PaymentChannel(StrEnum):
    """Where a debit is made."""

    TILL = "till"  # the partner's till: its web space or app on its own device, a QR reader
    TERMINAL = "terminal"  # a payment terminal: TPE or smart TPE


_STRENGTH = {PinPolicy.NONE: 0, PinPolicy.TERMINALS: 1, PinPolicy.EVERY_TILL: 2}
_WHERE = {
    PinPolicy.NONE: "nulle part",
    PinPolicy.TERMINALS: "sur vos terminaux de paiement (TPE)",
    PinPolicy.EVERY_TILL: "à toutes vos caisses",
}


def stronger(a: PinPolicy, b: PinPolicy) -> PinPolicy:
    return a if _STRENGTH[a] >= _STRENGTH[b] else b


def effective_pin_policy(partner: Partner) -> PinPolicy:
    """The level that applies: the département's minimum or the partner's choice."""
    return stronger(PinPolicy(partner.pin_policy_minimum), PinPolicy(partner.pin_policy_chosen))


def pin_required(partner: Partner, channel: PaymentChannel) -> bool:
    """Whether a debit for `partner` through `channel` needs the holder's PIN."""
    level = effective_pin_policy(partner)
    return level == PinPolicy.EVERY_TILL or (
        level == PinPolicy.TERMINALS and channel == PaymentChannel.TERMINAL
    )


def _snapshot(partner: Partner) -> dict[str, str]:
    return {
        "pinPolicyMinimum": PinPolicy(partner.pin_policy_minimum).value,
        "pinPolicyChosen": PinPolicy(partner.pin_policy_chosen).value,
        "pinPolicyEffective": effective_pin_policy(partner).value,
    }


async def _change(actor: Viewer, partner_id: UUID, column: str, level: PinPolicy) -> Partner:
    async with atomic():
        partner = await Partner.select_for_update().get_or_none(id=partner_id)
        if partner is None:
            raise not_found("Partenaire")
        minimum = PinPolicy(partner.pin_policy_minimum)
        if column == "pin_policy_chosen" and _STRENGTH[level] < _STRENGTH[minimum]:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                f"Le département impose au minimum le code PIN {_WHERE[minimum]} : "
                "vous pouvez renforcer cette règle, pas l'assouplir.",
                "level",
            )
        if getattr(partner, column) == level:
            return partner  # nothing changes, nothing to audit
        before = _snapshot(partner)
        setattr(partner, column, level)
        await partner.save(update_fields=[column, "updated_at"])
        await record(
            actor,
            "partner.pin_minimum_imposed"
            if column == "pin_policy_minimum"
            else "partner.pin_policy_chosen",
            partner,
            partner_id=partner.id,
            before=before,
            after=_snapshot(partner),
        )
    return partner


async def impose_minimum(actor: Viewer, partner_id: UUID, level: PinPolicy) -> Partner:
    """The département sets the weakest level the partner may choose (staff only)."""
    if not actor.has_staff_role(*MINIMUM_SETTERS):
        raise forbidden("Seul le Département fixe le niveau minimum du code PIN.")
    return await _change(actor, partner_id, "pin_policy_minimum", PinPolicy(level))


async def choose_level(actor: Viewer, partner_id: UUID, level: PinPolicy) -> Partner:
    """The partner's principal delegate sets its level, at or above the minimum."""
    if not actor.is_principal_of(partner_id):
        raise forbidden("Seul le délégué principal choisit où le code PIN est demandé.")
    return await _change(actor, partner_id, "pin_policy_chosen", PinPolicy(level))
