"""A partner's convention ends (`terminatePartner`, distinct from a suspension: for good,
with its day and reason, audited, and its people can no longer debit), and the yearly bon
plan commitment's reminder (`sendBonPlanReminder`: to the principal delegate, kept in
`bonPlanReminders`, one a week at most); the partners are found by SIRET and commune."""

from __future__ import annotations

import uuid
from datetime import timedelta

from domain.core import clock
from domain.offers.moderation import decide
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.partners import BonPlanReminder, Partner, PartnerStatus
from models.social import PartnerProfile
from tests.factories import card_holder, partner_team, staff_member, till, token_for
from tests.support import jobs_done
from tests.web.backoffice_helpers import submitted_deal, viewer_of

TERMINATE = """mutation($id: ID!, $on: Date!, $reason: String!) {
  terminatePartner(id: $id, terminatedOn: $on, reason: $reason) {
    __typename
    ... on PartnerSuccess { partner { status statusSince statusReason } }
    ... on UserError { code message field } } }"""
SUSPEND = """mutation($id: ID!, $reason: String) { suspendPartner(id: $id, reason: $reason) {
  __typename ... on PartnerSuccess { partner { status statusSince statusReason } }
  ... on UserError { code message field } } }"""
REACTIVATE = """mutation($id: ID!) { reactivatePartner(id: $id) {
  __typename ... on PartnerSuccess { partner { status } } ... on UserError { code message } } }"""
REMIND = """mutation($p: ID!) { sendBonPlanReminder(partnerId: $p) {
  __typename ... on BonPlanReminderSuccess { reminder { id schoolYear recipientEmail
  sentBy { email } partner { id } } } ... on UserError { code message } } }"""
REMINDERS = """query($p: ID!) { bonPlanReminders(partnerId: $p) { id sentAt recipientEmail } }"""
DEBIT = """mutation($input: DebitInput!) { debitCard(input: $input) {
  __typename ... on UserError { code message } } }"""
PARTNERS = """query($siret: String, $commune: String) {
  partners(siret: $siret, commune: $commune) { partners { id } } }"""


async def test_a_terminated_convention_is_final_and_its_tills_stop_debiting(gql):
    team, cashier = await till()
    admin = await token_for(gql, await staff_member(StaffRole.ADMINISTRATOR))
    cashier_token = await token_for(gql, cashier)
    partner_id = str(team.partner.id)
    today = clock.paris_today()

    def terminate(on, reason="Cessation d'activité du club"):
        variables = {"id": partner_id, "on": on.isoformat(), "reason": reason}
        return gql.post(TERMINATE, variables, token=admin)

    future = (await terminate(today + timedelta(days=1)))["data"]["terminatePartner"]
    assert future["field"] == "date" and "futur" in future["message"]
    before = (await terminate(team.partner.convention_signed_on - timedelta(days=1)))["data"]
    assert "précéder la signature" in before["terminatePartner"]["message"]
    short = (await terminate(today, "Fin"))["data"]["terminatePartner"]
    assert short["field"] == "reason" and "10 caractères" in short["message"]
    assert (await Partner.get(id=team.partner.id)).status == PartnerStatus.ACTIVE

    done = (await terminate(today - timedelta(days=2)))["data"]["terminatePartner"]
    assert done["partner"] == {
        "status": "TERMINATED",
        "statusSince": (today - timedelta(days=2)).isoformat(),
        "statusReason": "Cessation d'activité du club",
    }
    entry = await AuditEntry.get(partner_id=team.partner.id, action="partner.terminated")
    assert entry.after["reason"] == "Cessation d'activité du club"

    # The cashier signed in before the termination: the next debit is refused.
    holder = await card_holder()
    debit = {
        "partnerId": partner_id,
        "code": holder.card.code,
        "walletKind": "SPORT_CULTURE_LOISIRS",
        "amount": "2",
        "idempotencyKey": uuid.uuid4().hex,
    }
    refused = await gql.post(DEBIT, {"input": debit}, token=cashier_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    for mutation, name in ((REACTIVATE, "reactivatePartner"), (SUSPEND, "suspendPartner")):
        refused = (await gql.post(mutation, {"id": partner_id}, token=admin))["data"][name]
        assert refused["code"] == "INVALID_STATE" and "résiliée" in refused["message"]
    again = (await terminate(today))["data"]["terminatePartner"]
    assert again["code"] == "INVALID_STATE"


async def test_a_suspension_keeps_its_reason_until_the_reactivation(gql):
    team = await partner_team()
    admin = await token_for(gql, await staff_member(StaffRole.ADMINISTRATOR))
    suspended = await gql.post(
        SUSPEND, {"id": str(team.partner.id), "reason": "Contrôle en cours"}, token=admin
    )
    partner = suspended["data"]["suspendPartner"]["partner"]
    assert partner["status"] == "SUSPENDED" and partner["statusReason"] == "Contrôle en cours"
    assert partner["statusSince"] == clock.paris_today().isoformat()
    await gql.post(REACTIVATE, {"id": str(team.partner.id)}, token=admin)
    back = await Partner.get(id=team.partner.id)
    assert back.status == PartnerStatus.ACTIVE
    assert back.status_reason == "" and back.status_since is None


async def test_the_reminder_goes_to_the_principal_once_a_week(gql, mailbox):
    team = await partner_team()
    agent = await staff_member(StaffRole.SUPPORT)
    support = await token_for(gql, agent)
    partner_id = str(team.partner.id)

    sent = (await gql.post(REMIND, {"p": partner_id}, token=support))["data"]
    reminder = sent["sendBonPlanReminder"]["reminder"]
    assert reminder["recipientEmail"] == team.principal.email
    assert reminder["sentBy"] == {"email": agent.email}
    await jobs_done()
    message = await mailbox.wait_for(team.principal.email, "bon plan")
    assert team.partner.trade_name in message.get_body(("plain",)).get_content()
    assert await AuditEntry.exists(
        partner_id=team.partner.id, action="partner.bon_plan_reminder_sent"
    )

    too_soon = (await gql.post(REMIND, {"p": partner_id}, token=support))["data"]
    assert too_soon["sendBonPlanReminder"]["code"] == "RATE_LIMITED"
    assert "Un rappel a déjà été envoyé le" in too_soon["sendBonPlanReminder"]["message"]

    await BonPlanReminder.filter(partner_id=team.partner.id).update(
        sent_at=clock.now() - timedelta(days=8)
    )
    later = (await gql.post(REMIND, {"p": partner_id}, token=support))["data"]
    assert later["sendBonPlanReminder"]["__typename"] == "BonPlanReminderSuccess"
    history = (await gql.post(REMINDERS, {"p": partner_id}, token=support))["data"]
    newest, oldest = history["bonPlanReminders"]
    assert newest["id"] == later["sendBonPlanReminder"]["reminder"]["id"]
    assert newest["sentAt"] > oldest["sentAt"]


async def test_no_reminder_for_a_partner_with_a_deal_or_not_active(gql):
    with_deal = await partner_team()
    offer = await submitted_deal(with_deal)
    moderator = await viewer_of(await staff_member(StaffRole.MODERATION))
    await decide(moderator, offer.working_revision_id, True, None)
    suspended = await partner_team()
    await Partner.filter(id=suspended.partner.id).update(status=PartnerStatus.SUSPENDED)
    support = await token_for(gql, await staff_member(StaffRole.SUPPORT))

    met = (await gql.post(REMIND, {"p": str(with_deal.partner.id)}, token=support))["data"]
    assert met["sendBonPlanReminder"]["code"] == "INVALID_STATE"
    assert "déjà un bon plan" in met["sendBonPlanReminder"]["message"]
    inactive = (await gql.post(REMIND, {"p": str(suspended.partner.id)}, token=support))["data"]
    assert "pas actif" in inactive["sendBonPlanReminder"]["message"]
    assert not await BonPlanReminder.exists(
        partner_id__in=[with_deal.partner.id, suspended.partner.id]
    )


async def test_partners_are_found_by_siren_and_postal_code(gql):
    team = await partner_team()
    other = await partner_team()
    await PartnerProfile.update_or_create(
        defaults={"city": "La Ciotat", "postal_code": "13600"}, partner_id=team.partner.id
    )
    support = await token_for(gql, await staff_member(StaffRole.SUPPORT))

    async def found(**variables) -> set[str]:
        answer = await gql.post(PARTNERS, variables, token=support)
        return {p["id"] for p in answer["data"]["partners"]["partners"]}

    siren = team.partner.siret[:9]
    assert str(team.partner.id) in await found(siret=siren)
    assert str(other.partner.id) not in await found(siret=siren)
    assert str(team.partner.id) in await found(commune="13600")
    by_city = await found(commune="ciotat")
    assert str(team.partner.id) in by_city and str(other.partner.id) not in by_city
