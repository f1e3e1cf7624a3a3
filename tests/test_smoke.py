from tests.factories import partner_team, sign_in


async def test_principal_can_sign_in(gql):
    team = await partner_team()
    payload = await sign_in(gql, team.principal)
    assert payload["user"]["email"] == team.principal.email
