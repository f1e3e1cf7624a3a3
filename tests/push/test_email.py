"""Email delivery: the outbox folder by default, SMTP (with authentication) in production."""

from __future__ import annotations

import email
from dataclasses import replace
from email import policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from push.email import OutboxSender, OutgoingEmail, SmtpSender, email_sender, render
from tests.support import Mailbox, free_port

INVITATION = OutgoingEmail(
    "delegue@cinema.test",
    "delegate_invitation",
    {
        "first_name": "Karim",
        "partner_name": "Cinéma <Le Prado>",
        "inviter_name": "Hélène Castellan",
        "role_label": "délégué",
        "url": "https://cjeune.test/partenaires/invitation?jeton=abc",
        "valid_days": 7,
    },
)


def test_messages_are_french_html_and_text_with_escaped_data(settings):
    message = render(INVITATION, settings)
    assert message["Subject"] == "Invitation à gérer l'espace partenaire Cinéma <Le Prado>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Bonjour Karim" in text and "strictement personnels" in text
    assert "Cinéma &lt;Le Prado&gt;" in html and "<Le Prado>" not in html
    assert message["Message-ID"] and message["Date"]


async def test_the_embedded_default_writes_eml_files(settings, tmp_path):
    sender = email_sender(replace(settings, email_backend="outbox", data_dir=tmp_path))
    assert isinstance(sender, OutboxSender)
    await sender.send([render(INVITATION, settings)])
    [written] = list((tmp_path / "outbox").glob("*.eml"))
    parsed = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert parsed["To"] == "delegue@cinema.test"


async def test_smtp_authenticates_and_sends_a_batch_over_one_connection(settings):
    box, logins = Mailbox(), []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"secret-smtp"
        logins.append(ok)
        return AuthResult(success=ok, handled=False)

    port = free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_require_tls=False
    )
    controller.start()
    try:
        configured = replace(
            settings,
            email_backend="smtp",
            smtp_port=port,
            smtp_username="cjeune",
            smtp_password="secret-smtp",
        )
        sender = email_sender(configured)
        assert isinstance(sender, SmtpSender)
        second = replace(INVITATION, to="autre@cinema.test")
        await sender.send([render(INVITATION, configured), render(second, configured)])
        await box.wait_for("autre@cinema.test")
        assert [m["To"] for m in box.messages] == ["delegue@cinema.test", "autre@cinema.test"]
        assert logins == [True]  # one connection, one login, for the batch
    finally:
        controller.stop()
