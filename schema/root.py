"""Root types composed from per-domain classes; each root field states who may call it."""

from __future__ import annotations

import strawberry

from models.accounts import StaffRole
from models.partners import DelegatePermission
from resolvers import accounts, audit, partners
from resolvers.permissions import (
    ADMINISTRATOR,
    ANY_STAFF,
    ANYONE,
    SIGNED_IN,
    allow,
    delegate_of_argument,
    manager_of_delegate_argument,
    principal_of_argument,
    staff,
)

SUPPORT = staff(StaffRole.SUPPORT)


@strawberry.type
class AccountQueries:
    me = strawberry.field(resolver=accounts.me, extensions=allow(SIGNED_IN))


@strawberry.type
class AccountMutations:
    register = strawberry.mutation(resolver=accounts.register, extensions=allow(ANYONE))
    verify_email = strawberry.mutation(resolver=accounts.verify_email, extensions=allow(ANYONE))
    request_password_reset = strawberry.mutation(
        resolver=accounts.request_password_reset,
        extensions=allow(ANYONE),
        description="Always answers ok, whether the address has an account or not.",
    )
    reset_password = strawberry.mutation(resolver=accounts.reset_password, extensions=allow(ANYONE))
    change_password = strawberry.mutation(
        resolver=accounts.change_password, extensions=allow(SIGNED_IN)
    )
    login = strawberry.mutation(resolver=accounts.login, extensions=allow(ANYONE))
    refresh_token = strawberry.mutation(resolver=accounts.refresh_token, extensions=allow(ANYONE))
    logout = strawberry.mutation(resolver=accounts.logout, extensions=allow(SIGNED_IN))


@strawberry.type
class PartnerQueries:
    partner = strawberry.field(
        resolver=partners.partner,
        extensions=allow(ANYONE),
        description="A partner's public profile; administrative fields for insiders only.",
    )
    partners = strawberry.field(resolver=partners.partners_list, extensions=allow(ANY_STAFF))


_MANAGES_DELEGATES = allow(SUPPORT, manager_of_delegate_argument("delegate_id"))


@strawberry.type
class PartnerMutations:
    create_partner = strawberry.mutation(
        resolver=partners.create_partner, extensions=allow(SUPPORT)
    )
    suspend_partner = strawberry.mutation(
        resolver=partners.suspend_partner, extensions=allow(ADMINISTRATOR)
    )
    reactivate_partner = strawberry.mutation(
        resolver=partners.reactivate_partner, extensions=allow(ADMINISTRATOR)
    )
    invite_delegate = strawberry.mutation(
        resolver=partners.invite_delegate,
        extensions=allow(SUPPORT, delegate_of_argument("partner_id", DelegatePermission.DELEGATES)),
    )
    accept_invitation = strawberry.mutation(
        resolver=partners.accept_invitation, extensions=allow(ANYONE)
    )
    update_delegate_permissions = strawberry.mutation(
        resolver=partners.update_delegate_permissions, extensions=_MANAGES_DELEGATES
    )
    suspend_delegate = strawberry.mutation(
        resolver=partners.suspend_delegate, extensions=_MANAGES_DELEGATES
    )
    reactivate_delegate = strawberry.mutation(
        resolver=partners.reactivate_delegate, extensions=_MANAGES_DELEGATES
    )
    revoke_delegate = strawberry.mutation(
        resolver=partners.revoke_delegate, extensions=_MANAGES_DELEGATES
    )


@strawberry.type
class AuditQueries:
    audit_log = strawberry.field(
        resolver=audit.audit_log,
        extensions=allow(ANY_STAFF, principal_of_argument("partner_id")),
    )


@strawberry.type
class AuditSubscriptions:
    audit_log_entries = strawberry.subscription(
        resolver=audit.audit_log_entries,
        extensions=allow(ANY_STAFF, principal_of_argument("partner_id")),
    )


@strawberry.type
class Query(AccountQueries, PartnerQueries, AuditQueries):
    pass


@strawberry.type
class Mutation(AccountMutations, PartnerMutations):
    pass


@strawberry.type
class Subscription(AuditSubscriptions):
    pass
