"""Signing in and out of the web, the session cookie, CSRF, and the headers of every page."""

from __future__ import annotations

from dataclasses import replace

from domain.accounts.sessions import revoke_session
from models.accounts import AuthSession
from server.app import create_app
from tests.factories import PASSWORD, partner_team, till, young_person
from tests.server.test_http import PRODUCTION, REDIS_URL
from tests.support import GraphQLClient
from tests.web.conftest import browser_for
from tests.web.support import Browser, set_cookie_headers, text_of
from workers.broker import configure_broker


async def test_a_delegate_signs_in_and_lands_in_the_partner_space(browser):
    team = await partner_team()

    page = await browser.get("/connexion")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text and 'href="#contenu"' in page.text
    assert 'autocomplete="current-password"' in page.text
    signed_in = await browser.sign_in(team.principal.email)

    assert signed_in.headers["location"] == "/partenaires/"
    cookie = set_cookie_headers(signed_in)["cjeune_session"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # not in production: the tests speak plain HTTP
    home = await browser.follow(signed_in)
    assert home.status_code == 200
    assert team.partner.trade_name in text_of(home)
    assert "Se déconnecter" in text_of(home)


async def test_wrong_credentials_are_refused_in_french_without_a_session(browser):
    team = await partner_team()
    await browser.get("/connexion")

    refused = await browser.post("/connexion", {"email": team.principal.email, "password": "x"})

    assert refused.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect." in text_of(refused)
    assert "cjeune_session" not in set_cookie_headers(refused)
    assert (await browser.get("/partenaires/")).status_code == 303


async def test_the_session_cookie_is_secure_and_host_bound_in_production(settings):
    production = replace(settings, **PRODUCTION, redis_url=REDIS_URL)
    team = await partner_team()
    try:
        app = create_app(production, manage_database=False)
        async with browser_for(app) as http:
            http.base_url = "https://testserver"
            browser = Browser(http)
            page = await browser.get("/connexion")
            signed_in = await browser.sign_in(team.principal.email)
    finally:
        configure_broker(settings)  # jobs go back in-process for the other tests

    csrf_cookie = set_cookie_headers(page)["__Host-cjeune-csrf"]
    session_cookie = set_cookie_headers(signed_in)["__Host-cjeune-session"]
    for cookie in (csrf_cookie, session_cookie):
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Path=/" in cookie and "Domain" not in cookie
    assert "max-age=31536000" in page.headers["strict-transport-security"]


async def test_a_form_without_its_csrf_token_is_refused(browser, other_browser):
    team = await partner_team()
    await browser.get("/connexion")
    credentials = {"email": team.principal.email, "password": PASSWORD}

    missing = await browser.post("/connexion", credentials, csrf=False)
    forged = await browser.post("/connexion", {**credentials, "csrf": "forged"})
    await other_browser.get("/connexion")  # a token made for another browser's cookie
    borrowed = await browser.post("/connexion", {**credentials, "csrf": other_browser.csrf()})

    for refused in (missing, forged, borrowed):
        assert refused.status_code == 403
        assert "Formulaire expiré" in text_of(refused)
        assert "cjeune_session" not in set_cookie_headers(refused)
    assert not await AuthSession.filter(user_id=team.principal.id).exists()


async def test_a_form_of_a_browser_without_the_csrf_cookie_is_refused(app):
    team = await partner_team()
    async with browser_for(app) as http:
        browser = Browser(http)
        await browser.get("/connexion")
        token = browser.csrf()
        http.cookies.clear()  # another site's page posting into the app: no cookie of ours
        refused = await browser.post(
            "/connexion", {"email": team.principal.email, "password": PASSWORD, "csrf": token}
        )
    assert refused.status_code == 403


async def test_the_csrf_token_of_the_signed_out_form_is_refused_once_signed_in(browser):
    _, cashier = await till()
    await browser.get("/connexion")
    before = browser.csrf()
    await browser.sign_in(cashier.email)

    refused = await browser.post("/deconnexion", {"csrf": before})

    assert refused.status_code == 403
    assert (await browser.get("/partenaires/")).status_code == 200


async def test_every_page_carries_the_security_headers(browser):
    page = await browser.get("/connexion")

    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and " style=" not in page.text and "hx-on" not in page.text
    assert '"includeIndicatorStyles":false' in page.text


async def test_signing_out_closes_the_api_session(browser):
    _, cashier = await till()
    await browser.sign_in(cashier.email)
    home = await browser.get("/partenaires/")
    assert home.status_code == 200

    out = await browser.post("/deconnexion")

    assert out.status_code == 303 and out.headers["location"] == "/connexion?raison=deconnexion"
    assert 'cjeune_session=""' in set_cookie_headers(out)["cjeune_session"]
    session = await AuthSession.get(user_id=cashier.id)
    assert session.revoked_at is not None and session.revoked_reason == "logout"
    page = await browser.follow(out)
    assert "Vous êtes déconnecté." in text_of(page)
    assert (await browser.get("/partenaires/")).status_code == 303


async def test_a_revoked_session_is_signed_out_at_its_next_click(browser):
    _, cashier = await till()
    await browser.sign_in(cashier.email)
    await browser.get("/partenaires/")
    session = await AuthSession.get(user_id=cashier.id)

    await revoke_session(session.id, reason="revoked_by_support")
    page = await browser.get("/partenaires/")

    assert page.status_code == 303
    assert page.headers["location"] == "/connexion?suite=/partenaires/&raison=session"
    assert 'cjeune_session=""' in set_cookie_headers(page)["cjeune_session"]
    shown = await browser.follow(page)
    assert "Votre session a pris fin" in text_of(shown)


async def test_a_form_posted_after_its_session_was_revoked_goes_to_sign_in(browser):
    """The form was made for a session closed since: the person is sent to sign in again
    (the session is over), not told their form expired, and nothing is done."""
    _, cashier = await till()
    await browser.sign_in(cashier.email)
    await browser.get("/partenaires/caisse")
    session = await AuthSession.get(user_id=cashier.id)
    await revoke_session(session.id, reason="revoked_by_support")

    refused = await browser.post("/partenaires/caisse", {"code": "CJ-0000-0000"})

    assert refused.status_code == 303
    assert refused.headers["location"] == "/connexion?suite=/partenaires/&raison=session"
    assert 'cjeune_session=""' in set_cookie_headers(refused)["cjeune_session"]
    assert "Votre session a pris fin" in text_of(await browser.follow(refused))


async def test_an_unknown_address_gets_the_french_page_not_found(browser):
    for address in ("/nulle-part", "/partenaires/nulle-part"):
        page = await browser.get(address)
        assert page.status_code == 404, address
        assert "Page introuvable" in text_of(page)
        assert page.headers["content-security-policy"]
    assert 'href="/"' in (await browser.get("/nulle-part")).text


async def test_a_suspended_delegate_is_signed_out_of_the_web_at_once(browser, gql: GraphQLClient):
    team, cashier = await till()
    await browser.sign_in(cashier.email)
    assert (await browser.get("/partenaires/caisse")).status_code == 200
    principal = (await gql.post(LOGIN, {"email": team.principal.email, "password": PASSWORD}))[
        "data"
    ]["login"]["accessToken"]
    delegation = await team.partner.delegates.filter(user_id=cashier.id).first()
    suspended = await gql.post(SUSPEND, {"id": str(delegation.id)}, token=principal)
    assert suspended["data"]["suspendDelegate"]["__typename"] == "DelegationSuccess"

    page = await browser.get("/partenaires/caisse")

    # Still signed in (the account is fine) but acting for no partner any more.
    assert page.status_code == 403
    assert "Aucune structure partenaire" in text_of(page)


async def test_a_young_person_has_no_partner_space(browser):
    person = await young_person()
    await browser.sign_in(person.email)

    page = await browser.get("/partenaires/")

    assert page.status_code == 403 and "Aucune structure partenaire" in text_of(page)


async def test_sign_in_goes_back_to_the_page_asked_for_and_only_to_this_site(browser):
    _, cashier = await till()
    asked = await browser.get("/partenaires/transactions")
    assert asked.headers["location"] == "/connexion?suite=/partenaires/transactions"

    await browser.follow(asked)
    back = await browser.post(
        "/connexion?suite=/partenaires/transactions",
        {"email": cashier.email, "password": PASSWORD},
    )
    assert back.headers["location"] == "/partenaires/transactions"

    await browser.follow(back)
    await browser.post("/deconnexion")
    await browser.get("/connexion?suite=//evil.example/")
    elsewhere = await browser.post(
        "/connexion?suite=//evil.example/", {"email": cashier.email, "password": PASSWORD}
    )
    assert elsewhere.headers["location"] == "/partenaires/"


LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { ... on AuthPayload { accessToken } }
}"""
SUSPEND = """mutation($id: ID!) { suspendDelegate(delegateId: $id) { __typename } }"""


async def test_graphql_never_takes_the_web_session_cookie(browser):
    """Another site could make a browser POST to /graphql with the partner's cookies: the
    API answers as nobody, since it reads the Authorization header only."""
    _, cashier = await till()
    await browser.sign_in(cashier.email)
    assert (await browser.get("/partenaires/")).status_code == 200

    answer = await browser.http.post("/graphql", json={"query": "{ me { email } }"})

    assert answer.status_code == 200
    assert answer.json()["data"]["me"] is None
    assert "cjeune_session" in browser.http.cookies  # it was sent, and ignored
