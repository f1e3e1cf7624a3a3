"""Input that PostgreSQL would choke on, or that is out of range, gets a clear answer."""

from models.accounts import StaffRole
from tests.factories import LOGIN, partner_team, staff_member, token_for
from tests.support import error_codes

AUDIT_AFTER = "query($after: String) { auditLog(first: 5, after: $after) { entries { id } } }"


async def test_a_nul_character_is_refused_in_variables_and_in_the_document(gql):
    for result in [
        await gql.post(LOGIN, {"email": "a\x00@b.fr", "password": "x"}),
        await gql.post('mutation { login(email: "a\\u0000@b.fr", password: "x") { __typename } }'),
        await gql.post(
            "query($s: String) { partners(search: $s) { partners { id } } }", {"s": "Cin\x00ma"}
        ),
    ]:
        assert result["data"] is None
        assert error_codes(result) == ["INVALID_INPUT"]
        assert "caractère nul" in result["errors"][0]["message"]


async def test_an_out_of_range_audit_cursor_gives_an_empty_page(gql):
    await partner_team()
    token = await token_for(gql, await staff_member(StaffRole.SUPPORT))
    for cursor in ["99999999999999999999999", "-5", "abc"]:
        result = await gql.post(AUDIT_AFTER, {"after": cursor}, token=token)
        assert result == {"data": {"auditLog": {"entries": []}}}
