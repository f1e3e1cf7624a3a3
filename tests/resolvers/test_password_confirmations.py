"""A password typed again to confirm an action is a guess like a sign-in's: its failures
count with the sign-in's, and past the limit even the right password is refused, for the
action and for signing in, until the window ends. Nothing changes on a refusal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

from models.accounts import User
from models.finance import BankDetails
from models.partners import Delegate, DelegateStatus
from tests.factories import PASSWORD, partner_team, token_for, young_person
from tests.finance_helpers import BIC, IBAN
from tests.resolvers.test_accounts import CHANGE, LOGIN
from tests.resolvers.test_finance import SET
from tests.support import GraphQLClient
from tests.web.test_account_pages import invitation_link

WRONG = "Pas-le-bon-mot-de-passe-42"
CLOSE = """mutation($pw: String!) { closeMyAccount(password: $pw) {
  __typename ... on UserError { code field } } }"""
ACCEPT = """mutation($token: String!, $pw: String!) {
  acceptInvitation(token: $token, password: $pw) { __typename ... on UserError { code field } } }"""

Attempt = Callable[[str], Awaitable[dict[str, Any]]]


async def _throttled(gql: GraphQLClient, settings, email: str, attempt: Attempt) -> None:
    """Wrong passwords up to the limit, each INVALID_CREDENTIALS; then the right one is
    TOO_MANY_ATTEMPTS, and so is signing in with it."""
    for _ in range(settings.login_max_failures_per_account):
        assert (await attempt(WRONG))["code"] == "INVALID_CREDENTIALS"
    assert (await attempt(PASSWORD))["code"] == "TOO_MANY_ATTEMPTS"
    sign_in = await gql.post(LOGIN, {"email": email, "password": PASSWORD})
    assert sign_in["data"]["login"]["code"] == "TOO_MANY_ATTEMPTS"


async def test_new_bank_details_confirmed_by_guessing_are_throttled(gql, settings):
    team = await partner_team()
    token = await token_for(gql, team.principal)

    async def attempt(password: str) -> dict[str, Any]:
        variables = {
            "p": str(team.partner.id),
            "iban": IBAN,
            "bic": BIC,
            "holder": "SARL Détournement",
            "pw": password,
        }
        return (await gql.post(SET, variables, token))["data"]["setBankDetails"]

    await _throttled(gql, settings, team.principal.email, attempt)
    assert not await BankDetails.filter(partner_id=team.partner.id).exists()


async def test_a_new_password_confirmed_by_guessing_is_throttled(gql, settings):
    person = await young_person()
    token = await token_for(gql, person)

    async def attempt(password: str) -> dict[str, Any]:
        variables = {"current": password, "new": "Calanque-de-Sormiou-2027"}
        return (await gql.post(CHANGE, variables, token))["data"]["changePassword"]

    before = (await User.get(id=person.id)).password_hash
    await _throttled(gql, settings, person.email, attempt)
    assert (await User.get(id=person.id)).password_hash == before


async def test_closing_an_account_by_guessing_is_throttled(gql, settings):
    person = await young_person()
    token = await token_for(gql, person)

    async def attempt(password: str) -> dict[str, Any]:
        return (await gql.post(CLOSE, {"pw": password}, token))["data"]["closeMyAccount"]

    await _throttled(gql, settings, person.email, attempt)
    assert (await User.get(id=person.id)).is_active


async def test_an_invitation_accepted_by_guessing_an_accounts_password_is_throttled(
    gql, settings, mailbox
):
    team, elsewhere = await partner_team(), await partner_team()
    link = await invitation_link(gql, mailbox, team, elsewhere.principal.email)
    secret = unquote(link.split("jeton=", 1)[1])

    async def attempt(password: str) -> dict[str, Any]:
        answer = await gql.post(ACCEPT, {"token": secret, "pw": password})
        return answer["data"]["acceptInvitation"]

    await _throttled(gql, settings, elsewhere.principal.email, attempt)
    invited = await Delegate.get(partner_id=team.partner.id, user_id=elsewhere.principal.id)
    assert invited.status == DelegateStatus.INVITED
