"""Root types composed from per-domain classes; each root field states who may call it."""

from __future__ import annotations

import strawberry

from models.accounts import StaffRole
from models.partners import DelegatePermission
from resolvers import feed as feed_resolvers
from resolvers import finance as finance_resolvers
from resolvers import posts as post_resolvers
from resolvers.permissions import (
    ANYONE,
    SIGNED_IN,
    YOUNG_PERSON,
    allow,
    delegate_of_argument,
    delegate_of_post_argument,
    staff,
)
from schema.accounts import AccountMutations, AccountQueries
from schema.audit import AuditQueries, AuditSubscriptions
from schema.campaigns import CampaignMutations, CampaignQueries
from schema.cards import CardMutations, CardQueries
from schema.consent import ConsentMutations, ConsentQueries
from schema.department_services import DepartmentServiceMutations, DepartmentServiceQueries
from schema.images import ImageMutations
from schema.jobs import JobMutations, JobQueries
from schema.notifications import (
    NotificationMutations,
    NotificationQueries,
    NotificationSubscriptions,
)
from schema.offers import OfferMutations, OfferQueries
from schema.partner_profiles import PartnerProfileMutations
from schema.partners import PartnerMutations, PartnerQueries
from schema.search import SearchQueries

SUPPORT = staff(StaffRole.SUPPORT)


MODERATION = staff(StaffRole.MODERATION)


@strawberry.type
class SocialQueries:
    feed = strawberry.field(
        resolver=feed_resolvers.feed,
        extensions=allow(YOUNG_PERSON),
        description="Posts of the partners I follow and the département's news, newest first.",
    )
    my_favorites = strawberry.field(
        resolver=feed_resolvers.my_favorites,
        extensions=allow(YOUNG_PERSON),
        description="The deals and events I saved; nobody else can see this list.",
    )
    my_follows = strawberry.field(
        resolver=feed_resolvers.my_follows,
        extensions=allow(YOUNG_PERSON),
        description="The partners I follow; nobody else can see this list.",
    )
    partner_posts = strawberry.field(
        resolver=post_resolvers.partner_posts,
        extensions=allow(ANYONE),
        description="A partner's news feed; its own people also see hidden posts and why.",
    )
    post_reports = strawberry.field(
        resolver=post_resolvers.post_reports_queue,
        extensions=allow(MODERATION),
        description="Open reports, oldest first.",
    )


@strawberry.type
class SocialMutations:
    follow = strawberry.mutation(resolver=feed_resolvers.follow, extensions=allow(YOUNG_PERSON))
    save_favorite = strawberry.mutation(
        resolver=feed_resolvers.save_favorite, extensions=allow(YOUNG_PERSON)
    )
    remove_favorite = strawberry.mutation(
        resolver=feed_resolvers.remove_favorite, extensions=allow(YOUNG_PERSON)
    )
    unfollow = strawberry.mutation(resolver=feed_resolvers.unfollow, extensions=allow(YOUNG_PERSON))
    create_post = strawberry.mutation(
        resolver=post_resolvers.create_post,
        extensions=allow(delegate_of_argument("partner_id", DelegatePermission.OFFERS_AND_POSTS)),
    )
    edit_post = strawberry.mutation(
        resolver=post_resolvers.edit_post, extensions=allow(delegate_of_post_argument("id"))
    )
    delete_post = strawberry.mutation(
        resolver=post_resolvers.delete_post, extensions=allow(delegate_of_post_argument("id"))
    )
    like_post = strawberry.mutation(
        resolver=post_resolvers.like_post, extensions=allow(YOUNG_PERSON)
    )
    unlike_post = strawberry.mutation(
        resolver=post_resolvers.unlike_post, extensions=allow(YOUNG_PERSON)
    )
    report_post = strawberry.mutation(
        resolver=post_resolvers.report_post,
        extensions=allow(SIGNED_IN),
        description="Anyone signed in may report a post to the département's moderation.",
    )
    hide_post = strawberry.mutation(
        resolver=post_resolvers.hide_post,
        extensions=allow(MODERATION),
        description="The post leaves every feed; the partner is told why.",
    )
    dismiss_post_report = strawberry.mutation(
        resolver=post_resolvers.dismiss_post_report, extensions=allow(MODERATION)
    )
    publish_highlight = strawberry.mutation(
        resolver=post_resolvers.publish_highlight,
        extensions=allow(staff(StaffRole.MARKETING, StaffRole.MODERATION)),
    )
    withdraw_highlight = strawberry.mutation(
        resolver=post_resolvers.withdraw_highlight,
        extensions=allow(staff(StaffRole.MARKETING, StaffRole.MODERATION)),
    )


FINANCE_STAFF = staff(StaffRole.FINANCE)
_PARTNER_FINANCE = allow(
    FINANCE_STAFF, delegate_of_argument("partner_id", DelegatePermission.FINANCE)
)


@strawberry.type
class FinanceQueries:
    bank_details = strawberry.field(
        resolver=finance_resolvers.bank_details_of,
        extensions=allow(
            staff(StaffRole.FINANCE, StaffRole.SUPPORT),
            delegate_of_argument("partner_id", DelegatePermission.FINANCE),
        ),
        description="The partner's validated bank details and any change waiting.",
    )
    reimbursements = strawberry.field(
        resolver=finance_resolvers.reimbursements_of,
        extensions=_PARTNER_FINANCE,
        description="« Mes remboursements »: newest period first, with statement links.",
    )
    statement = strawberry.field(
        resolver=finance_resolvers.statement,
        extensions=_PARTNER_FINANCE,
        description="Links (PDF, CSV) valid a few minutes, for a reimbursement or a range.",
    )
    reimbursement_periods = strawberry.field(
        resolver=finance_resolvers.reimbursement_periods, extensions=allow(FINANCE_STAFF)
    )


@strawberry.type
class FinanceMutations:
    set_bank_details = strawberry.mutation(
        resolver=finance_resolvers.set_bank_details,
        extensions=allow(delegate_of_argument("partner_id", DelegatePermission.FINANCE)),
        description="Payments are held until finance staff validate the new details.",
    )
    validate_bank_details = strawberry.mutation(
        resolver=finance_resolvers.validate_bank_details, extensions=allow(FINANCE_STAFF)
    )
    refuse_bank_details = strawberry.mutation(
        resolver=finance_resolvers.refuse_bank_details, extensions=allow(FINANCE_STAFF)
    )
    close_period = strawberry.mutation(
        resolver=finance_resolvers.close_period, extensions=allow(FINANCE_STAFF)
    )
    create_payment_batch = strawberry.mutation(
        resolver=finance_resolvers.create_payment_batch, extensions=allow(FINANCE_STAFF)
    )
    mark_payment_batch_sent = strawberry.mutation(
        resolver=finance_resolvers.mark_payment_batch_sent, extensions=allow(FINANCE_STAFF)
    )
    reject_transfers = strawberry.mutation(
        resolver=finance_resolvers.reject_transfers, extensions=allow(FINANCE_STAFF)
    )
    mark_payment_batch_paid = strawberry.mutation(
        resolver=finance_resolvers.mark_payment_batch_paid, extensions=allow(FINANCE_STAFF)
    )


@strawberry.type
class Query(
    AccountQueries,
    PartnerQueries,
    AuditQueries,
    CardQueries,
    NotificationQueries,
    ConsentQueries,
    JobQueries,
    SocialQueries,
    OfferQueries,
    SearchQueries,
    DepartmentServiceQueries,
    CampaignQueries,
    FinanceQueries,
):
    pass


@strawberry.type
class Mutation(
    AccountMutations,
    PartnerMutations,
    CardMutations,
    NotificationMutations,
    ConsentMutations,
    JobMutations,
    SocialMutations,
    ImageMutations,
    PartnerProfileMutations,
    OfferMutations,
    DepartmentServiceMutations,
    CampaignMutations,
    FinanceMutations,
):
    pass


@strawberry.type
class Subscription(AuditSubscriptions, NotificationSubscriptions):
    pass
