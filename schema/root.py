"""The root types, composed from each domain's `XQueries`, `XMutations` and `XSubscriptions`
(schema/<domain>.py, where each root field states who may call it). The order of the bases
is the order of the fields in schema.graphql."""

from __future__ import annotations

import strawberry

from schema.accounts import AccountMutations, AccountQueries
from schema.audit import AuditQueries, AuditSubscriptions
from schema.bon_plan_uses import BonPlanUseMutations, BonPlanUseQueries
from schema.campaigns import CampaignMutations, CampaignQueries
from schema.card_photos import CardPhotoMutations, CardPhotoQueries
from schema.cards import CardMutations, CardQueries
from schema.consent import ConsentMutations, ConsentQueries
from schema.dashboard import DashboardQueries
from schema.department_services import DepartmentServiceMutations, DepartmentServiceQueries
from schema.directory import DirectoryQueries
from schema.finance import FinanceMutations, FinanceQueries
from schema.images import ImageMutations
from schema.jobs import JobMutations, JobQueries
from schema.my_account import MyAccountMutations, MyAccountQueries
from schema.notifications import (
    NotificationMutations,
    NotificationQueries,
    NotificationSubscriptions,
)
from schema.offers import OfferMutations, OfferQueries
from schema.partner_profiles import PartnerProfileMutations
from schema.partners import PartnerMutations, PartnerQueries
from schema.privacy import PrivacyMutations
from schema.programme import ProgrammeQueries
from schema.reporting import ReportingQueries
from schema.school_years import SchoolYearMutations, SchoolYearQueries
from schema.search import SearchQueries
from schema.social import SocialMutations, SocialQueries
from schema.staff import StaffMutations, StaffQueries
from schema.support_desk import SupportDeskMutations, SupportDeskQueries
from schema.terminals import TerminalMutations, TerminalQueries


@strawberry.type
class Query(
    AccountQueries,
    PartnerQueries,
    AuditQueries,
    CardQueries,
    SchoolYearQueries,
    SupportDeskQueries,
    CardPhotoQueries,
    BonPlanUseQueries,
    TerminalQueries,
    NotificationQueries,
    ConsentQueries,
    JobQueries,
    SocialQueries,
    OfferQueries,
    SearchQueries,
    DepartmentServiceQueries,
    CampaignQueries,
    FinanceQueries,
    DashboardQueries,
    ProgrammeQueries,
    StaffQueries,
    ReportingQueries,
    DirectoryQueries,
    MyAccountQueries,
):
    pass


@strawberry.type
class Mutation(
    AccountMutations,
    PartnerMutations,
    CardMutations,
    SchoolYearMutations,
    SupportDeskMutations,
    CardPhotoMutations,
    BonPlanUseMutations,
    TerminalMutations,
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
    PrivacyMutations,
    StaffMutations,
    MyAccountMutations,
):
    pass


@strawberry.type
class Subscription(AuditSubscriptions, NotificationSubscriptions):
    pass
