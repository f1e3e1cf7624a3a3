"""Email delivery: the outbox folder by default, SMTP (TLS verified, authenticated) in
production; per-message outcomes over one connection; marketing and attachments."""

from __future__ import annotations

import email
from collections.abc import Iterator
from dataclasses import replace
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from push.email import (
    Attachment,
    BulkEmail,
    EmailDeliveryError,
    OutboxSender,
    OutgoingEmail,
    RawEmail,
    SmtpSender,
    deliver_emails,
    email_sender,
    render,
)
from tests.support import Mailbox, free_port
from tests.tls import Certificates, make_certificates

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
UNSUBSCRIBE = "https://cjeune.test/desabonnement?jeton=AbC-123_x"


def bon_plan(to: str, **changes) -> OutgoingEmail:
    base = OutgoingEmail(
        to,
        "notification",
        {
            "title": "Nouveau bon plan au Prado",
            "body": "Le cinéma <Prado> offre 2 € de réduction.\n\nÀ très vite !",
            "url": "https://cjeune.test/bons-plans/42",
        },
    )
    return replace(base, **changes)


def test_messages_are_french_html_and_text_with_escaped_data(settings):
    message = render(INVITATION, settings)
    assert message["Subject"] == "Invitation à gérer l'espace partenaire Cinéma <Le Prado>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Bonjour Karim" in text and "strictement personnels" in text
    assert "Cinéma &lt;Le Prado&gt;" in html and "<Le Prado>" not in html
    assert message["Message-ID"] and message["Date"]
    assert message["List-Unsubscribe"] is None  # not a marketing message


def test_the_generic_notification_has_the_programme_layout_in_both_parts(settings):
    message = render(bon_plan("jade@jeune.test"), settings)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert message["Subject"] == "Nouveau bon plan au Prado"
    assert "CJeune de Provence" in html and "Département des Bouches-du-Rhône" in html
    assert "background:#e30613" in html and "<style" not in html  # inline CSS only
    assert "Le cinéma &lt;Prado&gt; offre 2 €" in html
    assert 'href="https://cjeune.test/bons-plans/42"' in html
    assert "Le cinéma <Prado> offre 2 €" in text and "https://cjeune.test/bons-plans/42" in text
    assert "Département des Bouches-du-Rhône" in text
    greeted = render(
        bon_plan("jade@jeune.test", context={"title": "T", "body": "B", "first_name": "Jade"}),
        settings,
    )
    assert "Bonjour Jade," in greeted.get_body(("plain",)).get_content()
    assert "href" not in greeted.get_body(("html",)).get_content().split("<h1")[1]
    context = {"title": "T", "body": "B", "url": None}
    linkless = render(bon_plan("j@jeune.test", context=context), settings)
    assert "Voir dans l'application" not in linkless.get_body(("plain",)).get_content()


def test_a_marketing_email_carries_one_click_unsubscribe_headers_and_a_visible_link(settings):
    message = render(bon_plan("jade@jeune.test", unsubscribe_url=UNSUBSCRIBE), settings)
    assert message["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"Pour ne plus les recevoir, ouvrez ce lien : {UNSUBSCRIBE}" in text
    assert f'<a href="{UNSUBSCRIBE}"' in html and "Se désabonner" in html


def test_a_retried_notification_keeps_its_message_id(settings):
    first = render(bon_plan("jade@jeune.test", stable_id="notif-1/email"), settings)
    retry = render(bon_plan("jade@jeune.test", stable_id="notif-1/email"), settings)
    other_channel = render(bon_plan("jade@jeune.test", stable_id="notif-1/push"), settings)
    assert first["Message-ID"] == retry["Message-ID"]
    assert first["Message-ID"].endswith("@cjeunedeprovence.fr>")
    assert other_channel["Message-ID"] != first["Message-ID"]
    fresh = [render(bon_plan("jade@jeune.test"), settings)["Message-ID"] for _ in range(2)]
    assert fresh[0] != fresh[1]


def test_extra_headers_are_added_but_cannot_replace_or_inject_headers(settings):
    tagged = render(bon_plan("jade@jeune.test", headers={"X-CJeune-Campagne": "rentree"}), settings)
    assert tagged["X-CJeune-Campagne"] == "rentree"
    with pytest.raises(ValueError, match="set by render"):
        render(bon_plan("jade@jeune.test", headers={"To": "autre@x.test"}), settings)
    with pytest.raises(ValueError):
        render(bon_plan("jade@jeune.test", headers={"X-Note": "a\r\nBcc: x@y.test"}), settings)


def test_the_parent_is_told_who_asks_what_marketing_is_and_that_it_can_be_withdrawn(settings):
    message = render(
        OutgoingEmail(
            "parent@famille.test",
            "parental_consent_request",
            {
                "parent_name": "Nadia Vidal",
                "young_first_name": "Jade",
                "young_last_name": "<Vidal>",
                "young_age": 13,
                "url": "https://cjeune.test/consentement-parental?jeton=xyz",
                "valid_days": 14,
            },
        ),
        settings,
    )
    assert message["Subject"] == "Votre accord pour les bons plans CJeune de Jade"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Bonjour Nadia Vidal" in part and "13 ans" in part
        assert "réductions et offres des partenaires" in part
        assert "retirer votre accord à tout moment" in part
        assert "https://cjeune.test/consentement-parental?jeton=xyz" in part
        assert "14 jours" in part
    assert "&lt;Vidal&gt;" in html and "Jade <Vidal>" in text


async def test_attachments_arrive_intact_with_the_marketing_headers(settings, mailbox):
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    csv = "\ufeffdate;montant\n01/09/2026;10,50\n".encode()
    outgoing = bon_plan(
        "releve@partenaire.test",
        unsubscribe_url=UNSUBSCRIBE,
        attachments=(
            Attachment("relevé-septembre.pdf", pdf, "application/pdf"),
            Attachment("relevé.csv", csv, "text/csv"),
        ),
    )
    [outcome] = await deliver_emails([outgoing], settings)
    assert outcome.ok, outcome.error
    received = await mailbox.wait_for("releve@partenaire.test")
    assert received["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    files = {part.get_filename(): part for part in received.iter_attachments()}
    assert set(files) == {"relevé-septembre.pdf", "relevé.csv"}
    assert files["relevé-septembre.pdf"].get_content_type() == "application/pdf"
    assert files["relevé-septembre.pdf"].get_payload(decode=True) == pdf
    assert files["relevé.csv"].get_payload(decode=True) == csv
    assert "À très vite" in received.get_body(("plain",)).get_content()


async def test_the_embedded_default_writes_eml_files(settings, tmp_path):
    sender = email_sender(replace(settings, email_backend="outbox", data_dir=tmp_path))
    assert isinstance(sender, OutboxSender)
    await sender.send([render(INVITATION, settings)])
    [written] = list((tmp_path / "outbox").glob("*.eml"))
    parsed = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert parsed["To"] == "delegue@cinema.test"
    [outcome] = await sender.deliver([bon_plan("jade@jeune.test")])
    assert outcome.ok and outcome.message["To"] == "jade@jeune.test"
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2


# --- a real SMTP server: connections, refusals, TLS, authentication -------------------------


class Recorder(Mailbox):
    """Counts connections (by client port), refuses some recipients, can drop a connection."""

    def __init__(
        self,
        refuse: tuple[str, ...] = (),
        drop_once: tuple[str, ...] = (),
        *,
        pipelining: bool = True,
    ) -> None:
        super().__init__(pipelining=pipelining)
        self.peers: set[tuple] = set()
        self.encrypted: list[bool] = []
        self.refuse = set(refuse)
        self.drop_once = set(drop_once)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        self.peers.add(session.peer)
        if address in self.refuse:
            return "550 5.1.1 Destinataire inconnu"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.drop_once & set(envelope.rcpt_tos):
            self.drop_once -= set(envelope.rcpt_tos)
            server.transport.close()  # the connection dies before the reply
            return "451 4.3.0 Coupure"
        self.encrypted.append(server.transport.get_extra_info("ssl_object") is not None)
        return await super().handle_DATA(server, session, envelope)


def _authenticator(logins: list[bool]):
    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"secret-smtp"
        logins.append(ok)
        return AuthResult(success=ok, handled=False)

    return check


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp_server() -> Iterator:
    """Start a Controller on a free port with the given options; stopped after the test."""
    started: list[Controller] = []

    def start(handler, **options) -> int:
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
        controller.start()
        started.append(controller)
        return port

    yield start
    for controller in started:
        controller.stop()


def smtp_settings(settings, port: int, **changes):
    values = {
        "email_backend": "smtp",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_tls": "none",
        "smtp_username": "cjeune",
        "smtp_password": "secret-smtp",
    }
    return replace(settings, **{**values, **changes})


async def test_smtp_authenticates_and_sends_a_batch_over_one_connection(settings, smtp_server):
    box, logins = Recorder(), []
    port = smtp_server(box, authenticator=_authenticator(logins), auth_require_tls=False)
    configured = smtp_settings(settings, port)
    sender = email_sender(configured)
    assert isinstance(sender, SmtpSender)
    second = replace(INVITATION, to="autre@cinema.test")
    await sender.send([render(INVITATION, configured), render(second, configured)])
    assert [m["To"] for m in box.messages] == ["delegue@cinema.test", "autre@cinema.test"]
    assert logins == [True] and len(box.peers) == 1  # one connection, one login


async def test_a_refused_recipient_fails_only_its_own_message(settings, smtp_server):
    box = Recorder(refuse=("inconnu@nulle.test",))
    port = smtp_server(box, authenticator=_authenticator([]), auth_require_tls=False)
    configured = smtp_settings(settings, port)
    batch = [
        render(bon_plan(to), configured)
        for to in ("un@jeune.test", "inconnu@nulle.test", "trois@jeune.test")
    ]
    outcomes = await SmtpSender(configured).send_each(batch)
    assert [(o.message["To"], o.ok) for o in outcomes] == [
        ("un@jeune.test", True),
        ("inconnu@nulle.test", False),
        ("trois@jeune.test", True),
    ]
    error = outcomes[1].error
    assert error.permanent and error.code == 550 and "inconnu@nulle.test" in str(error)
    assert [m["To"] for m in box.messages] == ["un@jeune.test", "trois@jeune.test"]
    assert len(box.peers) == 1  # the refusal did not cost a new connection
    with pytest.raises(EmailDeliveryError, match="1 of 3 emails not sent"):
        await SmtpSender(configured).send(batch)


async def test_a_dropped_connection_is_reopened_once_and_the_batch_goes_on(settings, smtp_server):
    box = Recorder(drop_once=("deux@jeune.test",))
    port = smtp_server(box, authenticator=_authenticator([]), auth_require_tls=False)
    configured = smtp_settings(settings, port)
    batch = [
        render(bon_plan(to, stable_id=f"{to}/email"), configured)
        for to in ("un@jeune.test", "deux@jeune.test", "trois@jeune.test")
    ]
    outcomes = await SmtpSender(configured).send_each(batch)
    assert [o.ok for o in outcomes] == [True, True, True]
    assert [o.message for o in outcomes] == batch  # in order
    assert [m["To"] for m in box.messages] == [
        "un@jeune.test",
        "deux@jeune.test",
        "trois@jeune.test",
    ]
    assert len(box.peers) == 2


async def test_starttls_with_a_verified_certificate_then_authentication(
    settings, smtp_server, certificates
):
    box, logins = Recorder(), []
    port = smtp_server(
        box,
        tls_context=certificates.server_context(),
        require_starttls=True,
        authenticator=_authenticator(logins),
        auth_require_tls=True,  # the server offers AUTH only once encrypted
    )
    configured = smtp_settings(settings, port, smtp_tls="starttls")
    sender = SmtpSender(configured, tls_context=certificates.client_context())
    outcomes = await sender.send_each([render(bon_plan("tls@jeune.test"), configured)])
    assert outcomes[0].ok, outcomes[0].error
    assert [m["To"] for m in box.messages] == ["tls@jeune.test"]
    assert box.encrypted == [True] and logins == [True]


async def test_implicit_tls_with_a_verified_certificate_then_authentication(
    settings, smtp_server, certificates
):
    box, logins = Recorder(), []
    port = smtp_server(
        box,
        ssl_context=certificates.server_context(),
        authenticator=_authenticator(logins),
        auth_require_tls=False,  # aiosmtpd only counts STARTTLS as TLS; the socket is TLS
    )
    configured = smtp_settings(settings, port, smtp_tls="implicit")
    sender = SmtpSender(configured, tls_context=certificates.client_context())
    await sender.send([render(bon_plan("implicite@jeune.test"), configured)])
    assert [m["To"] for m in box.messages] == ["implicite@jeune.test"]
    assert box.encrypted == [True] and logins == [True]


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
async def test_a_certificate_the_system_does_not_trust_is_refused(
    settings, smtp_server, certificates, mode
):
    box = Recorder()
    tls = {"starttls": {"tls_context": certificates.server_context()}}.get(
        mode, {"ssl_context": certificates.server_context()}
    )
    port = smtp_server(box, authenticator=_authenticator([]), auth_require_tls=False, **tls)
    configured = smtp_settings(settings, port, smtp_tls=mode)
    outcomes = await SmtpSender(configured).send_each(  # the default: the system's CAs
        [render(bon_plan(to), configured) for to in ("a@jeune.test", "b@jeune.test")]
    )
    assert [o.ok for o in outcomes] == [False, False]
    assert "certificate" in str(outcomes[0].error) and "not trusted" in str(outcomes[0].error)
    assert box.messages == []


async def test_a_wrong_password_is_a_clear_error_and_nothing_is_sent(
    settings, smtp_server, certificates
):
    box, logins = Recorder(), []
    port = smtp_server(
        box, tls_context=certificates.server_context(), authenticator=_authenticator(logins)
    )
    configured = smtp_settings(settings, port, smtp_tls="starttls", smtp_password="faux")
    sender = SmtpSender(configured, tls_context=certificates.client_context())
    batch = [render(bon_plan(to), configured) for to in ("a@jeune.test", "b@jeune.test")]
    outcomes = await sender.send_each(batch)
    assert [o.ok for o in outcomes] == [False, False]
    with pytest.raises(EmailDeliveryError) as raised:
        await sender.send(batch)
    message = str(raised.value.__cause__)
    assert "refused the login of 'cjeune'" in message and "535" in message
    assert "SMTP_PASSWORD" in message
    assert box.messages == [] and logins and not any(logins)


async def test_an_unreachable_server_fails_every_message_with_the_reason(settings):
    configured = smtp_settings(settings, free_port())
    outcomes = await SmtpSender(configured, timeout=5).send_each(
        [render(bon_plan(to), configured) for to in ("a@jeune.test", "b@jeune.test")]
    )
    assert [o.ok for o in outcomes] == [False, False]
    assert f"127.0.0.1:{configured.smtp_port}" in str(outcomes[1].error)
    assert not outcomes[1].error.permanent


def _sent_as(message) -> email.message.EmailMessage:
    """What the SMTP server receives, parsed (aiosmtplib writes an EmailMessage with CRLF)."""
    data = bytes(message) if isinstance(message, RawEmail) else message.as_bytes(policy=policy.SMTP)
    return email.message_from_bytes(data, policy=policy.default)


@pytest.mark.parametrize("first_name", ["Léa", "", "O'<b>Neil</b> & Cie"])
def test_a_bulk_email_is_the_rendered_one_with_each_recipients_values(settings, first_name):
    context = {
        "subject": "Tes bons plans de la rentrée",
        "title": "C'est la rentrée <avec> CJeune & co !",
        "body": "Cinéma, sport : un paragraphe bien plus long que soixante-seize caractères, "
        "pour que le quoted-printable coupe ses lignes.\n\nÀ très vite !",
        "cards": [],
    }
    headers = {"X-CJeune-Campaign": "c-42"}
    bulk = BulkEmail("campaign", context, settings, headers=headers)
    fast = bulk.render_for("lea@jeune.test", first_name, UNSUBSCRIBE, "campaign/1/2/email")
    assert isinstance(fast, RawEmail) and fast.data.isascii()
    assert b"\r\n" in fast.data and b"\n" not in fast.data.replace(b"\r\n", b"")
    slow = render(
        OutgoingEmail(
            "lea@jeune.test",
            "campaign",
            {**context, "first_name": first_name},
            headers=headers,
            unsubscribe_url=UNSUBSCRIBE,
            stable_id="campaign/1/2/email",
        ),
        settings,
    )
    a, b = _sent_as(slow), _sent_as(fast)
    for name in ("From", "To", "Subject", "Message-ID", "X-CJeune-Campaign", "MIME-Version"):
        assert str(b[name]) == str(a[name]), name
    assert b["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert b["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert b.get_content_type() == a.get_content_type() == "multipart/alternative"
    assert [(p.get_content_type(), p.get_content()) for p in b.iter_parts()] == [
        (p.get_content_type(), p.get_content()) for p in a.iter_parts()
    ]
    assert fast.sender == "ne-pas-repondre@cjeunedeprovence.fr"


def test_a_bulk_email_falls_back_to_render_for_what_it_cannot_build(settings):
    bulk = BulkEmail("campaign", {"subject": "S", "title": "T", "body": "B", "cards": []}, settings)
    message = bulk.render_for("léa@jeune.test", "Léa", UNSUBSCRIBE, "campaign/1/3/email")
    assert not isinstance(message, RawEmail)
    assert message["To"] == "léa@jeune.test"


async def test_prebuilt_emails_are_sent_over_smtp(settings, mailbox):
    bulk = BulkEmail("campaign", {"subject": "S", "title": "T", "body": "B", "cards": []}, settings)
    messages = [
        bulk.render_for(f"n{i}@jeune.test", "Léa", UNSUBSCRIBE, f"campaign/1/{i}/email")
        for i in range(3)
    ]
    outcomes = await SmtpSender(settings).send_each(messages)
    assert all(o.ok for o in outcomes)
    received = await mailbox.wait_for("n2@jeune.test")
    assert received["Message-ID"] == messages[2].message_id
    assert "Bonjour Léa," in received.get_body(("plain",)).get_content()


# --- prebuilt emails pipelined (RFC 2920) ----------------------------------------------------


def prebuilt(settings, *addresses: str, body: str = "B") -> list[RawEmail]:
    bulk = BulkEmail(
        "campaign", {"subject": "S", "title": "T", "body": body, "cards": []}, settings
    )
    return [bulk.render_for(a, "Léa", UNSUBSCRIBE, f"campaign/9/{a}/email") for a in addresses]


class Counting(Recorder):
    """Also counts the SMTP commands the server read and the writes it read them in."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.commands: list[str] = []

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        self.commands.append("MAIL")
        envelope.mail_from = address
        return "250 OK"


async def test_prebuilt_emails_go_pipelined_and_a_refusal_fails_only_its_own(settings, smtp_server):
    box = Counting(refuse=("inconnu@nulle.test",))
    port = smtp_server(box, authenticator=_authenticator([]), auth_require_tls=False)
    configured = smtp_settings(settings, port)
    addresses = ["un@jeune.test", "inconnu@nulle.test", "trois@jeune.test", "quatre@jeune.test"]
    batch = prebuilt(configured, *addresses, body=".Un point en tête\n.\nEt un point seul.")

    outcomes = await SmtpSender(configured).send_each(batch)

    assert [(o.message.to, o.ok) for o in outcomes] == [(a, a != addresses[1]) for a in addresses]
    error = outcomes[1].error
    assert error.permanent and error.code == 550 and "inconnu@nulle.test" in str(error)
    assert [m["To"] for m in box.messages] == [addresses[0], *addresses[2:]]
    assert len(box.peers) == 1 and box.commands == ["MAIL"] * 4
    # Dot-stuffing undone by the server: the lines starting with "." arrive as written.
    text = box.messages[0].get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert ".Un point en tête\n.\nEt un point seul." in text
    assert [m["Message-ID"] for m in box.messages] == [
        batch[0].message_id, batch[2].message_id, batch[3].message_id
    ]  # fmt: skip


async def test_a_pipelined_batch_whose_connection_drops_goes_on_once_on_a_new_one(
    settings, smtp_server
):
    box = Recorder(drop_once=("deux@jeune.test",))
    port = smtp_server(box, authenticator=_authenticator([]), auth_require_tls=False)
    configured = smtp_settings(settings, port)
    addresses = ["un@jeune.test", "deux@jeune.test", "trois@jeune.test"]
    outcomes = await SmtpSender(configured).send_each(prebuilt(configured, *addresses))
    assert [o.ok for o in outcomes] == [True, True, True]
    assert [o.message.to for o in outcomes] == addresses  # in order
    assert [m["To"] for m in box.messages] == addresses
    assert len(box.peers) == 2


async def test_a_pipelined_email_dropped_twice_fails_with_the_rest_for_a_later_retry(
    settings, smtp_server
):
    class DropsAlways(Recorder):
        async def handle_DATA(self, server, session, envelope) -> str:
            if "deux@jeune.test" in envelope.rcpt_tos:
                server.transport.close()
                return "451 4.3.0 Coupure"
            return await super().handle_DATA(server, session, envelope)

    box = DropsAlways()
    port = smtp_server(box, authenticator=_authenticator([]), auth_require_tls=False)
    configured = smtp_settings(settings, port)
    addresses = ["un@jeune.test", "deux@jeune.test", "trois@jeune.test"]
    outcomes = await SmtpSender(configured).send_each(prebuilt(configured, *addresses))
    assert [o.ok for o in outcomes] == [True, False, False]
    assert "lost twice" in str(outcomes[1].error) and not outcomes[2].error.permanent
    assert [m["To"] for m in box.messages] == ["un@jeune.test"]


async def test_a_server_without_pipelining_gets_one_command_at_a_time(settings, smtp_server):
    box = Recorder(refuse=("inconnu@nulle.test",), pipelining=False)
    port = smtp_server(box, authenticator=_authenticator([]), auth_require_tls=False)
    configured = smtp_settings(settings, port)
    addresses = ["un@jeune.test", "inconnu@nulle.test", "trois@jeune.test"]
    outcomes = await SmtpSender(configured).send_each(prebuilt(configured, *addresses))
    assert [o.ok for o in outcomes] == [True, False, True]
    assert [m["To"] for m in box.messages] == ["un@jeune.test", "trois@jeune.test"]


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
async def test_pipelined_emails_go_encrypted(settings, smtp_server, certificates, mode):
    box, logins = Recorder(), []
    tls = (
        {"tls_context": certificates.server_context(), "require_starttls": True}
        if mode == "starttls"
        else {"ssl_context": certificates.server_context(), "auth_require_tls": False}
    )
    port = smtp_server(box, authenticator=_authenticator(logins), **tls)
    configured = smtp_settings(settings, port, smtp_tls=mode)
    sender = SmtpSender(configured, tls_context=certificates.client_context())
    outcomes = await sender.send_each(prebuilt(configured, "un@jeune.test", "deux@jeune.test"))
    assert all(o.ok for o in outcomes)
    assert [m["To"] for m in box.messages] == ["un@jeune.test", "deux@jeune.test"]
    assert logins == [True] and len(box.peers) == 1 and box.encrypted == [True, True]
