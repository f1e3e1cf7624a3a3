"""Every root field x every role: allowed or refused, as the authorization table says.

The table must name every root field of the schema (and a few sensitive nested fields);
a field added without its row makes `test_every_root_field_is_in_the_table` fail.
"""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.datastructures import UploadFile
from starlette.requests import Request

from domain.accounts.sessions import load_viewer, login
from domain.accounts.viewer import Viewer
from domain.cards.bon_plan_uses import UseRequest, record_use
from domain.cards.transactions import DebitRequest, debit_card
from domain.core import clock
from domain.offers.editing import OfferChanges, PlaceInput, create_offer
from domain.offers.moderation import decide, submit
from domain.social.posts import create_post
from domain.terminals.authentication import viewer_from_terminal_credential
from domain.terminals.pairing import create_terminal, pair_terminal
from models.accounts import StaffRole
from models.cards import Card
from models.offers import DealType, Offer, OfferKind, OfferTheme
from models.partners import Delegate, DelegatePermission
from models.social import Post, PostStatus
from models.terminals import Terminal, TerminalKind, TerminalState
from resolvers.context import Context
from resolvers.permissions import rules_of
from schema.root import Mutation, Query, Subscription
from tests.factories import PASSWORD, card_holder, collaborator, partner_team, staff_member

ROLES = [
    "anonymous",
    "young_person",
    "principal_a",
    "collaborator_a",
    "delegate_b",
    "staff_moderation",
    "staff_support",
    "staff_finance",
    "staff_marketing",
    "staff_admin",
    # Paired payment terminals (their own credential, no person): the till's fields only.
    "terminal_a",
    "terminal_b",
]
STAFF = {r for r in ROLES if r.startswith("staff_")}
TERMINALS = {"terminal_a", "terminal_b"}
SIGNED_IN = set(ROLES) - {"anonymous"} - TERMINALS  # a person signed in
EVERYONE = set(ROLES)
DENIED_CODES = {"FORBIDDEN", "UNAUTHENTICATED"}
MARKETING = {"staff_marketing", "staff_admin"}


@dataclass
class World:
    viewers: dict[str, Viewer]
    partner_a: str
    partner_b: str
    team_a: Any

    async def fresh_delegate_of_a(self) -> str:
        """A new collaborator of A, so a state change in one row cannot affect another."""
        user = await collaborator(self.team_a, DelegatePermission.TRANSACTIONS)
        return str((await Delegate.get(partner_id=self.team_a.partner.id, user_id=user.id)).id)

    deal_a: str = ""  # a published deal of A, used once by the young person

    async def fresh_bon_plan_use_of_a(self) -> str:
        """A new use of A's deal, recorded by A's principal, for rows that cancel it."""
        holder = await card_holder()
        use = await record_use(
            self.viewers["principal_a"],
            UseRequest(holder.card.code, uuid.UUID(self.deal_a), uuid.uuid4().hex),
        )
        return str(use.id)

    async def fresh_terminal_of_a(self) -> str:
        """A new paired terminal of A, for rows that rename or revoke it."""
        return str((await _paired(self.viewers["principal_a"], self.team_a.partner.id)).id)

    async def fresh_transaction_of_a(self) -> str:
        """A new 1 € debit recorded by partner A, for rows that cancel or regularise."""
        holder = await card_holder()
        transaction = await debit_card(
            self.viewers["principal_a"],
            DebitRequest(
                self.team_a.partner.id,
                holder.card.code,
                "SPORT_CULTURE_LOISIRS",
                "1",
                uuid.uuid4().hex,
            ),
        )
        return str(transaction.id)


Variables = Callable[[World], Awaitable[dict[str, Any]]]


@dataclass
class Row:
    field: str
    document: str
    allowed: set[str]
    variables: Variables | None = None
    subscription: bool = False


def fixed(**values: Any) -> Variables:
    async def build(world: World) -> dict[str, Any]:
        return {k: (v(world) if callable(v) else v) for k, v in values.items()}

    return build


async def _paired(principal: Viewer, partner_id: uuid.UUID) -> Any:
    """A paired terminal written as pairing leaves it (the matrix makes more than the
    hourly number of pairing codes a partner may create)."""
    now = clock.now()
    return await Terminal.create(
        partner_id=partner_id,
        name="Caisse",
        kind=TerminalKind.SMART_TPE,
        state=TerminalState.ACTIVE,
        created_by_id=principal.signed_in_user.id,
        responsible_id=principal.signed_in_user.id,
        created_at=now,
        paired_at=now,
        credential_digest=uuid.uuid4().hex,
        credential_issued_at=now,
    )


async def fresh_terminal(world: World) -> dict[str, Any]:
    return {"id": await world.fresh_terminal_of_a()}


async def terminal_transaction(world: World) -> dict[str, Any]:
    """A new debit made by terminal A (which it, and only it, may cancel)."""
    holder = await card_holder()
    transaction = await debit_card(
        world.viewers["terminal_a"],
        DebitRequest(
            world.team_a.partner.id,
            holder.card.code,
            "SPORT_CULTURE_LOISIRS",
            "1",
            uuid.uuid4().hex,
        ),
    )
    return {"id": str(transaction.id)}


async def fresh_delegate(world: World) -> dict[str, Any]:
    return {"id": await world.fresh_delegate_of_a()}


async def fresh_transaction(world: World) -> dict[str, Any]:
    return {"id": await world.fresh_transaction_of_a()}


async def fresh_post(world: World) -> dict[str, Any]:
    """A new post of partner A, published by its principal."""
    post = await create_post(
        world.viewers["principal_a"], uuid.UUID(world.partner_a), "Un post", []
    )
    return {"id": str(post.id)}


async def hidden_post_of_a(world: World) -> dict[str, Any]:
    """Partner A with one post hidden by moderation (its people read why)."""
    post = await create_post(world.viewers["principal_a"], uuid.UUID(world.partner_a), "Caché", [])
    await Post.filter(id=post.id).update(status=PostStatus.HIDDEN, hidden_reason="motif")
    return {"p": world.partner_a}


async def an_upload(world: World) -> dict[str, Any]:
    return {"f": UploadFile(io.BytesIO(b"pas une image"), filename="photo.jpg")}


async def fresh_offer(world: World) -> dict[str, Any]:
    """A new draft deal of partner A."""
    today = clock.paris_today()
    offer = await create_offer(
        world.viewers["principal_a"],
        uuid.UUID(world.partner_a),
        OfferKind.DEAL,
        OfferChanges(
            title="Goodies",
            description="Un sac offert",
            theme=OfferTheme.SPORT,
            deal_type=DealType.GOODIES,
            valid_from=today,
            valid_until=today,
            places=[PlaceInput("1 rue de Rome", "13001", "Marseille")],
        ),
    )
    return {"id": str(offer.id)}


async def published_deal_of_a(world: World) -> Offer:
    """A deal of partner A, approved by moderation, on show today."""
    created = await fresh_offer(world)
    offer_id = uuid.UUID(created["id"])
    await submit(world.viewers["principal_a"], offer_id)
    revision = (await Offer.get(id=offer_id)).working_revision_id
    await decide(world.viewers["staff_moderation"], revision, True, None)
    return await Offer.get(id=offer_id)


async def fresh_bon_plan_use(world: World) -> dict[str, Any]:
    return {"id": await world.fresh_bon_plan_use_of_a()}


async def _with_partner(world: World, make: Variables) -> dict[str, Any]:
    return {"p": world.partner_a, **await make(world)}


def DEAL_A(world: World) -> str:  # the published deal of partner A
    return world.deal_a


def A(world: World) -> str:  # the partner A of the table, by id
    return world.partner_a


NOWHERE = str(uuid.uuid4())
FINANCE_STAFF = {"staff_finance", "staff_admin"}
# collaborator_a holds the finance permission (see the `world` fixture).
FINANCE_OF_A = FINANCE_STAFF | {"principal_a", "collaborator_a"}
BAD_TOKEN = "jeton-inexistant"

TABLE = [
    Row("me", "{ me { id } }", SIGNED_IN),
    Row("programme", "{ programme { hotlinePhone assistanceEmail } }", EVERYONE),
    Row("partner", "query($id: ID!) { partner(id: $id) { tradeName } }", EVERYONE, fixed(id=A)),
    Row(
        "Partner.siret",
        "query($id: ID!) { partner(id: $id) { siret legalName status } }",
        STAFF | {"principal_a", "collaborator_a"},
        fixed(id=A),
    ),
    Row(
        "Partner.delegates",
        "query($id: ID!) { partner(id: $id) { delegates { person { email } } } }",
        {"staff_support", "staff_admin", "principal_a"},
        fixed(id=A),
    ),
    Row("partners", "{ partners { partners { id } } }", STAFF),
    Row(
        "auditLog",
        "query($p: ID) { auditLog(partnerId: $p) { entries { id } } }",
        STAFF | {"principal_a"},
        fixed(p=A),
    ),
    Row("auditLog (everything)", "{ auditLog { entries { id } } }", STAFF),
    Row(
        "register",
        """mutation { register(input: {email: "invalide", password: "x", firstName: "A",
        lastName: "B", birthDate: "2012-01-01", postalCode: "13001"}) { __typename } }""",
        EVERYONE,
    ),
    Row(
        "verifyEmail",
        f'mutation {{ verifyEmail(token: "{BAD_TOKEN}") {{ __typename }} }}',
        EVERYONE,
    ),
    Row(
        "emailLink",
        f'{{ emailLink(token: "{BAD_TOKEN}", purpose: RESET_PASSWORD) {{ __typename }} }}',
        EVERYONE,
    ),
    Row(
        "parentalConsentRequest",
        f'{{ parentalConsentRequest(token: "{BAD_TOKEN}") {{ __typename }} }}',
        EVERYONE,
    ),
    Row(
        "giveParentalConsent",
        f'mutation {{ giveParentalConsent(token: "{BAD_TOKEN}") {{ __typename }} }}',
        EVERYONE,
    ),
    Row(
        "refuseParentalConsent",
        f'mutation {{ refuseParentalConsent(token: "{BAD_TOKEN}") {{ __typename }} }}',
        EVERYONE,
    ),
    Row(
        "unsubscribeLink",
        f'{{ unsubscribeLink(token: "{BAD_TOKEN}") {{ __typename }} }}',
        EVERYONE,
    ),
    Row(
        "unsubscribeByToken",
        f'mutation {{ unsubscribeByToken(token: "{BAD_TOKEN}") {{ __typename }} }}',
        EVERYONE,
    ),
    Row(
        "requestPasswordReset",
        'mutation { requestPasswordReset(email: "inconnu@nulle.part") { ok } }',
        EVERYONE,
    ),
    Row(
        "resetPassword",
        f'mutation {{ resetPassword(token: "{BAD_TOKEN}", newPassword: "x") {{ __typename }} }}',
        EVERYONE,
    ),
    Row(
        "changePassword",
        'mutation { changePassword(currentPassword: "faux", newPassword: "x") { __typename } }',
        SIGNED_IN,
    ),
    Row(
        "login",
        'mutation { login(email: "matrice@nulle.part", password: "x") { __typename } }',
        EVERYONE,
    ),
    Row(
        "refreshToken",
        f'mutation {{ refreshToken(refreshToken: "{BAD_TOKEN}") {{ __typename }} }}',
        EVERYONE,
    ),
    Row(
        "createPartner",
        """mutation { createPartner(input: {legalName: "L", tradeName: "T", siret: "1",
        categories: [SPORT], debitableWallets: [], conventionSignedOn: "2025-09-01",
        representative: {email: "r@r.test", firstName: "R", lastName: "R"}}) { __typename } }""",
        {"staff_support", "staff_admin"},
    ),
    Row(
        "suspendPartner",
        "mutation($id: ID!) { suspendPartner(id: $id) { __typename } }",
        {"staff_admin"},
        fixed(id=NOWHERE),
    ),
    Row(
        "terminatePartner",
        """mutation($id: ID!) { terminatePartner(id: $id, terminatedOn: "2026-01-01",
        reason: "Fermeture définitive") { __typename } }""",
        {"staff_admin"},
        fixed(id=NOWHERE),
    ),
    Row(
        "sendBonPlanReminder",
        "mutation($p: ID!) { sendBonPlanReminder(partnerId: $p) { __typename } }",
        {"staff_support", "staff_admin"},
        fixed(p=NOWHERE),
    ),
    Row(
        "bonPlanReminders",
        "query($p: ID!) { bonPlanReminders(partnerId: $p) { id sentAt } }",
        {"staff_support", "staff_admin"},
        fixed(p=A),
    ),
    Row(
        "reactivatePartner",
        "mutation($id: ID!) { reactivatePartner(id: $id) { __typename } }",
        {"staff_admin"},
        fixed(id=NOWHERE),
    ),
    Row(
        "setPinPolicyMinimum",
        "mutation($p: ID!) { setPinPolicyMinimum(partnerId: $p, level: NONE) { __typename } }",
        {"staff_support", "staff_admin"},
        fixed(p=A),
    ),
    Row(
        "setPinPolicy",
        "mutation($p: ID!) { setPinPolicy(partnerId: $p, level: NONE) { __typename } }",
        {"principal_a"},
        fixed(p=A),
    ),
    Row(
        "setDailyCollectionEmail",
        """mutation($p: ID!) { setDailyCollectionEmail(partnerId: $p, enabled: true)
        { __typename } }""",
        {"principal_a", "collaborator_a"},
        fixed(p=A),
    ),
    Row(
        "Partner.pinPolicy",
        "query($id: ID!) { partner(id: $id) { pinPolicy { effective } } }",
        STAFF | {"principal_a", "collaborator_a"},
        fixed(id=A),
    ),
    Row(
        "inviteDelegate",
        """mutation($p: ID!) { inviteDelegate(input: {partnerId: $p, email: "invalide",
        firstName: "N", lastName: "G", permissions: []}) { __typename } }""",
        {"staff_support", "staff_admin", "principal_a"},
        fixed(p=A),
    ),
    Row(
        "acceptInvitation",
        f'mutation {{ acceptInvitation(token: "{BAD_TOKEN}", password: "x") {{ __typename }} }}',
        EVERYONE,
    ),
    Row(
        "updateDelegatePermissions",
        """mutation($id: ID!) { updateDelegatePermissions(delegateId: $id, permissions: [PROFILE])
        { __typename } }""",
        {"staff_support", "staff_admin", "principal_a"},
        fresh_delegate,
    ),
    Row(
        "suspendDelegate",
        "mutation($id: ID!) { suspendDelegate(delegateId: $id) { __typename } }",
        {"staff_support", "staff_admin", "principal_a"},
        fresh_delegate,
    ),
    Row(
        "reactivateDelegate",
        "mutation($id: ID!) { reactivateDelegate(delegateId: $id) { __typename } }",
        {"staff_support", "staff_admin", "principal_a"},
        fresh_delegate,
    ),
    Row(
        "revokeDelegate",
        "mutation($id: ID!) { revokeDelegate(delegateId: $id) { __typename } }",
        {"staff_support", "staff_admin", "principal_a"},
        fresh_delegate,
    ),
    Row(
        "auditLogEntries",
        "subscription($p: ID!) { auditLogEntries(partnerId: $p) { id } }",
        STAFF | {"principal_a"},
        fixed(p=A),
        subscription=True,
    ),
    Row("schoolYears", "{ schoolYears { label } }", STAFF),
    Row("notifications", "{ notifications { unreadCount } }", SIGNED_IN),
    Row("unreadNotificationCount", "{ unreadNotificationCount }", SIGNED_IN),
    Row("notificationPreferences", "{ notificationPreferences { push } }", SIGNED_IN),
    Row(
        "markNotificationsRead",
        "mutation { markNotificationsRead(all: true) { __typename } }",
        SIGNED_IN,
    ),
    Row(
        "registerDevice",
        'mutation { registerDevice(token: "trop-court", platform: ANDROID) { __typename } }',
        SIGNED_IN,
    ),
    Row(
        "unregisterDevice",
        'mutation { unregisterDevice(token: "inconnu") { ok } }',
        SIGNED_IN,
    ),
    Row(
        "updateNotificationPreferences",
        "mutation { updateNotificationPreferences { push } }",
        SIGNED_IN,
    ),
    Row(
        "notificationAdded",
        "subscription { notificationAdded { id } }",
        SIGNED_IN,
        subscription=True,
    ),
    Row("failedJobs", "{ failedJobs { id } }", {"staff_admin"}),
    Row(
        "retryFailedJob",
        f'mutation {{ retryFailedJob(id: "{NOWHERE}") {{ __typename }} }}',
        {"staff_admin"},
    ),
    Row(
        "resolveFailedJob",
        f'mutation {{ resolveFailedJob(id: "{NOWHERE}") {{ __typename }} }}',
        {"staff_admin"},
    ),
    Row(
        "programmeFigures",
        "{ programmeFigures { __typename ... on ProgrammeFigures { cardsActivated "
        "spendingByWeek { startsOn value } campaigns { name } } } }",
        STAFF,
    ),
    Row(
        "staffMembers",
        "{ staffMembers { id roles state lastSignInAt } }",
        {"staff_admin"},
    ),
    Row(
        "inviteStaffMember",
        """mutation { inviteStaffMember(input: {email: "invalide", firstName: "N",
        lastName: "G", roles: [SUPPORT]}) { __typename } }""",
        {"staff_admin"},
    ),
    Row(
        "setStaffRoles",
        f'mutation {{ setStaffRoles(staffId: "{NOWHERE}", roles: [SUPPORT]) {{ __typename }} }}',
        {"staff_admin"},
    ),
    Row(
        "deactivateStaffMember",
        f'mutation {{ deactivateStaffMember(staffId: "{NOWHERE}") {{ __typename }} }}',
        {"staff_admin"},
    ),
    Row(
        "reactivateStaffMember",
        f'mutation {{ reactivateStaffMember(staffId: "{NOWHERE}") {{ __typename }} }}',
        {"staff_admin"},
    ),
    Row(
        "acceptStaffInvitation",
        f'mutation {{ acceptStaffInvitation(token: "{BAD_TOKEN}", password: "x") '
        "{ __typename } }",
        EVERYONE,
    ),
    Row(
        "uploadImage",
        "mutation($f: Upload!) { uploadImage(purpose: POST, file: $f) { __typename } }",
        SIGNED_IN,  # then who may upload what for which partner: tests/resolvers/test_uploads.py
        an_upload,
    ),
    Row(
        "updatePartnerProfile",
        'mutation($p: ID!) { updatePartnerProfile(partnerId: $p, input: {phone: "x"}) '
        "{ __typename } }",
        {"principal_a", "collaborator_a", "staff_support", "staff_admin"},
        fixed(p=A),
    ),
    Row(
        "movePartnerPin",
        "mutation($p: ID!) { movePartnerPin(partnerId: $p, latitude: 0, longitude: 0) "
        "{ __typename } }",
        {"principal_a", "collaborator_a", "staff_support", "staff_admin"},
        fixed(p=A),
    ),
    Row(
        "addOpeningException",
        'mutation($p: ID!) { addOpeningException(partnerId: $p, startsOn: "2020-01-02", '
        'endsOn: "2020-01-01", hours: []) { __typename } }',
        {"principal_a", "collaborator_a", "staff_support", "staff_admin"},
        fixed(p=A),
    ),
    Row(
        "removeOpeningException",
        f'mutation {{ removeOpeningException(id: "{NOWHERE}") {{ __typename }} }}',
        {"staff_support", "staff_admin"},
    ),
    Row("feed", "{ feed { nextCursor } }", {"young_person"}),
    Row("myFollows", "{ myFollows { nextCursor } }", {"young_person"}),
    Row("myFavorites", "{ myFavorites { nextCursor } }", {"young_person"}),
    Row(
        "saveFavorite",
        f'mutation {{ saveFavorite(offerId: "{NOWHERE}") {{ __typename }} }}',
        {"young_person"},
    ),
    Row(
        "removeFavorite",
        f'mutation {{ removeFavorite(offerId: "{NOWHERE}") {{ ok }} }}',
        {"young_person"},
    ),
    Row(
        "partnerPosts",
        "query($p: ID!) { partnerPosts(partnerId: $p) { nextCursor } }",
        EVERYONE,
        fixed(p=A),
    ),
    Row("postReports", "{ postReports { id } }", {"staff_moderation", "staff_admin"}),
    Row("hiddenPosts", "{ hiddenPosts { id } }", {"staff_moderation", "staff_admin"}),
    Row(
        "restorePost",
        "mutation($p: ID!) { restorePost(postId: $p) { __typename } }",
        {"staff_moderation", "staff_admin"},
        fixed(p=NOWHERE),
    ),
    Row(
        "follow",
        "mutation($p: ID!) { follow(partnerId: $p) { __typename } }",
        {"young_person"},
        fixed(p=A),
    ),
    Row(
        "unfollow",
        "mutation($p: ID!) { unfollow(partnerId: $p) { __typename } }",
        {"young_person"},
        fixed(p=A),
    ),
    Row(
        "createPost",
        'mutation($p: ID!) { createPost(partnerId: $p, input: {body: ""}) { __typename } }',
        {"principal_a", "collaborator_a"},
        fixed(p=A),
    ),
    Row(
        "editPost",
        'mutation($id: ID!) { editPost(id: $id, changes: {body: "x"}) { __typename } }',
        {"principal_a", "collaborator_a"},
        fresh_post,
    ),
    Row(
        "deletePost",
        "mutation($id: ID!) { deletePost(id: $id) { __typename } }",
        {"principal_a", "collaborator_a"},
        fresh_post,
    ),
    Row(
        "likePost",
        "mutation($id: ID!) { likePost(postId: $id) { __typename } }",
        {"young_person"},
        fresh_post,
    ),
    Row(
        "unlikePost",
        "mutation($id: ID!) { unlikePost(postId: $id) { __typename } }",
        {"young_person"},
        fresh_post,
    ),
    Row(
        "reportPost",
        'mutation($id: ID!) { reportPost(postId: $id, reason: SPAM, text: "") { __typename } }',
        SIGNED_IN,
        fresh_post,
    ),
    Row(
        "hidePost",
        'mutation($id: ID!) { hidePost(postId: $id, reason: "") { __typename } }',
        {"staff_moderation", "staff_admin"},
        fresh_post,
    ),
    Row(
        "dismissPostReport",
        f'mutation {{ dismissPostReport(reportId: "{NOWHERE}") {{ __typename }} }}',
        {"staff_moderation", "staff_admin"},
    ),
    Row(
        "publishHighlight",
        'mutation { publishHighlight(input: {title: "", body: ""}) { __typename } }',
        {"staff_marketing", "staff_moderation", "staff_admin"},
    ),
    Row(
        "withdrawHighlight",
        f'mutation {{ withdrawHighlight(id: "{NOWHERE}") {{ __typename }} }}',
        {"staff_marketing", "staff_moderation", "staff_admin"},
    ),
    Row(
        "Post.hiddenReason",
        "query($p: ID!) { partnerPosts(partnerId: $p) { posts { hiddenReason } } }",
        STAFF | {"principal_a", "collaborator_a"},
        hidden_post_of_a,
    ),
    Row("search", '{ search(query: {text: "cinéma"}) { __typename } }', EVERYONE),
    Row(
        "SearchPage.suggestions",
        '{ search(query: {text: "marseile"}) { ... on SearchPage { suggestions } } }',
        EVERYONE,
    ),
    Row("departmentServices", "{ departmentServices { __typename } }", EVERYONE),
    Row("directory", '{ directory(commune: "Marseille") { totalCount } }', EVERYONE),
    Row("directoryCommunes", "{ directoryCommunes { name } }", EVERYONE),
    Row("communes", "{ communes { name latitude } }", EVERYONE),
    Row("mySessions", "{ mySessions { id } }", SIGNED_IN),
    Row("myDevices", "{ myDevices { id } }", SIGNED_IN),
    Row("signOutOtherSessions", "mutation { signOutOtherSessions { count } }", SIGNED_IN),
    Row(
        "removeMyDevice",
        f'mutation {{ removeMyDevice(deviceId: "{NOWHERE}") {{ __typename }} }}',
        SIGNED_IN,
    ),
    Row(
        "createDepartmentService",
        'mutation { createDepartmentService(input: {title: ""}) { __typename } }',
        {"staff_marketing", "staff_moderation", "staff_admin"},
    ),
    Row(
        "updateDepartmentService",
        f'mutation {{ updateDepartmentService(id: "{NOWHERE}", input: {{}}) {{ __typename }} }}',
        {"staff_marketing", "staff_moderation", "staff_admin"},
    ),
    Row(
        "setDepartmentServicePublished",
        f'mutation {{ setDepartmentServicePublished(id: "{NOWHERE}", published: false) '
        "{ __typename } }",
        {"staff_marketing", "staff_moderation", "staff_admin"},
    ),
    Row("offer", f'{{ offer(id: "{NOWHERE}") {{ id }} }}', EVERYONE),
    Row(
        "partnerOffers",
        "query($p: ID!) { partnerOffers(partnerId: $p) { __typename } }",
        EVERYONE,
        fixed(p=A),
    ),
    Row(
        "moderationQueue",
        "{ moderationQueue { __typename } }",
        {"staff_moderation", "staff_admin"},
    ),
    Row(
        "partnersWithoutBonPlan",
        '{ partnersWithoutBonPlan(schoolYear: "2026-2027") { __typename } }',
        STAFF,
    ),
    Row(
        "createBonPlan",
        """mutation($p: ID!) { createBonPlan(partnerId: $p, input: {title: "", description: "",
        dealType: GOODIES, theme: SPORT, validFrom: "2026-09-01", validUntil: "2026-09-02",
        places: []}) { __typename } }""",
        {"principal_a", "collaborator_a"},
        fixed(p=A),
    ),
    Row(
        "createEvent",
        """mutation($p: ID!) { createEvent(partnerId: $p, input: {title: "", description: "",
        eventKind: FESTIVAL, theme: CULTURE, sessions: [], places: []}) { __typename } }""",
        {"principal_a", "collaborator_a"},
        fixed(p=A),
    ),
    Row(
        "updateOffer",
        'mutation($id: ID!) { updateOffer(offerId: $id, input: {title: ""}) { __typename } }',
        {"principal_a", "collaborator_a"},
        fresh_offer,
    ),
    Row(
        "submitForModeration",
        "mutation($id: ID!) { submitForModeration(offerId: $id) { __typename } }",
        {"principal_a", "collaborator_a"},
        fresh_offer,
    ),
    Row(
        "withdrawOffer",
        "mutation($id: ID!) { withdrawOffer(offerId: $id) { __typename } }",
        {"principal_a", "collaborator_a"},
        fresh_offer,
    ),
    Row(
        "moderate",
        f'mutation {{ moderate(revisionId: "{NOWHERE}", approve: true) {{ __typename }} }}',
        {"staff_moderation", "staff_admin"},
    ),
    Row(
        "setSuperBonPlan",
        "mutation($id: ID!) { setSuperBonPlan(offerId: $id, isSuper: true) { __typename } }",
        {"staff_moderation", "staff_marketing", "staff_admin"},
        fresh_offer,
    ),
    Row("myMarketingConsent", "{ myMarketingConsent { emailOptIn } }", {"young_person"}),
    Row(
        "setMarketingOptIn",
        "mutation { setMarketingOptIn(channel: EMAIL, optedIn: false) { __typename } }",
        SIGNED_IN,
    ),
    Row(
        "requestParentalConsent",
        'mutation { requestParentalConsent(parentName: "", parentEmail: "x") { __typename } }',
        {"young_person"},
    ),
    Row(
        "withdrawParentalConsent",
        "mutation { withdrawParentalConsent { __typename } }",
        {"young_person"},
    ),
    Row(
        "recordParentalConsent",
        f"""mutation {{ recordParentalConsent(youngPersonId: "{NOWHERE}", parentName: "N",
        parentEmail: "p@f.test") {{ __typename }} }}""",
        {"staff_support", "staff_admin"},
    ),
    Row("myCards", "{ myCards { code } }", {"young_person"}),
    Row("myTransactions", "{ myTransactions { transactions { amountCents } } }", {"young_person"}),
    Row(
        "Transaction.delegate (own history)",
        "{ myTransactions { transactions { delegate { email } } } }",
        set(),
    ),
    Row(
        "lookupCard",
        'query($p: ID!) { lookupCard(partnerId: $p, code: "INCONNU") { __typename } }',
        {"principal_a", "collaborator_a", "terminal_a"},
        fixed(p=A),
    ),
    Row(
        "transactions",
        "query($p: ID!) { transactions(partnerId: $p) { transactions { delegate { email } } } }",
        {"staff_support", "staff_finance", "staff_admin", "principal_a", "collaborator_a"},
        fixed(p=A),
    ),
    Row(
        "bonPlanUses",
        "query($p: ID!) { bonPlanUses(partnerId: $p) { uses { delegate { email } } } }",
        {"staff_support", "staff_finance", "staff_admin", "principal_a", "collaborator_a"},
        fixed(p=A),
    ),
    Row("myBonPlanUses", "{ myBonPlanUses { uses { title } } }", {"young_person"}),
    Row(
        "BonPlanUse.delegate (own history)",
        "{ myBonPlanUses { uses { delegate { email } } } }",
        set(),
    ),
    Row(
        "bonPlanUseCounts",
        "query($p: ID!) { bonPlanUseCounts(partnerId: $p) { useCount } }",
        STAFF | {"principal_a", "collaborator_a"},
        fixed(p=A),
    ),
    Row("bonPlanUseCounts (everything)", "{ bonPlanUseCounts { useCount } }", STAFF),
    Row(
        "Offer.useCount",
        "query($id: ID!) { offer(id: $id) { useCount } }",
        STAFF | {"principal_a", "collaborator_a"},
        fixed(id=DEAL_A),
    ),
    Row(
        "transaction",
        "query($p: ID!, $id: ID!) { transaction(partnerId: $p, id: $id) { delegate { email } } }",
        {
            "staff_support",
            "staff_finance",
            "staff_admin",
            "principal_a",
            "collaborator_a",
            "terminal_a",
        },
        fixed(p=A, id=NOWHERE),
    ),
    Row(
        "createSchoolYear",
        'mutation { createSchoolYear(input: {startsOn: "2030-03-01"}) { __typename } }',
        {"staff_finance", "staff_admin"},
    ),
    Row(
        "importBeneficiaries",
        'mutation($y: ID!) { importBeneficiaries(schoolYearId: $y, csv: "") { __typename } }',
        {"staff_support", "staff_admin"},
        fixed(y=NOWHERE),
    ),
    Row(
        "beneficiaryImport",
        "query($id: ID!) { beneficiaryImport(id: $id) { rejected { reason } } }",
        {"staff_support", "staff_admin"},
        fixed(id=NOWHERE),
    ),
    Row(
        "beneficiaryImports",
        "query($y: ID!) { beneficiaryImports(schoolYearId: $y) { id } }",
        {"staff_support", "staff_admin"},
        fixed(y=NOWHERE),
    ),
    Row(
        "schoolYearFigures",
        "query($y: ID!) { schoolYearFigures(schoolYearId: $y) { forfeitedCents } }",
        {"staff_finance", "staff_admin"},
        fixed(y=NOWHERE),
    ),
    Row(
        "closeSchoolYear",
        "mutation($y: ID!) { closeSchoolYear(schoolYearId: $y) { __typename } }",
        {"staff_finance", "staff_admin"},
        fixed(y=NOWHERE),
    ),
    Row(
        "requestDigitalCard",
        'mutation { requestDigitalCard(communeCode: "75001") { __typename } }',
        {"young_person"},
    ),
    Row(
        "requestMyData",
        "mutation { requestMyData { __typename } }",
        {"young_person"},
    ),
    Row(
        "requestDataExportForParent",
        f"""mutation {{ requestDataExportForParent(youngPersonId: "{NOWHERE}", reason: "r")
        {{ __typename }} }}""",
        {"staff_support", "staff_admin"},
    ),
    Row(
        "setProfileVisibility",
        "mutation { setProfileVisibility(visibility: PRIVATE) { id } }",
        {"young_person"},
    ),
    Row(
        "closeMyAccount",
        'mutation { closeMyAccount(password: "faux") { __typename } }',
        {"young_person"},
    ),
    Row(
        "activateCard",
        'mutation { activateCard(code: "INCONNU") { __typename } }',
        {"young_person"},
    ),
    Row(
        "declareCardLost",
        "mutation($c: ID!) { declareCardLost(cardId: $c) { __typename } }",
        {"young_person"},
        fixed(c=NOWHERE),
    ),
    Row(
        "setCardPin",
        'mutation($c: ID!) { setCardPin(cardId: $c, pin: "1234") { __typename } }',
        {"young_person"},
        fixed(c=NOWHERE),
    ),
    Row(
        "unlockCardPin",
        "mutation($c: ID!) { unlockCardPin(cardId: $c) { __typename } }",
        {"staff_support", "staff_admin"},
        fixed(c=NOWHERE),
    ),
    Row(
        "replaceCard",
        "mutation($c: ID!) { replaceCard(cardId: $c) { __typename } }",
        {"staff_support", "staff_admin"},
        fixed(c=NOWHERE),
    ),
    Row(
        "youngPeople",
        '{ youngPeople(search: "Dupont") { id } }',
        {"staff_support", "staff_admin"},
    ),
    Row(
        "hotlineTransactions",
        '{ hotlineTransactions(partner: "Cinéma") { __typename } }',
        {"staff_support", "staff_admin"},
    ),
    Row(
        "openYoungPersonRecord",
        """mutation($id: ID!) { openYoungPersonRecord(id: $id, reason: "Appel du jeune")
        { __typename } }""",
        {"staff_support", "staff_admin"},
        fixed(id=NOWHERE),
    ),
    Row("myCardPhoto", "{ myCardPhoto { shown { id } } }", {"young_person"}),
    Row(
        "submitCardPhoto",
        "mutation($f: Upload!) { submitCardPhoto(file: $f) { __typename } }",
        {"young_person"},
        an_upload,
    ),
    Row(
        "cardPhotoQueue",
        "{ cardPhotoQueue { photo { id } } }",
        {"staff_support", "staff_admin"},
    ),
    Row(
        "validateCardPhoto",
        "mutation($id: ID!) { validateCardPhoto(id: $id) { __typename } }",
        {"staff_support", "staff_admin"},
        fixed(id=NOWHERE),
    ),
    Row(
        "refuseCardPhoto",
        """mutation($id: ID!) { refuseCardPhoto(id: $id, reason: OTHER, details: "Floue")
        { __typename } }""",
        {"staff_support", "staff_admin"},
        fixed(id=NOWHERE),
    ),
    Row(
        "resendVerificationEmail",
        "mutation($y: ID!) { resendVerificationEmail(youngPersonId: $y) { __typename } }",
        {"staff_support", "staff_admin"},
        fixed(y=NOWHERE),
    ),
    Row(
        "addEligiblePupil",
        """mutation($y: ID!) { addEligiblePupil(schoolYearId: $y, input: {identifier: "X",
        lastName: "A", firstName: "B", birthDate: "2013-01-01", communeCode: "13001"})
        { __typename } }""",
        {"staff_support", "staff_admin"},
        fixed(y=NOWHERE),
    ),
    Row(
        "debitCard",
        """mutation($p: ID!) { debitCard(input: {partnerId: $p, code: "INCONNU",
        walletKind: SPORT_CULTURE_LOISIRS, amount: "0", idempotencyKey: "matrice-0001"})
        { __typename } }""",
        {"principal_a", "collaborator_a", "terminal_a"},
        fixed(p=A),
    ),
    Row(
        "cancelTransaction",
        "mutation($id: ID!) { cancelTransaction(transactionId: $id) { __typename } }",
        {"principal_a", "collaborator_a"},  # not terminal A: a person made it
        fresh_transaction,
    ),
    Row(
        "cancelTransaction (a terminal's)",
        "mutation($id: ID!) { cancelTransaction(transactionId: $id) { __typename } }",
        {"principal_a", "collaborator_a", "terminal_a"},
        terminal_transaction,
    ),
    Row(
        "Transaction.receipt (a terminal's own)",
        """query($p: ID!, $id: ID!) { transaction(partnerId: $p, id: $id) {
        receipt(width: 32) } }""",
        {
            "staff_support",
            "staff_finance",
            "staff_admin",
            "principal_a",
            "collaborator_a",
            "terminal_a",
        },
        lambda world: _with_partner(world, terminal_transaction),
    ),
    Row(
        "terminals",
        "query($p: ID!) { terminals(partnerId: $p) { id lastSeenAt } }",
        {"principal_a", "staff_support", "staff_admin"},
        fixed(p=A),
    ),
    Row("terminalStatus", "{ terminalStatus { pinRequired } }", TERMINALS),
    Row(
        "createTerminal",
        """mutation($p: ID!) { createTerminal(input: {partnerId: $p, name: "Caisse"})
        { __typename } }""",
        {"principal_a"},
        fixed(p=A),
    ),
    Row(
        "pairTerminal",
        'mutation { pairTerminal(code: "AAAAA-AAAAA") { __typename } }',
        EVERYONE,
    ),
    Row(
        "rotateTerminalCredential",
        "mutation { rotateTerminalCredential { __typename } }",
        TERMINALS,
    ),
    Row(
        "suppliedTerminals",
        "{ suppliedTerminals { id serialNumber } }",
        {"staff_support", "staff_admin"},
    ),
    Row(
        "recordSuppliedTerminal",
        """mutation { recordSuppliedTerminal(input: {kind: SUPPLIED_TPE_PRINTER,
        serialNumber: "SN-1", name: "TPE 1"}) { __typename } }""",
        {"staff_support", "staff_admin"},
    ),
    Row(
        "assignTerminal",
        f'mutation {{ assignTerminal(terminalId: "{NOWHERE}", partnerId: "{NOWHERE}") '
        "{ __typename } }",
        {"staff_support", "staff_admin"},
    ),
    Row(
        "prePairTerminal",
        f'mutation {{ prePairTerminal(terminalId: "{NOWHERE}") {{ __typename }} }}',
        {"staff_support", "staff_admin"},
    ),
    Row(
        "returnTerminal",
        f'mutation {{ returnTerminal(terminalId: "{NOWHERE}") {{ __typename }} }}',
        {"staff_support", "staff_admin"},
    ),
    Row(
        "renameTerminal",
        'mutation($id: ID!) { renameTerminal(terminalId: $id, name: "Bar") { __typename } }',
        {"principal_a"},
        fresh_terminal,
    ),
    Row(
        "revokeTerminal",
        "mutation($id: ID!) { revokeTerminal(terminalId: $id) { __typename } }",
        {"principal_a"},
        fresh_terminal,
    ),
    Row(
        "recordBonPlanUse",
        """mutation($d: ID!) { recordBonPlanUse(input: {cardCode: "INCONNU", bonPlanId: $d,
        idempotencyKey: "matrice-0001"}) { __typename } }""",
        {"principal_a", "collaborator_a"},
        fixed(d=DEAL_A),
    ),
    Row(
        "cancelBonPlanUse",
        "mutation($id: ID!) { cancelBonPlanUse(useId: $id) { __typename } }",
        {"principal_a", "collaborator_a"},
        fresh_bon_plan_use,
    ),
    Row(
        "regularizeTransaction",
        """mutation($id: ID!) { regularizeTransaction(transactionId: $id,
        reason: "Erreur de saisie signalée") { __typename } }""",
        {"staff_support", "staff_admin"},
        fresh_transaction,
    ),
    Row(
        "bankDetails",
        "query($p: ID!) { bankDetails(partnerId: $p) { paymentsHeld } }",
        {"staff_finance", "staff_support", "staff_admin", "principal_a", "collaborator_a"},
        fixed(p=A),
    ),
    Row(
        "partnerTakings",
        "query($p: ID!) { partnerTakings(partnerId: $p) { today { amount } } }",
        {"staff_support", "staff_finance", "staff_admin", "principal_a", "collaborator_a"},
        fixed(p=A),
    ),
    Row(
        "nextReimbursement",
        "query($p: ID!) { nextReimbursement(partnerId: $p) { periodEndsOn } }",
        FINANCE_OF_A,
        fixed(p=A),
    ),
    Row(
        "bonPlanCommitment",
        "query($p: ID!) { bonPlanCommitment(partnerId: $p) { met } }",
        STAFF | {"principal_a", "collaborator_a"},
        fixed(p=A),
    ),
    Row(
        "reimbursements",
        "query($p: ID!) { reimbursements(partnerId: $p) { reference } }",
        FINANCE_OF_A,
        fixed(p=A),
    ),
    Row(
        "dailyCollections",
        "query($p: ID!) { dailyCollections(partnerId: $p) { day amount } }",
        FINANCE_OF_A,
        fixed(p=A),
    ),
    Row(
        "statement",
        """query($p: ID!) { statement(partnerId: $p, from: "2031-01-01", to: "2031-01-15")
        { __typename } }""",
        FINANCE_OF_A,
        fixed(p=A),
    ),
    Row("reimbursementPeriods", "{ reimbursementPeriods { id } }", FINANCE_STAFF),
    Row(
        "reimbursementPeriod",
        f'{{ reimbursementPeriod(id: "{NOWHERE}") {{ id }} }}',
        FINANCE_STAFF,
    ),
    Row("reconciliationCheck", "{ reconciliationCheck { addsUp } }", FINANCE_STAFF),
    Row(
        "bankDetailsWaiting",
        "{ bankDetailsWaiting { partnerName submitted { iban } } }",
        FINANCE_STAFF,
    ),
    Row(
        "setBankDetails",
        """mutation($p: ID!) { setBankDetails(partnerId: $p,
        input: {iban: "FR00", bic: "X", holderName: ""}, password: "x") { __typename } }""",
        {"principal_a"},
        fixed(p=A),
    ),
    Row(
        "bankDetailsCheck",
        """query($p: ID!) { bankDetailsCheck(partnerId: $p, iban: "FR76") { ibanError } }""",
        {"principal_a"},
        fixed(p=A),
    ),
    Row(
        "validateBankDetails",
        f'mutation {{ validateBankDetails(bankDetailsId: "{NOWHERE}") {{ __typename }} }}',
        FINANCE_STAFF,
    ),
    Row(
        "refuseBankDetails",
        f'mutation {{ refuseBankDetails(bankDetailsId: "{NOWHERE}", reason: "Fraude") '
        "{ __typename } }",
        FINANCE_STAFF,
    ),
    Row(
        "closePeriod",
        'mutation { closePeriod(day: "2099-01-01") { __typename } }',
        FINANCE_STAFF,
    ),
    Row(
        "createPaymentBatch",
        f'mutation {{ createPaymentBatch(periodId: "{NOWHERE}") {{ __typename }} }}',
        FINANCE_STAFF,
    ),
    Row(
        "markPaymentBatchSent",
        f'mutation {{ markPaymentBatchSent(batchId: "{NOWHERE}") {{ __typename }} }}',
        FINANCE_STAFF,
    ),
    Row(
        "rejectTransfers",
        f'mutation {{ rejectTransfers(batchId: "{NOWHERE}", rejections: []) {{ __typename }} }}',
        FINANCE_STAFF,
    ),
    Row(
        "markPaymentBatchPaid",
        f'mutation {{ markPaymentBatchPaid(batchId: "{NOWHERE}") {{ __typename }} }}',
        FINANCE_STAFF,
    ),
    Row("logout", "mutation { logout { ok } }", SIGNED_IN),
    Row("campaign", f'{{ campaign(id: "{NOWHERE}") {{ id }} }}', MARKETING),
    Row("campaigns", "{ campaigns { id } }", MARKETING),
    Row("campaignAudience", "{ campaignAudience(channels: [EMAIL]) { __typename } }", MARKETING),
    Row("campaignPreview", f'{{ campaignPreview(id: "{NOWHERE}") {{ __typename }} }}', MARKETING),
    Row(
        "createCampaign",
        'mutation { createCampaign(input: {name: ""}) { __typename } }',
        MARKETING,
    ),
    Row(
        "updateCampaign",
        f'mutation {{ updateCampaign(id: "{NOWHERE}", input: {{}}) {{ __typename }} }}',
        MARKETING,
    ),
    Row(
        "sendCampaign",
        f'mutation {{ sendCampaign(id: "{NOWHERE}") {{ __typename }} }}',
        MARKETING,
    ),
    Row(
        "pauseCampaign",
        f'mutation {{ pauseCampaign(id: "{NOWHERE}") {{ __typename }} }}',
        MARKETING,
    ),
    Row(
        "resumeCampaign",
        f'mutation {{ resumeCampaign(id: "{NOWHERE}") {{ __typename }} }}',
        MARKETING,
    ),
    Row(
        "cancelCampaign",
        f'mutation {{ cancelCampaign(id: "{NOWHERE}") {{ __typename }} }}',
        MARKETING,
    ),
    Row(
        "sendTestCampaign",
        f'mutation {{ sendTestCampaign(id: "{NOWHERE}") {{ __typename }} }}',
        MARKETING,
    ),
    Row("myThemesOfInterest", "{ myThemesOfInterest }", {"young_person"}),
    Row(
        "setMyThemesOfInterest",
        "mutation { setMyThemesOfInterest(themes: [SPORT]) { __typename } }",
        {"young_person"},
    ),
]


@pytest.fixture(scope="module")
async def world(settings) -> World:
    team_a, team_b = await partner_team(name="Alpha"), await partner_team(name="Bravo")
    people = {
        "young_person": (await card_holder()).user,
        "principal_a": team_a.principal,
        "collaborator_a": await collaborator(
            team_a,
            DelegatePermission.TRANSACTIONS,
            DelegatePermission.OFFERS_AND_POSTS,
            DelegatePermission.PROFILE,
            DelegatePermission.FINANCE,
        ),
        "delegate_b": team_b.principal,
        "staff_moderation": await staff_member(StaffRole.MODERATION),
        "staff_support": await staff_member(StaffRole.SUPPORT),
        "staff_finance": await staff_member(StaffRole.FINANCE),
        "staff_marketing": await staff_member(StaffRole.MARKETING),
        "staff_admin": await staff_member(StaffRole.ADMINISTRATOR),
    }
    viewers = {"anonymous": Viewer(client_address="192.0.2.1")}
    for role, user in people.items():
        issued = await login(user.email, PASSWORD, "192.0.2.1", "matrice")
        session_id = (await user.sessions.all().order_by("-created_at").first()).id
        viewer = await load_viewer(issued.user.id, session_id, "192.0.2.1")
        assert viewer is not None
        viewers[role] = viewer
    for role, team in (("terminal_a", team_a), ("terminal_b", team_b)):
        principal = viewers["principal_a" if team is team_a else "delegate_b"]
        pairing = await create_terminal(
            principal, team.partner.id, "Caisse", TerminalKind.SMART_TPE
        )
        issued = await pair_terminal(Viewer(), pairing.code, "192.0.2.9")
        terminal_viewer = await viewer_from_terminal_credential(issued.credential, "192.0.2.1")
        assert terminal_viewer is not None
        viewers[role] = terminal_viewer
    built = World(viewers, str(team_a.partner.id), str(team_b.partner.id), team_a)
    # The young person's history holds one debit and one deal used, so nested fields resolve.
    holder_card = await Card.get(beneficiary__user_id=people["young_person"].id)
    await debit_card(
        viewers["principal_a"],
        DebitRequest(
            team_a.partner.id, holder_card.code, "SPORT_CULTURE_LOISIRS", "1", uuid.uuid4().hex
        ),
    )
    deal = await published_deal_of_a(built)
    built.deal_a = str(deal.id)
    await record_use(
        viewers["principal_a"], UseRequest(holder_card.code, deal.id, uuid.uuid4().hex)
    )
    return built


def _context(viewer: Viewer) -> Context:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "headers": [],
        "client": ("192.0.2.1", 1),
    }
    return Context(request=Request(scope), viewer=viewer)


async def _denied(app, row: Row, world: World, role: str) -> bool:
    schema = app.routes[0].endpoint.schema
    variables = await row.variables(world) if row.variables else {}
    context = _context(world.viewers[role])
    if row.subscription:
        stream = await schema.subscribe(
            row.document, variable_values=variables, context_value=context
        )
        if hasattr(stream, "errors"):
            errors = stream.errors or []
        else:
            try:
                # A refusal arrives at once; an allowed stream waits for events.
                errors = (await asyncio.wait_for(anext(stream), 0.2)).errors or []
            except TimeoutError:
                errors = []
            finally:
                await stream.aclose()
    else:
        result = await schema.execute(
            row.document, variable_values=variables, context_value=context
        )
        errors = result.errors or []
        unexpected = [e for e in errors if (e.extensions or {}).get("code") not in DENIED_CODES]
        assert not unexpected, unexpected
    codes = {(e.extensions or {}).get("code") for e in errors}
    if codes & DENIED_CODES:
        expected = "UNAUTHENTICATED" if role == "anonymous" else "FORBIDDEN"
        assert codes == {expected}, (row.field, role, codes)
        return True
    return False


@pytest.mark.parametrize("row", TABLE, ids=lambda r: r.field)
async def test_each_role_is_allowed_or_refused_as_the_table_says(app, world, row):
    outcome = {role: not await _denied(app, row, world, role) for role in ROLES}
    assert {r for r, allowed in outcome.items() if allowed} == row.allowed


def test_every_root_field_is_in_the_table_and_declares_its_rules():
    named = {row.field for row in TABLE}
    for root in (Query, Mutation, Subscription):
        for field in root.__strawberry_definition__.fields:
            name = field.graphql_name or _camel(field.python_name)
            assert name in named, f"root field {name} has no row in the authorization table"
            assert rules_of(field), f"root field {name} declares no rule"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
