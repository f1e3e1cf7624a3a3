"""Every free-text input of the API goes through domain.core.text.clean_text.

The schema's String inputs (input-object fields and arguments) are enumerated: each is either
free text, with a row below that sends it through the API, or named in NOT_FREE_TEXT with
what it is instead. A String input added without either makes
`test_every_string_input_is_classified` fail, so a new field cannot skip the cleaning
unnoticed. Each free-text row is sent twice:
- spoofed: visible text wrapped in bidirectional overrides, isolates, marks and zero-width
  characters; what is stored (read from the answer or the database) is the visible text;
- blank: only invisible characters; a required field is refused on that field with
  "Le texte ne peut pas être vide.", an optional one is stored empty (or its default).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, GraphQLNamedType, get_named_type
from starlette.requests import Request

from domain.accounts.sessions import load_viewer, login
from domain.accounts.viewer import Viewer
from domain.cards import card_photos
from domain.cards.transactions import DebitRequest, debit_card
from domain.core import clock
from domain.core.text import EMPTY_TEXT_MESSAGE
from domain.finance.bank_details import BankDetailsInput, submit
from domain.finance.payment_batches import create_payment_batch, mark_sent
from domain.finance.reimbursements import close_period
from domain.offers.editing import (
    DEFAULT_CONDITIONS,
    OfferChanges,
    PlaceInput,
    create_offer,
    school_year_start,
)
from domain.offers.moderation import submit as submit_for_moderation
from domain.social.posts import create_post
from domain.terminals.pairing import create_terminal
from infra.geocoding import OfflineGeocoder, use_geocoder
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.cards import Beneficiary, CardPhoto
from models.finance import Reimbursement
from models.notifications import ParentalConsent
from models.offers import DealType, OfferKind, OfferRevision, OfferTheme, ServiceCategory
from models.social import PostReport
from models.terminals import TerminalKind
from resolvers.context import Context
from tests.domain.core.test_images import jpeg_with_gps
from tests.factories import (
    PASSWORD,
    card_holder,
    current_school_year,
    partner_team,
    staff_member,
    young_person,
)
from tests.finance_helpers import BIC, IBAN, debit, fresh_fortnights, paid_partner, paris
from tests.support import unique, valid_siret

SPOOFED = "\u202eCafé\u200b des\u2066 Calanques\u2069\u200f\ufeff"
CLEAN = "Café des Calanques"
INVISIBLE = "\u200b\u202e\u2066\u200d\ufeff\u2069\u00ad\u061c "

NOT_FREE_TEXT = {
    # Identifiers and secrets, checked by their own format.
    "Mutation.verifyEmail(token)": "an email link's token",
    "Mutation.resetPassword(token)": "an email link's token",
    "Mutation.resetPassword(newPassword)": "a password",
    "Mutation.changePassword(currentPassword)": "a password",
    "Mutation.closeMyAccount(password)": "a password",
    "Mutation.changePassword(newPassword)": "a password",
    "Mutation.login(email)": "an account's email address",
    "Mutation.login(password)": "a password",
    "Mutation.requestPasswordReset(email)": "an account's email address",
    "Mutation.refreshToken(refreshToken)": "a refresh token",
    "Mutation.acceptInvitation(token)": "an email link's token",
    "Query.emailLink(token)": "an email link's token",
    "Query.parentalConsentRequest(token)": "a parent's signed link",
    "Mutation.giveParentalConsent(token)": "a parent's signed link",
    "Mutation.refuseParentalConsent(token)": "a parent's signed link",
    "Query.unsubscribeLink(token)": "a signed unsubscribe link",
    "Mutation.unsubscribeByToken(token)": "a signed unsubscribe link",
    "EligiblePupilInput.identifier": "a school identifier (INE), checked by its format",
    "EligiblePupilInput.communeCode": "an INSEE code, checked by its format",
    "Query.youngPeople(search)": "a search (card code, email, date or words), never stored",
    "Query.hotlineTransactions(partner)": "a search (words of a name or a SIRET), never stored",
    "Query.hotlineTransactions(cardCode)": "a card code, checked by its format",
    "Query.hotlineTransactions(amount)": "an amount in euros, parsed",
    "Mutation.acceptInvitation(password)": "a password",
    "Mutation.acceptStaffInvitation(token)": "an email link's token",
    "Mutation.acceptStaffInvitation(password)": "a password",
    "InviteStaffMemberInput.email": "an email address, checked by its format",
    "Mutation.activateCard(code)": "a card code",
    "Mutation.requestDigitalCard(communeCode)": "an INSEE commune code",
    "Mutation.setCardPin(pin)": "a PIN",
    "Mutation.pairTerminal(code)": "a terminal's one-time pairing code",
    "Mutation.registerDevice(token)": "an FCM registration token",
    "Mutation.unregisterDevice(token)": "an FCM registration token",
    "Mutation.requestParentalConsent(parentEmail)": "an email address (hidden characters refused)",
    "Mutation.recordParentalConsent(parentEmail)": "an email address (hidden characters refused)",
    "Mutation.importBeneficiaries(fileName)": (
        "the uploaded file's name, shown to staff only: hidden characters dropped, cut at 200"
    ),
    "Mutation.importBeneficiaries(csv)": (
        "a CSV file: its names go through the same cleaning row by row "
        "(tests/domain/cards/test_beneficiary_import.py)"
    ),
    "RegisterInput.email": "an email address (hidden characters refused)",
    "RegisterInput.password": "a password",
    "RegisterInput.postalCode": "a postal code (13…)",
    "RepresentativeInput.email": "an email address (hidden characters refused)",
    "InviteDelegateInput.email": "an email address (hidden characters refused)",
    "CreatePartnerInput.siret": "a SIRET number",
    "AddressInput.postalCode": "a postal code (13…)",
    "OfferPlaceInput.postalCode": "a postal code (13…)",
    "DepartmentServiceInput.postalCode": "a postal code (13…)",
    "DepartmentServiceInput.link": "an https:// link (hidden characters refused)",
    "HighlightInput.link": "an https:// link (hidden characters refused)",
    "PartnerProfileInput.website": "a web address (hidden characters refused)",
    "PartnerProfileInput.contactEmail": "an email address (hidden characters refused)",
    "PartnerProfileInput.phone": "a French phone number",
    "BankDetailsInput.iban": "an IBAN",
    "BankDetailsInput.bic": "a BIC",
    "Mutation.setBankDetails(password)": "a password",
    "Query.bankDetailsCheck(iban)": "an IBAN (checked, never stored)",
    "Query.bankDetailsCheck(bic)": "a BIC (checked, never stored)",
    "TransferRejectionInput.reference": "a reimbursement's reference",
    "DebitInput.code": "a card code",
    "DebitInput.amount": "an amount in euros",
    "DebitInput.idempotencyKey": "a terminal's idempotency key",
    "DebitInput.pin": "a PIN",
    "BonPlanUseInput.cardCode": "a card code",
    "BonPlanUseInput.idempotencyKey": "a terminal's idempotency key",
    "WalletTypeInput.amount": "an amount in euros",
    "BonPlanInput.discountAmount": "an amount in euros",
    "OfferChanges.discountAmount": "an amount in euros",
    "TimeRangeInput.opens": "a time (HH:MM)",
    "TimeRangeInput.closes": "a time (HH:MM)",
    "CampaignSegmentInput.communes": "INSEE commune codes",
    "CampaignSegmentInput.schools": "schools' names matched against the pupils', never shown",
    "Query.partners(siret)": "a SIRET or SIREN searched, checked by its format",
    "Query.partners(commune)": "a search (a commune or a postal code), never stored",
    "Query.directory(commune)": "a commune's name matched against the list, never stored",
    "Query.bonPlanReminders(schoolYear)": "a school year's label",
    # What a person reads back alone, never shown to others.
    "SearchInput.text": "a search, folded for matching",
    "SearchInput.after": "a cursor",
    "Query.partners(search)": "a search among partners (staff)",
    "Query.partners(after)": "a cursor",
    "Query.auditLog(action)": "an audit action's name",
    "Query.auditLog(after)": "a cursor",
    "Query.myTransactions(after)": "a cursor",
    "Query.lookupCard(code)": "a card code",
    "Query.transactions(after)": "a cursor",
    "Query.bonPlanUses(after)": "a cursor",
    "Query.myBonPlanUses(after)": "a cursor",
    "Query.notifications(after)": "a cursor",
    "Query.feed(after)": "a cursor",
    "Query.myFavorites(after)": "a cursor",
    "Query.myFollows(after)": "a cursor",
    "Query.partnerPosts(after)": "a cursor",
    "Query.partnerOffers(after)": "a cursor",
    "Query.moderationQueue(after)": "a cursor",
    "Query.partnersWithoutBonPlan(schoolYear)": "a school year's label",
    "Query.departmentServices(after)": "a cursor",
    "Partner.posts(after)": "a cursor",
}


# --- the world the rows act in -------------------------------------------------------------


@dataclass
class World:
    viewers: dict[str, Viewer]
    partner: str
    team: Any
    counter: itertools.count

    def next(self) -> int:
        return next(self.counter)


@pytest.fixture(scope="module")
async def world(settings) -> World:
    previous = use_geocoder(OfflineGeocoder())
    team = await partner_team(name="Texte")
    people = {
        "young_person": (await card_holder()).user,
        "principal": team.principal,
        "admin": await staff_member(StaffRole.ADMINISTRATOR),
    }
    viewers = {"anonymous": Viewer(client_address="192.0.2.7")}
    for role, user in people.items():
        issued = await login(user.email, PASSWORD, "192.0.2.7", "texte")
        session_id = (await user.sessions.all().order_by("-created_at").first()).id
        viewer = await load_viewer(issued.user.id, session_id, "192.0.2.7")
        assert viewer is not None
        viewers[role] = viewer
    yield World(viewers, str(team.partner.id), team, itertools.count(1))
    use_geocoder(previous)


# --- what each row sends, and where it reads what was kept ----------------------------------

Build = Callable[[World, str], Awaitable[dict[str, Any]]]
Read = Callable[[World, dict[str, Any]], Awaitable[Any]]


@dataclass
class Row:
    input: str  # the schema coordinate: "PostInput.body", "Mutation.hidePost(reason)"
    role: str
    document: str
    build: Build
    read: Read
    field: str  # the UserError field for this input
    blank: Any = None  # optional fields: what is kept from invisible characters only
    required: bool = True


def answer(*path: Any) -> Read:
    async def read(world: World, data: dict[str, Any]) -> Any:
        value: Any = data
        for key in path:
            value = value[key]
        return value

    return read


def placed(template: Callable[[World], Awaitable[dict[str, Any]]], *path: Any) -> Build:
    """The variables of `template` with the value put at `path` (keys and list indexes)."""

    async def build(world: World, value: str) -> dict[str, Any]:
        variables = await template(world)
        target: Any = variables
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return variables

    return build


def today_to_month_end() -> tuple[date, date]:
    today = clock.paris_today()
    return today, min(today + timedelta(days=30), date(school_year_start(today).year + 1, 8, 31))


def error_part(union: str) -> str:
    return f"__typename ... on UserError {{ code field message }} ... on {union}"


# Payment terminals

CREATE_TERMINAL = f"""mutation($i: CreateTerminalInput!) {{ createTerminal(input: $i) {{
  {error_part("TerminalPairing")} {{ terminal {{ name }} }} }} }}"""
RENAME_TERMINAL = f"""mutation($t: ID!, $v: String!) {{ renameTerminal(terminalId: $t, name: $v) {{
  {error_part("Terminal")} {{ name }} }} }}"""


RECORD_SUPPLIED = f"""mutation($i: SuppliedTerminalInput!) {{ recordSuppliedTerminal(input: $i) {{
  {error_part("Terminal")} {{ name serialNumber }} }} }}"""


async def supplied_terminal(world: World) -> dict[str, Any]:
    return {"i": {"kind": "SUPPLIED_TPE", "serialNumber": "SN-42", "name": "TPE 42"}}


async def new_terminal(world: World) -> dict[str, Any]:
    return {"i": {"partnerId": world.partner, "name": "Caisse", "kind": "SMART_TPE"}}


async def a_terminal(world: World) -> dict[str, Any]:
    pairing = await create_terminal(
        world.viewers["principal"], uuid.UUID(world.partner), "Caisse", TerminalKind.SMART_TPE
    )
    return {"t": str(pairing.terminal.id), "v": ""}


# Registration and partners

REGISTER = f"""mutation($i: RegisterInput!) {{ register(input: $i) {{
  {error_part("RegisterSuccess")} {{ user {{ firstName lastName }} }} }} }}"""


async def registration(world: World) -> dict[str, Any]:
    return {
        "i": {
            "email": f"{unique('texte')}@jeune.test",
            "password": PASSWORD,
            "firstName": "Inès",
            "lastName": "Moreau",
            "birthDate": "2010-03-04",
            "postalCode": "13001",
        }
    }


CREATE_PARTNER = f"""mutation($i: CreatePartnerInput!) {{ createPartner(input: $i) {{
  {error_part("PartnerSuccess")} {{ partner {{ legalName tradeName
    delegates {{ person {{ firstName lastName }} }} }} }} }} }}"""


async def new_partner(world: World) -> dict[str, Any]:
    seed = world.next() + 700_000
    return {
        "i": {
            "legalName": "SARL Texte",
            "tradeName": f"Texte {seed}",
            "siret": valid_siret(seed),
            "categories": ["CULTURE"],
            "debitableWallets": ["SPORT_CULTURE_LOISIRS"],
            "conventionSignedOn": "2025-09-01",
            "representative": {
                "email": f"{unique('rep')}@partenaire.test",
                "firstName": "Rémi",
                "lastName": "Arnaud",
            },
        }
    }


INVITE = f"""mutation($i: InviteDelegateInput!) {{ inviteDelegate(input: $i) {{
  {error_part("DelegationSuccess")} {{ delegation {{ person {{ firstName lastName }} }} }} }} }}"""


async def invitation(world: World) -> dict[str, Any]:
    return {
        "i": {
            "partnerId": world.partner,
            "email": f"{unique('invite')}@partenaire.test",
            "firstName": "Lou",
            "lastName": "Bernard",
            "permissions": ["TRANSACTIONS"],
        }
    }


INVITE_STAFF = f"""mutation($i: InviteStaffMemberInput!) {{ inviteStaffMember(input: $i) {{
  {error_part("StaffMemberSuccess")} {{ staffMember {{ firstName lastName }} }} }} }}"""


async def staff_invitation(world: World) -> dict[str, Any]:
    return {
        "i": {
            "email": f"{unique('equipe')}@departement13.test",
            "firstName": "Lou",
            "lastName": "Bernard",
            "roles": ["SUPPORT"],
        }
    }


SCHOOL_YEAR = f"""mutation($i: CreateSchoolYearInput!) {{ createSchoolYear(input: $i) {{
  {error_part("SchoolYearSuccess")} {{ schoolYear {{ walletTypes {{ label }} }} }} }} }}"""


async def school_year(world: World) -> dict[str, Any]:
    starts = date(2060 + world.next(), 9, 1)
    wallet = {"kind": "SPORT_CULTURE_LOISIRS", "label": "Sport", "amount": "100"}
    return {"i": {"startsOn": starts.isoformat(), "walletTypes": [wallet]}}


# Money and consent

REGULARIZE = f"""mutation($id: ID!, $v: String!) {{ regularizeTransaction(transactionId: $id,
  reason: $v) {{ {error_part("TransactionSuccess")} {{ transaction {{ reversalReason }} }} }} }}"""


async def a_transaction(world: World) -> dict[str, Any]:
    holder = await card_holder()
    transaction = await debit_card(
        world.viewers["principal"],
        DebitRequest(
            world.team.partner.id,
            holder.card.code,
            "SPORT_CULTURE_LOISIRS",
            "1",
            uuid.uuid4().hex,
        ),
    )
    return {"id": str(transaction.id)}


REQUEST_CONSENT = f"""mutation($v: String!) {{ requestParentalConsent(parentName: $v,
  parentEmail: "parent@famille.test") {{ {error_part("MarketingConsentSuccess")} {{ consent {{
    parentalConsent {{ parentName }} }} }} }} }}"""


async def nothing(world: World) -> dict[str, Any]:
    return {}


RECORD_CONSENT = f"""mutation($y: ID!, $v: String!) {{ recordParentalConsent(youngPersonId: $y,
  parentName: $v, parentEmail: "parent@famille.test") {{
  {error_part("ParentalConsentSuccess")} {{ parentalConsent {{ parentName }} }} }} }}"""


async def under_15(world: World) -> dict[str, Any]:
    return {"y": str((await young_person(date(clock.paris_today().year - 13, 1, 1))).id)}


EXPORT_FOR_PARENT = f"""mutation($y: ID!, $v: String!) {{ requestDataExportForParent(
  youngPersonId: $y, reason: $v) {{ {error_part("Done")} {{ ok }} }} }}"""
PARENT_EXPORTS: list[str] = []  # the young people asked for, newest last


async def under_15_with_a_parent(world: World) -> dict[str, Any]:
    young = await young_person(date(clock.paris_today().year - 13, 1, 1))
    await ParentalConsent.create(
        young_person_id=young.id,
        parent_name="Parent Texte",
        parent_email="parent@famille.test",
        given_at=clock.now(),
    )
    PARENT_EXPORTS.append(str(young.id))
    return {"y": str(young.id)}


async def parent_export_reason(world: World, data: dict[str, Any]) -> Any:
    assert data["requestDataExportForParent"]["ok"], data
    entry = await AuditEntry.get(
        action="privacy.export_for_parent_requested", object_id=PARENT_EXPORTS[-1]
    )
    return (entry.after or {})["reason"]


OPEN_RECORD = f"""mutation($y: ID!, $v: String!) {{ openYoungPersonRecord(id: $y, reason: $v) {{
  {error_part("YoungPersonRecordSuccess")} {{ record {{ id }} }} }} }}"""


ADD_PUPIL = f"""mutation($y: ID!, $i: EligiblePupilInput!) {{ addEligiblePupil(
  schoolYearId: $y, input: $i) {{ {error_part("ImportReport")} {{ created rejected {{ reason }} }}
  }} }}"""


PUPILS: list[str] = []  # the identifiers added, newest last


async def pupil_input(world: World) -> dict[str, Any]:
    year = await current_school_year()
    identifier = f"MAIN{uuid.uuid4().hex[:12].upper()}"
    PUPILS.append(identifier)
    return {
        "y": str(year.id),
        "i": {
            "identifier": identifier,
            "lastName": "Durand",
            "firstName": "Lina",
            "birthDate": f"{school_year_start(clock.paris_today()).year - 12}-03-04",
            "schoolName": "MFR de Lambesc",
            "communeCode": "13050",
        },
    }


def added_pupil(column: str) -> Read:
    async def read(world: World, data: dict[str, Any]) -> Any:
        assert data["addEligiblePupil"]["created"] == 1, data
        found = await Beneficiary.get(school_identifier=PUPILS[-1])
        return getattr(found, column) or ""

    return read


async def a_beneficiary(world: World) -> dict[str, Any]:
    return {"y": str((await card_holder()).beneficiary.id)}


async def audited_reason(world: World, data: dict[str, Any]) -> str:
    opened = data["openYoungPersonRecord"]["record"]["id"]
    entry = (
        await AuditEntry.filter(action="young_person.record_opened", object_id=opened)
        .order_by("-id")
        .first()
    )
    assert entry is not None and entry.after is not None
    return str(entry.after["reason"])


# Posts and highlights

CREATE_POST = f"""mutation($p: ID!, $i: PostInput!) {{ createPost(partnerId: $p, input: $i) {{
  {error_part("PostSuccess")} {{ post {{ body }} }} }} }}"""


async def post_input(world: World) -> dict[str, Any]:
    return {"p": world.partner, "i": {"body": "Bonjour"}}


async def a_post(world: World) -> dict[str, Any]:
    post = await create_post(world.viewers["principal"], world.team.partner.id, "Bonjour", [])
    return {"id": str(post.id)}


EDIT_POST = f"""mutation($id: ID!, $c: PostChanges!) {{ editPost(id: $id, changes: $c) {{
  {error_part("PostSuccess")} {{ post {{ body }} }} }} }}"""


async def post_changes(world: World) -> dict[str, Any]:
    return {**await a_post(world), "c": {"body": "x"}}


REPORT_POST = """mutation($id: ID!, $v: String!) { reportPost(postId: $id, reason: SPAM,
  text: $v) { __typename ... on UserError { code field message } } }"""


async def report_text(world: World, data: dict[str, Any]) -> str:
    report = await PostReport.filter(reporter_id=world.viewers["young_person"].user.id).order_by(
        "-created_at"
    )
    return report[0].text


HIDE_POST = f"""mutation($id: ID!, $v: String!) {{ hidePost(postId: $id, reason: $v) {{
  {error_part("PostSuccess")} {{ post {{ hiddenReason }} }} }} }}"""

SUSPEND = f"""mutation($id: ID!, $v: String) {{ suspendPartner(id: $id, reason: $v) {{
  {error_part("PartnerSuccess")} {{ partner {{ statusReason }} }} }} }}"""
TERMINATE = f"""mutation($id: ID!, $on: Date!, $v: String!) {{ terminatePartner(id: $id,
  terminatedOn: $on, reason: $v) {{ {error_part("PartnerSuccess")}
  {{ partner {{ statusReason }} }} }} }}"""
REFUSE_PHOTO = f"""mutation($id: ID!, $v: String!) {{ refuseCardPhoto(id: $id,
  reason: BLURRY_OR_DARK, details: $v) {{ {error_part("CardPhotoSuccess")} {{ photo {{ id }} }}
  }} }}"""


async def a_partner_of_its_own(world: World) -> dict[str, Any]:
    """Each row suspends or terminates a partner no other row uses."""
    team = await partner_team(name=f"Statut {world.next()}")
    return {"id": str(team.partner.id)}


async def a_partner_ending_today(world: World) -> dict[str, Any]:
    return {**await a_partner_of_its_own(world), "on": clock.paris_today().isoformat()}


async def a_pending_photo(world: World) -> dict[str, Any]:
    holder = await card_holder()
    photo = await card_photos.submit(Viewer(user=holder.user), jpeg_with_gps((600, 800)))
    return {"id": str(photo.id)}


async def refusal_details(world: World, data: dict[str, Any]) -> str:
    photo = await CardPhoto.get(id=data["refuseCardPhoto"]["photo"]["id"])
    return photo.refusal_details or ""


HIGHLIGHT = f"""mutation($i: HighlightInput!) {{ publishHighlight(input: $i) {{
  {error_part("HighlightSuccess")} {{ highlight {{ title body }} }} }} }}"""


async def highlight(world: World) -> dict[str, Any]:
    return {"i": {"title": "Titre", "body": "Texte"}}


# Partner profiles

PROFILE = f"""mutation($p: ID!, $i: PartnerProfileInput!) {{
  updatePartnerProfile(partnerId: $p, input: $i) {{ {error_part("PartnerProfileSuccess")} {{
    partner {{ description address {{ street city }} accessibility {{ notes }} }} }} }} }}"""


async def profile(world: World) -> dict[str, Any]:
    return {"p": world.partner, "i": {"description": "Un lieu", "accessibilityNotes": "Rampe"}}


async def profile_address(world: World) -> dict[str, Any]:
    address = {"street": "1 rue de Rome", "postalCode": "13001", "city": "Marseille"}
    return {"p": world.partner, "i": {"address": address}}


EXCEPTION = f"""mutation($p: ID!, $s: Date!, $v: String!) {{ addOpeningException(partnerId: $p,
  startsOn: $s, endsOn: $s, label: $v) {{ {error_part("OpeningExceptionSuccess")} {{
    openingException {{ label }} }} }} }}"""


async def exception_day(world: World) -> dict[str, Any]:
    day = clock.paris_today() + timedelta(days=10 + world.next())
    return {"p": world.partner, "s": day.isoformat()}


# Offers

REVISION = "title description promoCode practicalInfo conditions rejectionReason "
REVISION += "places { label street city }"
OFFER = f"{{ offer {{ working {{ {REVISION} }} }} }}"
CREATE_DEAL = f"""mutation($p: ID!, $i: BonPlanInput!) {{ createBonPlan(partnerId: $p,
  input: $i) {{ {error_part("OfferSuccess")} {OFFER} }} }}"""
CREATE_EVENT = f"""mutation($p: ID!, $i: EventInput!) {{ createEvent(partnerId: $p,
  input: $i) {{ {error_part("OfferSuccess")} {OFFER} }} }}"""
UPDATE_OFFER = f"""mutation($id: ID!, $i: OfferChanges!) {{ updateOffer(offerId: $id,
  input: $i) {{ {error_part("OfferSuccess")} {OFFER} }} }}"""
MODERATE = f"""mutation($id: ID!, $v: String) {{ moderate(revisionId: $id, approve: false,
  reason: $v) {{ {error_part("OfferSuccess")} {OFFER} }} }}"""
PLACE = {
    "label": "Salle",
    "street": "36 avenue du Prado",
    "postalCode": "13006",
    "city": "Marseille",
}


async def deal(world: World) -> dict[str, Any]:
    starts, ends = today_to_month_end()
    return {
        "p": world.partner,
        "i": {
            "title": "Place à 5 €",
            "description": "Une séance",
            "dealType": "DISCOUNT_EUROS",
            "discountAmount": "3,50",
            "theme": "CULTURE",
            "validFrom": starts.isoformat(),
            "validUntil": ends.isoformat(),
            "places": [dict(PLACE)],
        },
    }


async def promo_deal(world: World) -> dict[str, Any]:
    variables = await deal(world)
    variables["i"].update(dealType="PROMO_CODE", discountAmount=None, promoCode="CODE")
    return variables


async def event(world: World) -> dict[str, Any]:
    starts = clock.now() + timedelta(days=3)
    return {
        "p": world.partner,
        "i": {
            "title": "Concert",
            "description": "Un concert",
            "eventKind": "CONCERT",
            "theme": "CULTURE",
            "sessions": [
                {
                    "startsAt": starts.isoformat(),
                    "endsAt": (starts + timedelta(hours=2)).isoformat(),
                }
            ],
            "places": [dict(PLACE)],
        },
    }


async def draft(world: World, deal_type: DealType = DealType.PROMO_CODE) -> str:
    starts, ends = today_to_month_end()
    offer = await create_offer(
        world.viewers["principal"],
        world.team.partner.id,
        OfferKind.DEAL,
        OfferChanges(
            title="Goodies",
            description="Un sac offert",
            theme=OfferTheme.SPORT,
            deal_type=deal_type,
            promo_code="CODE",
            valid_from=starts,
            valid_until=ends,
            places=[PlaceInput("1 rue de Rome", "13001", "Marseille")],
        ),
    )
    return str(offer.id)


async def offer_changes(world: World) -> dict[str, Any]:
    return {"id": await draft(world), "i": {}}


async def submitted_revision(world: World) -> dict[str, Any]:
    offer_id = uuid.UUID(await draft(world))
    await submit_for_moderation(world.viewers["principal"], offer_id)
    revision = await OfferRevision.filter(offer_id=offer_id).order_by("-number").first()
    return {"id": str(revision.id)}


# Département services and campaigns

SERVICE = f"""mutation($i: DepartmentServiceInput!) {{ createDepartmentService(input: $i) {{
  {error_part("DepartmentServiceSuccess")} {{ service {{ title description street city }} }}
}} }}"""


async def service(world: World) -> dict[str, Any]:
    return {
        "i": {
            "category": next(iter(ServiceCategory)).name,
            "title": "Aide",
            "description": "Une aide",
            "street": "4 quai d'Arenc",
            "postalCode": "13002",
            "city": "Marseille",
        }
    }


CAMPAIGN = f"""mutation($i: CampaignInput!) {{ createCampaign(input: $i) {{
  {error_part("CampaignSuccess")} {{ campaign {{ name subject title body }} }} }} }}"""


async def campaign(world: World) -> dict[str, Any]:
    return {
        "i": {
            "name": "Rentrée",
            "channels": ["EMAIL"],
            "subject": "Sujet",
            "title": "Titre",
            "body": "Texte",
        }
    }


# Finance

BANK_DETAILS = f"""mutation($p: ID!, $i: BankDetailsInput!) {{ setBankDetails(partnerId: $p,
  input: $i, password: "{PASSWORD}") {{ {error_part("BankDetailsSuccess")}
  {{ bankAccount {{ holderName }} }} }} }}"""


async def bank_details(world: World) -> dict[str, Any]:
    return {"p": world.partner, "i": {"iban": IBAN, "bic": BIC, "holderName": "SARL Texte"}}


REFUSE_DETAILS = f"""mutation($id: ID!, $v: String!) {{ refuseBankDetails(bankDetailsId: $id,
  reason: $v) {{ {error_part("BankDetailsSuccess")} {{ bankAccount {{ refusalReason }} }} }} }}"""


async def submitted_details(world: World) -> dict[str, Any]:
    details = await submit(
        world.viewers["principal"],
        world.team.partner.id,
        BankDetailsInput(IBAN, BIC, "SARL Texte"),
    )
    return {"id": str(details.id)}


REJECT = """mutation($b: ID!, $i: [TransferRejectionInput!]!) { rejectTransfers(batchId: $b,
  rejections: $i) { __typename ... on UserError { code field message } } }"""


async def sent_batch(world: World) -> dict[str, Any]:
    [fortnight] = fresh_fortnights()
    team = await paid_partner("Rejet")
    await debit(team, paris(fortnight.starts_on + timedelta(days=1)), 800)
    staff = world.viewers["admin"]
    with clock.frozen(paris(fortnight.ends_on + timedelta(days=1), 2)):
        period = (await close_period(fortnight.starts_on)).period
        batch = await create_payment_batch(staff, period.id)
        await mark_sent(staff, batch.id)
    reimbursement = await Reimbursement.get(batch_id=batch.id, partner_id=team.partner.id)
    return {"b": str(batch.id), "i": [{"reference": reimbursement.reference, "reason": "x"}]}


async def rejection_reason(world: World, data: dict[str, Any]) -> str:
    reimbursement = await Reimbursement.filter(partner__legal_name="SARL Rejet").order_by(
        "-rejected_at"
    )
    return reimbursement[0].rejection_reason


def deal_row(name: str, *path: Any, **kw: Any) -> Row:
    """A BonPlanInput row: `path` from the input, e.g. ("places", 0, "street")."""
    template = promo_deal if path[-1] == "promoCode" else deal
    field = f"places[{path[1]}].{path[2]}" if path[0] == "places" else path[0]
    read = answer("createBonPlan", "offer", "working", *path)
    return Row(name, "principal", CREATE_DEAL, placed(template, "i", *path), read, field, **kw)


ROWS = [
    Row(
        "CreateTerminalInput.name",
        "principal",
        CREATE_TERMINAL,
        placed(new_terminal, "i", "name"),
        answer("createTerminal", "terminal", "name"),
        "name",
    ),
    Row(
        "SuppliedTerminalInput.serialNumber",
        "admin",
        RECORD_SUPPLIED,
        placed(supplied_terminal, "i", "serialNumber"),
        answer("recordSuppliedTerminal", "serialNumber"),
        "serialNumber",
    ),
    Row(
        "SuppliedTerminalInput.name",
        "admin",
        RECORD_SUPPLIED,
        placed(supplied_terminal, "i", "name"),
        answer("recordSuppliedTerminal", "name"),
        "name",
    ),
    Row(
        "Mutation.renameTerminal(name)",
        "principal",
        RENAME_TERMINAL,
        placed(a_terminal, "v"),
        answer("renameTerminal", "name"),
        "name",
    ),
    Row(
        "RegisterInput.firstName",
        "anonymous",
        REGISTER,
        placed(registration, "i", "firstName"),
        answer("register", "user", "firstName"),
        "firstName",
    ),
    Row(
        "RegisterInput.lastName",
        "anonymous",
        REGISTER,
        placed(registration, "i", "lastName"),
        answer("register", "user", "lastName"),
        "lastName",
    ),
    Row(
        "CreatePartnerInput.legalName",
        "admin",
        CREATE_PARTNER,
        placed(new_partner, "i", "legalName"),
        answer("createPartner", "partner", "legalName"),
        "legalName",
    ),
    Row(
        "CreatePartnerInput.tradeName",
        "admin",
        CREATE_PARTNER,
        placed(new_partner, "i", "tradeName"),
        answer("createPartner", "partner", "tradeName"),
        "tradeName",
    ),
    Row(
        "RepresentativeInput.firstName",
        "admin",
        CREATE_PARTNER,
        placed(new_partner, "i", "representative", "firstName"),
        answer("createPartner", "partner", "delegates", 0, "person", "firstName"),
        "firstName",
    ),
    Row(
        "RepresentativeInput.lastName",
        "admin",
        CREATE_PARTNER,
        placed(new_partner, "i", "representative", "lastName"),
        answer("createPartner", "partner", "delegates", 0, "person", "lastName"),
        "lastName",
    ),
    Row(
        "InviteStaffMemberInput.firstName",
        "admin",
        INVITE_STAFF,
        placed(staff_invitation, "i", "firstName"),
        answer("inviteStaffMember", "staffMember", "firstName"),
        "firstName",
    ),
    Row(
        "InviteStaffMemberInput.lastName",
        "admin",
        INVITE_STAFF,
        placed(staff_invitation, "i", "lastName"),
        answer("inviteStaffMember", "staffMember", "lastName"),
        "lastName",
    ),
    Row(
        "InviteDelegateInput.firstName",
        "principal",
        INVITE,
        placed(invitation, "i", "firstName"),
        answer("inviteDelegate", "delegation", "person", "firstName"),
        "firstName",
    ),
    Row(
        "InviteDelegateInput.lastName",
        "principal",
        INVITE,
        placed(invitation, "i", "lastName"),
        answer("inviteDelegate", "delegation", "person", "lastName"),
        "lastName",
    ),
    Row(
        "WalletTypeInput.label",
        "admin",
        SCHOOL_YEAR,
        placed(school_year, "i", "walletTypes", 0, "label"),
        answer("createSchoolYear", "schoolYear", "walletTypes", 0, "label"),
        "walletTypes[0].label",
    ),
    Row(
        "Mutation.regularizeTransaction(reason)",
        "admin",
        REGULARIZE,
        placed(a_transaction, "v"),
        answer("regularizeTransaction", "transaction", "reversalReason"),
        "reason",
    ),
    Row(
        "Mutation.requestParentalConsent(parentName)",
        "young_person",
        REQUEST_CONSENT,
        placed(nothing, "v"),
        answer("requestParentalConsent", "consent", "parentalConsent", "parentName"),
        "parentName",
    ),
    Row(
        "Mutation.recordParentalConsent(parentName)",
        "admin",
        RECORD_CONSENT,
        placed(under_15, "v"),
        answer("recordParentalConsent", "parentalConsent", "parentName"),
        "parentName",
    ),
    Row(
        "Mutation.requestDataExportForParent(reason)",
        "admin",
        EXPORT_FOR_PARENT,
        placed(under_15_with_a_parent, "v"),
        parent_export_reason,
        "reason",
    ),
    Row(
        "EligiblePupilInput.lastName",
        "admin",
        ADD_PUPIL,
        placed(pupil_input, "i", "lastName"),
        added_pupil("last_name"),
        "lastName",
    ),
    Row(
        "EligiblePupilInput.firstName",
        "admin",
        ADD_PUPIL,
        placed(pupil_input, "i", "firstName"),
        added_pupil("first_name"),
        "firstName",
    ),
    Row(
        "EligiblePupilInput.schoolName",
        "admin",
        ADD_PUPIL,
        placed(pupil_input, "i", "schoolName"),
        added_pupil("school_name"),
        "schoolName",
        blank="",
        required=False,
    ),
    Row(
        "Mutation.openYoungPersonRecord(reason)",
        "admin",
        OPEN_RECORD,
        placed(a_beneficiary, "v"),
        audited_reason,
        "reason",
    ),
    Row(
        "PostInput.body",
        "principal",
        CREATE_POST,
        placed(post_input, "i", "body"),
        answer("createPost", "post", "body"),
        "body",
    ),
    Row(
        "PostChanges.body",
        "principal",
        EDIT_POST,
        placed(post_changes, "c", "body"),
        answer("editPost", "post", "body"),
        "body",
    ),
    Row(
        "Mutation.reportPost(text)",
        "young_person",
        REPORT_POST,
        placed(a_post, "v"),
        report_text,
        "text",
        blank="",
        required=False,
    ),
    Row(
        "Mutation.suspendPartner(reason)",
        "admin",
        SUSPEND,
        placed(a_partner_of_its_own, "v"),
        answer("suspendPartner", "partner", "statusReason"),
        "reason",
        blank="",
        required=False,
    ),
    Row(
        "Mutation.terminatePartner(reason)",
        "admin",
        TERMINATE,
        placed(a_partner_ending_today, "v"),
        answer("terminatePartner", "partner", "statusReason"),
        "reason",
    ),
    Row(
        "Mutation.refuseCardPhoto(details)",
        "admin",
        REFUSE_PHOTO,
        placed(a_pending_photo, "v"),
        refusal_details,
        "details",
        blank="",
        required=False,
    ),
    Row(
        "Mutation.hidePost(reason)",
        "admin",
        HIDE_POST,
        placed(a_post, "v"),
        answer("hidePost", "post", "hiddenReason"),
        "reason",
    ),
    Row(
        "HighlightInput.title",
        "admin",
        HIGHLIGHT,
        placed(highlight, "i", "title"),
        answer("publishHighlight", "highlight", "title"),
        "title",
    ),
    Row(
        "HighlightInput.body",
        "admin",
        HIGHLIGHT,
        placed(highlight, "i", "body"),
        answer("publishHighlight", "highlight", "body"),
        "body",
    ),
    Row(
        "PartnerProfileInput.description",
        "principal",
        PROFILE,
        placed(profile, "i", "description"),
        answer("updatePartnerProfile", "partner", "description"),
        "description",
        blank="",
        required=False,
    ),
    Row(
        "PartnerProfileInput.accessibilityNotes",
        "principal",
        PROFILE,
        placed(profile, "i", "accessibilityNotes"),
        answer("updatePartnerProfile", "partner", "accessibility", "notes"),
        "accessibilityNotes",
        blank="",
        required=False,
    ),
    Row(
        "AddressInput.street",
        "principal",
        PROFILE,
        placed(profile_address, "i", "address", "street"),
        answer("updatePartnerProfile", "partner", "address", "street"),
        "street",
    ),
    Row(
        "AddressInput.city",
        "principal",
        PROFILE,
        placed(profile_address, "i", "address", "city"),
        answer("updatePartnerProfile", "partner", "address", "city"),
        "city",
    ),
    Row(
        "Mutation.addOpeningException(label)",
        "principal",
        EXCEPTION,
        placed(exception_day, "v"),
        answer("addOpeningException", "openingException", "label"),
        "label",
        blank="",
        required=False,
    ),
    deal_row("BonPlanInput.title", "title"),
    deal_row("BonPlanInput.description", "description"),
    deal_row("BonPlanInput.promoCode", "promoCode"),
    deal_row("BonPlanInput.practicalInfo", "practicalInfo", blank="", required=False),
    deal_row("BonPlanInput.conditions", "conditions", blank=DEFAULT_CONDITIONS, required=False),
    deal_row("OfferPlaceInput.street", "places", 0, "street"),
    deal_row("OfferPlaceInput.city", "places", 0, "city"),
    deal_row("OfferPlaceInput.label", "places", 0, "label", blank="", required=False),
    Row(
        "EventInput.title",
        "principal",
        CREATE_EVENT,
        placed(event, "i", "title"),
        answer("createEvent", "offer", "working", "title"),
        "title",
    ),
    Row(
        "EventInput.description",
        "principal",
        CREATE_EVENT,
        placed(event, "i", "description"),
        answer("createEvent", "offer", "working", "description"),
        "description",
    ),
    Row(
        "EventInput.practicalInfo",
        "principal",
        CREATE_EVENT,
        placed(event, "i", "practicalInfo"),
        answer("createEvent", "offer", "working", "practicalInfo"),
        "practicalInfo",
        blank="",
        required=False,
    ),
    Row(
        "EventInput.conditions",
        "principal",
        CREATE_EVENT,
        placed(event, "i", "conditions"),
        answer("createEvent", "offer", "working", "conditions"),
        "conditions",
        blank=DEFAULT_CONDITIONS,
        required=False,
    ),
    *[
        Row(
            f"OfferChanges.{name}",
            "principal",
            UPDATE_OFFER,
            placed(offer_changes, "i", name),
            answer("updateOffer", "offer", "working", name),
            name,
            blank=blank,
            required=required,
        )
        for name, required, blank in (
            ("title", True, None),
            ("description", True, None),
            ("promoCode", True, None),
            ("practicalInfo", False, ""),
            ("conditions", False, DEFAULT_CONDITIONS),
        )
    ],
    Row(
        "Mutation.moderate(reason)",
        "admin",
        MODERATE,
        placed(submitted_revision, "v"),
        answer("moderate", "offer", "working", "rejectionReason"),
        "reason",
    ),
    *[
        Row(
            f"DepartmentServiceInput.{name}",
            "admin",
            SERVICE,
            placed(service, "i", name),
            answer("createDepartmentService", "service", name),
            name,
        )
        for name in ("title", "description")
    ],
    Row(
        "DepartmentServiceInput.street",
        "admin",
        SERVICE,
        placed(service, "i", "street"),
        answer("createDepartmentService", "service", "street"),
        "street",
        blank=None,
        required=False,
    ),
    Row(
        "DepartmentServiceInput.city",
        "admin",
        SERVICE,
        placed(service, "i", "city"),
        answer("createDepartmentService", "service", "city"),
        "city",
        blank="refused: La commune est nécessaire pour placer l'adresse.",
        required=False,
    ),
    *[
        Row(
            f"CampaignInput.{name}",
            "admin",
            CAMPAIGN,
            placed(campaign, "i", name),
            answer("createCampaign", "campaign", name),
            name,
        )
        for name in ("name", "subject", "title", "body")
    ],
    Row(
        "BankDetailsInput.holderName",
        "principal",
        BANK_DETAILS,
        placed(bank_details, "i", "holderName"),
        answer("setBankDetails", "bankAccount", "holderName"),
        "holderName",
    ),
    Row(
        "Mutation.refuseBankDetails(reason)",
        "admin",
        REFUSE_DETAILS,
        placed(submitted_details, "v"),
        answer("refuseBankDetails", "bankAccount", "refusalReason"),
        "reason",
    ),
    Row(
        "TransferRejectionInput.reason",
        "admin",
        REJECT,
        placed(sent_batch, "i", 0, "reason"),
        rejection_reason,
        "rejections[0].reason",
        blank="Virement rejeté",
        required=False,
    ),
]


# --- the checks ------------------------------------------------------------------------------


def string_inputs(schema: Any) -> set[str]:
    """Every String input of the schema, as "Type.field" or "Type.field(argument)"."""
    found = set()
    for type_ in schema.type_map.values():
        if type_.name.startswith("__"):
            continue
        if isinstance(type_, GraphQLInputObjectType):
            for name, field in type_.fields.items():
                if _is_string(get_named_type(field.type)):
                    found.add(f"{type_.name}.{name}")
        elif hasattr(type_, "fields"):
            for name, field in type_.fields.items():
                for arg_name, arg in field.args.items():
                    if _is_string(get_named_type(arg.type)):
                        found.add(f"{type_.name}.{name}({arg_name})")
    return found


def _is_string(named: GraphQLNamedType) -> bool:
    return named.name == "String"


def _graphql_schema(app) -> Any:
    return app.routes[0].endpoint.schema


def test_every_string_input_is_classified(app):
    inputs = string_inputs(_graphql_schema(app)._schema)
    free = {row.input for row in ROWS}
    assert not free & set(NOT_FREE_TEXT), free & set(NOT_FREE_TEXT)
    unclassified = inputs - free - set(NOT_FREE_TEXT)
    assert not unclassified, (
        f"String inputs neither free text (a row in ROWS, cleaned by clean_text) nor in "
        f"NOT_FREE_TEXT: {sorted(unclassified)}"
    )
    assert not (free | set(NOT_FREE_TEXT)) - inputs, "rows name inputs the schema lacks"


def _context(viewer: Viewer) -> Context:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "headers": [],
        "client": ("192.0.2.7", 1),
    }
    return Context(request=Request(scope), viewer=viewer)


async def _run(app, world: World, row: Row, value: str) -> dict[str, Any]:
    variables = await row.build(world, value)
    result = await _graphql_schema(app).execute(
        row.document, variable_values=variables, context_value=_context(world.viewers[row.role])
    )
    assert not result.errors, result.errors
    return result.data


def _answer(data: dict[str, Any]) -> dict[str, Any]:
    [value] = data.values()
    return value


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.input)
async def test_free_text_is_kept_as_shown_and_refused_when_invisible(app, world, row):
    data = await _run(app, world, row, SPOOFED)
    outcome = _answer(data)
    assert outcome["__typename"] != "UserError", outcome
    assert await row.read(world, data) == CLEAN

    data = await _run(app, world, row, INVISIBLE)
    outcome = _answer(data)
    if row.required:
        assert outcome == {
            "__typename": "UserError",
            "code": "INVALID_INPUT",
            "field": row.field,
            "message": EMPTY_TEXT_MESSAGE,
        }
    elif isinstance(row.blank, str) and row.blank.startswith("refused: "):
        assert (outcome["field"], outcome["message"]) == (row.field, row.blank[9:])
    else:
        assert outcome["__typename"] != "UserError", outcome
        assert await row.read(world, data) == row.blank
