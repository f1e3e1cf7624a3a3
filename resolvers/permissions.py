"""Authorization: every root field declares who may call it with `allow(...)`.

A rule looks at the viewer, the parent object and the field's arguments. A field passes
when any of its rules passes; otherwise the anonymous get UNAUTHENTICATED (TOKEN_EXPIRED
when the access token they sent has expired: refresh it) and everyone else FORBIDDEN, with
a French message, and the resolver never runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info
from tortoise.models import Model

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.errors import ErrorCode
from models.accounts import StaffRole
from models.offers import Offer
from models.partners import Delegate, DelegatePermission
from models.social import Post
from models.terminals import Terminal
from models.transactions import BonPlanUse, CardTransaction

Check = Callable[[Viewer, Any, dict[str, Any]], bool | Awaitable[bool]]


class AccessDenied(GraphQLError):
    """Raised when no rule of a field allows the viewer; never masked."""

    def __init__(self, authenticated: bool, token_expired: bool = False) -> None:
        if token_expired:
            super().__init__(
                "Votre session a expiré : renouvelez votre jeton.",
                extensions={"code": ErrorCode.TOKEN_EXPIRED.value},
            )
        elif authenticated:
            super().__init__(
                "Vous n'avez pas les droits pour accéder à cette information "
                "ou faire cette action.",
                extensions={"code": "FORBIDDEN"},
            )
        else:
            super().__init__(
                "Connexion requise : veuillez vous connecter.",
                extensions={"code": "UNAUTHENTICATED"},
            )


@dataclass(frozen=True)
class Rule:
    name: str
    check: Check

    async def allows(self, viewer: Viewer, source: Any, kwargs: dict[str, Any]) -> bool:
        result = self.check(viewer, source, kwargs)
        if inspect.isawaitable(result):
            result = await result
        return bool(result)


class Allow(BasePermission):
    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer: Viewer = info.context.viewer
        if info.path.prev is None and viewer.token_expired_at(clock.now()):
            # A new operation on a WebSocket whose connection_init token has expired since
            # (streams already running go on while the session stays open).
            viewer = Viewer(client_address=viewer.client_address, token_expired=True)
        for rule in self.rules:
            if await rule.allows(viewer, source, kwargs):
                return True
        raise AccessDenied(viewer.is_authenticated or viewer.is_terminal, viewer.token_expired)


def allow(*rules: Rule) -> list[FieldExtension]:
    """The extensions list for a field: `strawberry.field(extensions=allow(...))`."""
    if not rules:
        raise ValueError("a field needs at least one rule")
    return [PermissionExtension(permissions=[Allow(rules)], use_directives=False)]


def rules_of(field: Any) -> tuple[Rule, ...] | None:
    for extension in getattr(field, "extensions", ()):
        if isinstance(extension, PermissionExtension):
            for permission in extension.permissions:
                if isinstance(permission, Allow):
                    return permission.rules
    return None


# --- the rules -----------------------------------------------------------------------

ANYONE = Rule("anyone", lambda viewer, source, kwargs: True)
SIGNED_IN = Rule("signed in", lambda viewer, source, kwargs: viewer.is_authenticated)
YOUNG_PERSON = Rule("young person", lambda viewer, source, kwargs: viewer.is_young_person)
ANY_STAFF = Rule("any staff", lambda viewer, source, kwargs: viewer.is_staff)


def staff(*roles: StaffRole) -> Rule:
    """Staff holding one of `roles`; administrators hold them all."""
    names = "/".join(r.value for r in roles) or "administrator"
    return Rule(f"staff {names}", lambda viewer, source, kwargs: viewer.has_staff_role(*roles))


ADMINISTRATOR = staff(StaffRole.ADMINISTRATOR)


def _argument(kwargs: dict[str, Any], argument: str) -> str | None:
    """The field's `argument`, or its `input`'s field of that name."""
    value = kwargs.get(argument)
    if value is None and "input" in kwargs:
        value = getattr(kwargs["input"], argument, None)
    return str(value) if value is not None else None


def delegate_of_argument(argument: str, permission: DelegatePermission | None = None) -> Rule:
    """An active delegate of the partner named by `argument` (with `permission`, if given)."""

    def check(viewer: Viewer, source: Any, kwargs: dict[str, Any]) -> bool:
        partner_id = _argument(kwargs, argument)
        if permission is None:
            return viewer.delegation(partner_id) is not None
        return viewer.may_act_for(partner_id, permission)

    return Rule(f"delegate of {argument} with {permission or 'any permission'}", check)


def terminal_of_argument(argument: str) -> Rule:
    """A paired payment terminal of the partner named by `argument`."""
    return Rule(
        f"terminal of {argument}",
        lambda viewer, source, kwargs: viewer.is_terminal_of(_argument(kwargs, argument)),
    )


def terminal_of_source(partner_field: str = "partner_id") -> Rule:
    """For fields of an object of one partner: a terminal of that partner."""
    return Rule(
        "terminal of this partner",
        lambda viewer, source, kwargs: viewer.is_terminal_of(getattr(source, partner_field)),
    )


THE_TERMINAL = Rule("a paired terminal", lambda viewer, source, kwargs: viewer.is_terminal)


def terminal_of_transaction_argument(argument: str) -> Rule:
    """The payment terminal that made the transaction `argument` names."""

    async def check(viewer: Viewer, source: Any, kwargs: dict[str, Any]) -> bool:
        if viewer.terminal is None:
            return False
        try:
            row_id = UUID(str(_argument(kwargs, argument)))
        except ValueError:
            return False
        return await CardTransaction.filter(id=row_id, terminal_id=viewer.terminal.id).exists()

    return Rule(f"terminal that made {argument}", check)


def manager_of_terminal_argument(argument: str) -> Rule:
    """A delegate with the terminals permission of the partner the terminal is of."""

    async def check(viewer: Viewer, source: Any, kwargs: dict[str, Any]) -> bool:
        if not viewer.delegations:
            return False
        try:
            terminal_id = UUID(str(_argument(kwargs, argument)))
        except ValueError:
            return False
        partner_id = await Terminal.filter(id=terminal_id).values_list("partner_id", flat=True)
        return bool(partner_id) and viewer.may_act_for(partner_id[0], DelegatePermission.TERMINALS)

    return Rule(f"manager of the terminals of {argument}'s partner", check)


def principal_of_argument(argument: str) -> Rule:
    return Rule(
        f"principal delegate of {argument}",
        lambda viewer, source, kwargs: viewer.is_principal_of(_argument(kwargs, argument)),
    )


def delegate_of_source(
    permission: DelegatePermission | None = None, partner_field: str = "id"
) -> Rule:
    """For fields of an object of one partner: an active delegate of that partner."""

    def check(viewer: Viewer, source: Any, kwargs: dict[str, Any]) -> bool:
        partner_id = getattr(source, partner_field)
        if permission is None:
            return viewer.delegation(partner_id) is not None
        return viewer.may_act_for(partner_id, permission)

    return Rule(f"delegate of this partner with {permission or 'any permission'}", check)


def manager_of_delegate_argument(argument: str) -> Rule:
    """A delegate allowed to manage the delegates of the partner the target delegate is of."""

    async def check(viewer: Viewer, source: Any, kwargs: dict[str, Any]) -> bool:
        if not viewer.delegations:
            return False
        try:
            delegate_id = UUID(str(kwargs.get(argument)))
        except ValueError:
            return False
        partner_id = await Delegate.filter(id=delegate_id).values_list("partner_id", flat=True)
        return bool(partner_id) and viewer.may_act_for(partner_id[0], DelegatePermission.DELEGATES)

    return Rule(f"manager of the delegates of {argument}'s partner", check)


def _delegate_of_owner(model: type[Model], argument: str, permission: DelegatePermission) -> Rule:
    """A delegate, with `permission`, of the partner that owns the `model` row `argument`
    (an argument of the field, or a field of its `input`)."""

    async def check(viewer: Viewer, source: Any, kwargs: dict[str, Any]) -> bool:
        if not viewer.delegations:
            return False
        try:
            row_id = UUID(str(_argument(kwargs, argument)))
        except ValueError:
            return False
        partner_id = await model.filter(id=row_id).values_list("partner_id", flat=True)
        return bool(partner_id) and viewer.may_act_for(partner_id[0], permission)

    return Rule(f"delegate with {permission} of the partner of {argument}", check)


def delegate_of_transaction_argument(argument: str, permission: DelegatePermission) -> Rule:
    """A delegate, with `permission`, of the partner that recorded the transaction."""
    return _delegate_of_owner(CardTransaction, argument, permission)


def delegate_of_post_argument(argument: str) -> Rule:
    """A delegate allowed to publish for the partner of the post."""
    return _delegate_of_owner(Post, argument, DelegatePermission.OFFERS_AND_POSTS)


def delegate_of_offer_argument(argument: str) -> Rule:
    """A delegate allowed to publish for the partner of the deal or event."""
    return _delegate_of_owner(Offer, argument, DelegatePermission.OFFERS_AND_POSTS)


def cashier_of_deal_argument(argument: str) -> Rule:
    """A delegate allowed to use the till of the partner whose deal `argument` names."""
    return _delegate_of_owner(Offer, argument, DelegatePermission.TRANSACTIONS)


def cashier_of_bon_plan_use_argument(argument: str) -> Rule:
    """A delegate allowed to use the till of the partner that recorded the use."""
    return _delegate_of_owner(BonPlanUse, argument, DelegatePermission.TRANSACTIONS)
