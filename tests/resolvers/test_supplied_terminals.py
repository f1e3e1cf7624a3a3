"""Equipment the département lends: recorded by staff, assigned to a partner (who sees it),
pre-paired before delivery, returned (revoked and unassigned); audited."""

from __future__ import annotations

from models.accounts import StaffRole
from models.audit import AuditEntry
from tests.factories import partner_team, staff_member, till, token_for
from tests.support import error_codes
from tests.terminals import STATUS_QUERY, as_terminal

RECORD = """mutation($i: SuppliedTerminalInput!) { recordSuppliedTerminal(input: $i) {
  __typename ... on Terminal { id state partnerId hasPrinter serialNumber }
  ... on UserError { code field } } }"""
ASSIGN = """mutation($t: ID!, $p: ID!) { assignTerminal(terminalId: $t, partnerId: $p) {
  __typename ... on Terminal { partnerId state } ... on UserError { code } } }"""
PRE_PAIR = """mutation($t: ID!) { prePairTerminal(terminalId: $t) {
  __typename ... on TerminalCredential { credential terminal { state } }
  ... on UserError { code } } }"""
RETURN = """mutation($t: ID!) { returnTerminal(terminalId: $t) {
  __typename ... on Terminal { state partnerId } ... on UserError { code } } }"""
PARTNER_LIST = "query($p: ID!) { terminals(partnerId: $p) { id name serialNumber state } }"


async def test_a_lent_tpe_from_record_to_return(gql):
    support = await token_for(gql, await staff_member(StaffRole.SUPPORT))
    team, _ = await till()
    recorded = await gql.post(
        RECORD,
        {"i": {"kind": "SUPPLIED_TPE_PRINTER", "serialNumber": "SN-0042", "name": "TPE 42"}},
        token=support,
    )
    device = recorded["data"]["recordSuppliedTerminal"]
    assert device["hasPrinter"] is True and device["partnerId"] is None
    assigned = await gql.post(ASSIGN, {"t": device["id"], "p": str(team.partner.id)}, token=support)
    assert assigned["data"]["assignTerminal"]["partnerId"] == str(team.partner.id)
    principal = await token_for(gql, team.principal)
    listed = await gql.post(PARTNER_LIST, {"p": str(team.partner.id)}, token=principal)
    assert listed["data"]["terminals"][0]["serialNumber"] == "SN-0042"

    paired = (await gql.post(PRE_PAIR, {"t": device["id"]}, token=support))["data"]
    credential = paired["prePairTerminal"]["credential"]
    assert paired["prePairTerminal"]["terminal"]["state"] == "ACTIVE"
    assert (await as_terminal(gql, credential).post(STATUS_QUERY))["data"]["terminalStatus"]
    again = await gql.post(PRE_PAIR, {"t": device["id"]}, token=support)
    assert again["data"]["prePairTerminal"]["code"] == "INVALID_STATE"

    returned = (await gql.post(RETURN, {"t": device["id"]}, token=support))["data"]
    assert returned["returnTerminal"] == {
        "__typename": "Terminal",
        "state": "REVOKED",
        "partnerId": None,
    }
    assert error_codes(await as_terminal(gql, credential).post(STATUS_QUERY)) == ["UNAUTHENTICATED"]
    listed = await gql.post(PARTNER_LIST, {"p": str(team.partner.id)}, token=principal)
    assert listed["data"]["terminals"] == []
    actions = (
        await AuditEntry.filter(object_id=device["id"])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "terminal.recorded",
        "terminal.assigned",
        "terminal.pre_paired",
        "terminal.returned",
        "terminal.unassigned",
    ]


async def test_a_smart_tpe_is_not_equipment_and_a_lent_one_is_lent_once(gql):
    support = await token_for(gql, await staff_member(StaffRole.SUPPORT))
    wrong = await gql.post(
        RECORD, {"i": {"kind": "SMART_TPE", "serialNumber": "X", "name": "T"}}, token=support
    )
    assert wrong["data"]["recordSuppliedTerminal"] == {
        "__typename": "UserError",
        "code": "INVALID_INPUT",
        "field": "kind",
    }
    device = (
        await gql.post(
            RECORD,
            {"i": {"kind": "SUPPLIED_TPE", "serialNumber": "SN-7", "name": "T"}},
            token=support,
        )
    )["data"]["recordSuppliedTerminal"]
    first, second = await partner_team(), await partner_team()
    await gql.post(ASSIGN, {"t": device["id"], "p": str(first.partner.id)}, token=support)
    twice = await gql.post(ASSIGN, {"t": device["id"], "p": str(second.partner.id)}, token=support)
    assert twice["data"]["assignTerminal"]["code"] == "INVALID_STATE"
