"""The account pages our emails link to: a GET never uses the token, the form's POST does,
and an expired or used link gets a page saying what to do."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

from domain.core import clock
from models.accounts import EmailToken, EmailTokenPurpose, User
from models.partners import Delegate, DelegateStatus
from tests.factories import PASSWORD, partner_team, token_for, young_person
from tests.support import GraphQLClient, jobs_done, link_token, unique
from tests.web.support import text_of

NEW_PASSWORD = "Savon-de-Marseille-1688"


def link_path(message) -> str:
    """The path and query of the link an email sends, as a person's click opens it."""
    body = message.get_body(("plain",)).get_content()
    url = next(word for word in body.split() if "jeton=" in word)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def unused_reset_links(user_id) -> int:
    return await EmailToken.filter(
        user_id=user_id, purpose=EmailTokenPurpose.RESET_PASSWORD, used_at__isnull=True
    ).count()


async def test_a_forgotten_password_is_replaced_through_the_emailed_link(browser, mailbox):
    person = await young_person()
    await browser.get("/mot-de-passe-oublie")
    asked = await browser.post("/mot-de-passe-oublie", {"email": person.email.upper()})
    assert asked.status_code == 200 and "Vérifiez votre messagerie" in text_of(asked)
    await jobs_done()
    message = await mailbox.wait_for(person.email, "Réinitialisation")
    link = link_path(message)
    assert link.startswith("/nouveau-mot-de-passe?jeton=")

    # A mail scanner opens the link twice: nothing is used up.
    for _ in range(2):
        form = await browser.get(link)
        assert form.status_code == 200 and "Choisir un nouveau mot de passe" in text_of(form)
    assert await unused_reset_links(person.id) == 1

    mismatch = await browser.post(link, {"password": NEW_PASSWORD, "confirmation": "autre"})
    assert mismatch.status_code == 400
    assert 'aria-describedby="confirmation-erreur"' in mismatch.text
    weak = await browser.post(link, {"password": "court", "confirmation": "court"})
    assert weak.status_code == 400 and "au moins 10 caractères" in text_of(weak)
    assert 'id="password-erreur"' in weak.text and 'aria-invalid="true"' in weak.text
    assert 'href="#password"' in weak.text  # the error summary links to the field

    changed = await browser.post(link, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert changed.status_code == 303
    assert changed.headers["location"] == "/connexion?raison=mot-de-passe"
    assert "connectez-vous avec le nouveau" in text_of(await browser.follow(changed))
    assert (await browser.sign_in(person.email, NEW_PASSWORD)).status_code == 303

    await browser.post("/deconnexion")
    again = await browser.get(link)  # opened again: the page says at once it was used
    assert again.status_code == 410
    assert "Ce lien n'est plus valable" in text_of(again)
    assert 'href="/mot-de-passe-oublie"' in again.text
    assert 'name="password"' not in again.text


async def test_an_expired_reset_link_says_so_and_offers_a_new_one(browser, mailbox):
    person = await young_person()
    await browser.get("/mot-de-passe-oublie")
    await browser.post("/mot-de-passe-oublie", {"email": person.email})
    await jobs_done()
    link = link_path(await mailbox.wait_for(person.email, "Réinitialisation"))
    await browser.get(link)

    with clock.frozen(clock.now() + timedelta(minutes=31)):
        late = await browser.post(link, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})

    assert late.status_code == 410
    assert "Faites une nouvelle demande de mot de passe oublié." in text_of(late)
    assert "Demander un nouveau lien" in text_of(late)


async def test_an_unknown_address_gets_the_same_answer(browser):
    await browser.get("/mot-de-passe-oublie")
    answer = await browser.post("/mot-de-passe-oublie", {"email": f"{unique()}@nulle-part.test"})
    assert answer.status_code == 200 and "Si un compte existe" in text_of(answer)


REGISTER = """mutation($input: RegisterInput!) { register(input: $input) { __typename } }"""


async def test_an_email_address_is_verified_by_the_button_not_by_opening_the_link(
    browser, other_browser, gql: GraphQLClient, mailbox
):
    email = f"{unique('nouveau')}@jeune.test"
    registered = await gql.post(
        REGISTER,
        {
            "input": {
                "email": email,
                "password": PASSWORD,
                "firstName": "Nina",
                "lastName": "Ferri",
                "birthDate": str(date(2008, 2, 3)),
                "postalCode": "13005",
            }
        },
    )
    assert registered["data"]["register"]["__typename"] == "RegisterSuccess"
    await jobs_done()
    link = link_path(await mailbox.wait_for(email, "Confirmez"))
    assert link.startswith("/verifier-email?jeton=")

    page = await browser.get(link)
    assert page.status_code == 200 and "Confirmer mon adresse e-mail" in text_of(page)
    assert (await User.get(email=email)).email_verified_at is None
    await other_browser.get(link)  # the same link open in a second tab, before its use

    done = await browser.post(link)
    assert done.status_code == 200 and "Adresse e-mail confirmée" in text_of(done)
    assert (await User.get(email=email)).email_verified_at is not None

    reopened = await browser.get(link)  # opened again: said at once, no button
    assert reopened.status_code == 410 and "Confirmer" not in text_of(reopened)
    again = await other_browser.post(link)  # the second tab's button
    # The API's words for a used link come under the page's title (they name the link).
    assert again.status_code == 410 and "Ce lien n'est plus valable" in text_of(again)
    assert "lien" in text_of(again).split("Ce lien n'est plus valable", 2)[2]


async def test_a_link_without_its_token_is_explained(browser):
    for path in ("/verifier-email", "/nouveau-mot-de-passe", "/partenaires/invitation"):
        page = await browser.get(path)
        assert page.status_code == 410 and "copié en entier" in text_of(page), path


INVITE = """mutation($input: InviteDelegateInput!) {
  inviteDelegate(input: $input) { __typename ... on UserError { message } }
}"""


async def invitation_link(gql: GraphQLClient, mailbox, team, email: str) -> str:
    principal = await token_for(gql, team.principal)
    invited = await gql.post(
        INVITE,
        {
            "input": {
                "partnerId": str(team.partner.id),
                "email": email,
                "firstName": "Théo",
                "lastName": "Marin",
                "permissions": ["TRANSACTIONS"],
            }
        },
        token=principal,
    )
    assert invited["data"]["inviteDelegate"]["__typename"] == "DelegationSuccess", invited
    await jobs_done()
    message = await mailbox.wait_for(email, "Invitation")
    assert link_token(message)
    return link_path(message)


async def test_an_invited_delegate_chooses_a_password_and_is_signed_in(
    browser, gql: GraphQLClient, mailbox
):
    team = await partner_team()
    email = f"{unique('invite')}@partenaire.test"
    link = await invitation_link(gql, mailbox, team, email)
    assert link.startswith("/partenaires/invitation?jeton=")

    page = await browser.get(link)
    assert page.status_code == 200 and "Accepter l'invitation" in text_of(page)
    assert team.partner.trade_name in text_of(page)  # whom the invitation is from
    assert 'autocomplete="new-password"' in page.text
    user = await User.get(email=email)
    assert (await Delegate.get(user_id=user.id)).status == DelegateStatus.INVITED

    weak = await browser.post(link, {"password": "Theo"})
    assert weak.status_code == 400 and 'id="password-erreur"' in weak.text
    assert team.partner.trade_name in text_of(weak)
    accepted = await browser.post(link, {"password": NEW_PASSWORD})

    assert accepted.status_code == 303 and accepted.headers["location"] == "/partenaires/"
    assert (await Delegate.get(user_id=user.id)).status == DelegateStatus.ACTIVE
    home = await browser.follow(accepted)
    assert home.status_code == 200 and team.partner.trade_name in text_of(home)
    assert "Effectuer une transaction" in text_of(home)

    await browser.post("/deconnexion")
    used = await browser.get(link)
    assert used.status_code == 410 and "Ce lien n'est plus valable" in text_of(used)
    assert "invitation" in text_of(used).lower()  # the API's words for a used invitation
    assert 'href="/connexion"' in used.text


async def test_someone_with_an_account_confirms_an_invitation_with_their_password(
    browser, gql: GraphQLClient, mailbox
):
    """A delegate of another partner is invited: the page asks for the password they have,
    not a new one, and that password accepts the invitation."""
    team, elsewhere = await partner_team(), await partner_team()
    link = await invitation_link(gql, mailbox, team, elsewhere.principal.email)

    page = await browser.get(link)

    assert page.status_code == 200 and "Votre mot de passe actuel" in text_of(page)
    assert 'autocomplete="current-password"' in page.text
    accepted = await browser.post(link, {"password": PASSWORD})
    assert accepted.status_code == 303 and accepted.headers["location"] == "/partenaires/"
