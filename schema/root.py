"""Root types composed from per-domain classes; each root field states who may call it."""

from __future__ import annotations

import strawberry

from models.accounts import StaffRole
from models.partners import DelegatePermission
from resolvers import accounts, audit, cards, consent, partners, transactions
from resolvers import feed as feed_resolvers
from resolvers import finance as finance_resolvers
from resolvers import notifications as inbox
from resolvers import posts as post_resolvers
from resolvers.permissions import (
    ADMINISTRATOR,
    ANY_STAFF,
    ANYONE,
    SIGNED_IN,
    YOUNG_PERSON,
    allow,
    delegate_of_argument,
    delegate_of_post_argument,
    delegate_of_transaction_argument,
    manager_of_delegate_argument,
    principal_of_argument,
    staff,
)
from schema.campaigns import CampaignMutations, CampaignQueries
from schema.department_services import DepartmentServiceMutations, DepartmentServiceQueries
from schema.images import ImageMutations
from schema.jobs import JobMutations, JobQueries
from schema.offers import OfferMutations, OfferQueries
from schema.partner_profiles import PartnerProfileMutations
from schema.search import SearchQueries

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


_TILL = allow(delegate_of_argument("partner_id", DelegatePermission.TRANSACTIONS))


@strawberry.type
class CardQueries:
    school_years = strawberry.field(resolver=cards.school_years_list, extensions=allow(ANY_STAFF))
    my_cards = strawberry.field(resolver=cards.my_cards, extensions=allow(YOUNG_PERSON))
    my_transactions = strawberry.field(
        resolver=transactions.my_transactions, extensions=allow(YOUNG_PERSON)
    )
    lookup_card = strawberry.field(
        resolver=transactions.lookup_card,
        extensions=_TILL,
        description="Find a card by typed code or QR payload, for the identity check.",
    )
    transactions = strawberry.field(
        resolver=transactions.transactions,
        extensions=allow(
            staff(StaffRole.SUPPORT, StaffRole.FINANCE),
            delegate_of_argument("partner_id", DelegatePermission.TRANSACTIONS),
            delegate_of_argument("partner_id", DelegatePermission.FINANCE),
        ),
    )


@strawberry.type
class CardMutations:
    create_school_year = strawberry.mutation(
        resolver=cards.create_school_year, extensions=allow(staff(StaffRole.FINANCE))
    )
    import_beneficiaries = strawberry.mutation(
        resolver=cards.import_beneficiaries, extensions=allow(SUPPORT)
    )
    activate_card = strawberry.mutation(
        resolver=cards.activate_card, extensions=allow(YOUNG_PERSON)
    )
    request_digital_card = strawberry.mutation(
        resolver=cards.request_digital_card,
        extensions=allow(YOUNG_PERSON),
        description="16-25: a digital card for the deals (no wallet).",
    )
    declare_card_lost = strawberry.mutation(
        resolver=cards.declare_card_lost, extensions=allow(YOUNG_PERSON)
    )
    set_card_pin = strawberry.mutation(resolver=cards.set_card_pin, extensions=allow(YOUNG_PERSON))
    unlock_card_pin = strawberry.mutation(resolver=cards.unlock_card_pin, extensions=allow(SUPPORT))
    replace_card = strawberry.mutation(resolver=cards.replace_card, extensions=allow(SUPPORT))
    debit_card = strawberry.mutation(resolver=transactions.debit_card, extensions=_TILL)
    cancel_transaction = strawberry.mutation(
        resolver=transactions.cancel_transaction,
        extensions=allow(
            delegate_of_transaction_argument("transaction_id", DelegatePermission.TRANSACTIONS)
        ),
        description="The same calendar day (Paris) only; afterwards, the hotline regularises.",
    )
    regularize_transaction = strawberry.mutation(
        resolver=transactions.regularize_transaction, extensions=allow(SUPPORT)
    )


@strawberry.type
class NotificationQueries:
    notifications = strawberry.field(
        resolver=inbox.notifications,
        extensions=allow(SIGNED_IN),
        description="My inbox, newest first.",
    )
    unread_notification_count = strawberry.field(
        resolver=inbox.unread_notification_count, extensions=allow(SIGNED_IN)
    )
    notification_preferences = strawberry.field(
        resolver=inbox.notification_preferences, extensions=allow(SIGNED_IN)
    )


@strawberry.type
class NotificationMutations:
    mark_notifications_read = strawberry.mutation(
        resolver=inbox.mark_notifications_read, extensions=allow(SIGNED_IN)
    )
    register_device = strawberry.mutation(
        resolver=inbox.register_device,
        extensions=allow(SIGNED_IN),
        description="Receive my notifications by push on this device (FCM registration token).",
    )
    unregister_device = strawberry.mutation(
        resolver=inbox.unregister_device, extensions=allow(SIGNED_IN)
    )
    update_notification_preferences = strawberry.mutation(
        resolver=inbox.update_notification_preferences, extensions=allow(SIGNED_IN)
    )


@strawberry.type
class NotificationSubscriptions:
    notification_added = strawberry.subscription(
        resolver=inbox.notification_added, extensions=allow(SIGNED_IN)
    )


@strawberry.type
class ConsentQueries:
    my_marketing_consent = strawberry.field(
        resolver=consent.my_marketing_consent, extensions=allow(YOUNG_PERSON)
    )


@strawberry.type
class ConsentMutations:
    set_marketing_opt_in = strawberry.mutation(
        resolver=consent.set_marketing_opt_in,
        extensions=allow(SIGNED_IN),
        description="Under 15, the choice is kept but takes effect once a parent consents.",
    )
    request_parental_consent = strawberry.mutation(
        resolver=consent.request_parental_consent,
        extensions=allow(YOUNG_PERSON),
        description="Under 15: the parent receives an email with a link valid 14 days.",
    )
    withdraw_parental_consent = strawberry.mutation(
        resolver=consent.withdraw_parental_consent,
        extensions=allow(YOUNG_PERSON),
        description="Withdraws the parent's consent, or cancels an unanswered request.",
    )
    record_parental_consent = strawberry.mutation(
        resolver=consent.record_parental_consent,
        extensions=allow(SUPPORT),
        description="A consent given on paper (signed form kept by the support team).",
    )


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
