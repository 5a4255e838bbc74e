"""Email over TLS, for real: a throwaway certificate authority, a mail server that
signs in one user only over TLS (``smtps://`` from the first byte, or ``smtp://``
with ``?starttls=yes``), and the worker sending through it.

What must hold: with the authority trusted the standard way (``SSL_CERT_FILE``),
the message arrives, encrypted and signed in; a server whose certificate nobody
vouches for gets nothing, the outbox says why in a line and tries again later;
a wrong password fails the same way without the password showing anywhere.
"""

from __future__ import annotations

import base64
import logging
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from grabpack.extensions import db
from grabpack.models.base import utcnow
from grabpack.notify import MAX_REASON
from grabpack.services import notifications
from grabpack.services.notify_worker import WorkResult
from tests.test_notify_worker import (
    INBOX,
    PUBLIC_URL,
    Mailbox,
    free_port,
    outbox,
    pass_at,
    report_missing,
)

USER = "mispers-relay"
PASSWORD = "p@ss:w/rd for the relay"  # characters a URL must escape
WRONG_PASSWORD = "not the relay's p@ssword"
SUBJECT = "grabpack: AWOL reported missing from Ward A, Site One (CAD 4321/02DEC26)"


# --- a throwaway certificate authority ---------------------------------------------------------


@dataclass(frozen=True)
class Certificates:
    authority: Path  # what a client trusts
    chain: Path  # what the server presents
    key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_pem(path: Path, *certificates: x509.Certificate) -> Path:
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates))
    return path


@pytest.fixture
def certificates(tmp_path) -> Certificates:
    """A CA made for this test and a server certificate it signed for 127.0.0.1 and
    localhost, with the extensions a strict verifier asks for."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("grabpack test authority")
    authority = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(IPv4Address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = tmp_path / "server.key"
    key.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Certificates(
        authority=_write_pem(tmp_path / "authority.pem", authority),
        chain=_write_pem(tmp_path / "server.pem", server),
        key=key,
    )


@pytest.fixture(autouse=True)
def system_trust_only(monkeypatch):
    """Start from the machine's own trust store, whatever the shell running the tests set."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


@pytest.fixture
def trust_test_authority(monkeypatch, certificates):
    """Trust the test CA the way an operator would trust a private one."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.authority))


# --- a mail server that signs in one user, over TLS only --------------------------------------


@dataclass
class SignIn:
    login: str
    accepted: bool
    encrypted: bool


class RelayMailbox(Mailbox):
    """Takes a message only from a signed-in session; keeps it with its envelope
    recipients and how it came in."""

    def __init__(self):
        super().__init__()
        self.recipients: list[list[str]] = []
        self.tls_versions: list[str] = []
        self.senders: list[str] = []  # the login of the session that sent it

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        self.recipients.append(list(envelope.rcpt_tos))
        self.tls_versions.append(_tls_version(server))
        self.senders.append(session.auth_data)  # the login ``authenticate`` accepted
        return await super().handle_DATA(server, session, envelope)


def _tls_version(server) -> str:
    tls = server.transport.get_extra_info("ssl_object") if server.transport else None
    return tls.version() if tls is not None else ""


@dataclass
class TlsMailServer:
    """aiosmtpd on 127.0.0.1 with the test certificate, in ``mode`` ``smtps`` (TLS from
    the first byte) or ``starttls`` (plain until STARTTLS, which it insists on)."""

    mode: str
    certificates: Certificates
    port: int = field(default_factory=free_port)
    mailbox: RelayMailbox = field(default_factory=RelayMailbox)
    sign_ins: list[SignIn] = field(default_factory=list)
    controller: Controller | None = None

    def url(self, password: str) -> str:
        scheme, query = ("smtps", "") if self.mode == "smtps" else ("smtp", "?starttls=yes")
        secret = quote(password, safe="")
        return f"{scheme}://{USER}:{secret}@127.0.0.1:{self.port}{query}"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        """One user, one password, and only over an encrypted connection."""
        assert isinstance(auth_data, LoginPassword)
        login = auth_data.login.decode()
        encrypted = bool(_tls_version(server))
        accepted = encrypted and login == USER and auth_data.password == PASSWORD.encode()
        self.sign_ins.append(SignIn(login, accepted, encrypted))
        return AuthResult(success=accepted, handled=False, auth_data=login if accepted else None)

    def start(self) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificates.chain, self.certificates.key)
        tls = {"ssl_context": context} if self.mode == "smtps" else {"tls_context": context}
        self.controller = Controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self.authenticate,
            # aiosmtpd counts only STARTTLS as TLS for AUTH (and warns if AUTH is required
            # without it); on smtps the whole connection is TLS. ``authenticate`` refuses
            # any sign-in that is not encrypted and the mailbox any sender not signed in.
            auth_require_tls=self.mode == "starttls",
            require_starttls=self.mode == "starttls",
            **tls,
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(params=["smtps", "starttls"])
def mail_server(request, certificates):
    server = TlsMailServer(request.param, certificates)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_password() -> str:
    """The password in ``GRABPACK_SMTP_URL``; a test parametrizes it to be wrong."""
    return PASSWORD


@pytest.fixture
def app_config(mail_server, smtp_password) -> dict:
    return {"SMTP_URL": mail_server.url(smtp_password), "PUBLIC_URL": PUBLIC_URL}


@pytest.fixture
def area_a_emailed(app, world):
    with app.app_context():
        notifications.add_email(world.area_a, INBOX)
        db.session.commit()


# --- the tests --------------------------------------------------------------------------------


def test_with_the_authority_trusted_the_email_arrives_encrypted_and_signed_in(
    app, world, area_a_emailed, mail_server, trust_test_authority
):
    episode_id, _ = report_missing(app, world)

    assert pass_at(app) == WorkResult(sent=1)

    [sent] = outbox(app)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, "")
    mailbox = mail_server.mailbox
    [mail] = mailbox.messages
    assert mail["Subject"].strip() == SUBJECT  # the parser keeps a folded header's space
    assert mail["To"] == INBOX and mailbox.recipients == [[INBOX]]
    text = mail.get_body(("plain",)).get_content()
    assert f"{PUBLIC_URL}/police/episodes/{episode_id}" in text
    assert mailbox.tls_versions[0].startswith("TLSv1.")
    assert mailbox.senders == [USER]
    assert mail_server.sign_ins == [SignIn(USER, accepted=True, encrypted=True)]


def test_a_certificate_nobody_vouches_for_sends_nothing_and_is_tried_again(
    app, world, area_a_emailed, mail_server, monkeypatch
):
    report_missing(app, world)
    start = utcnow()

    assert pass_at(app, start) == WorkResult(failed=1)

    [waiting] = outbox(app)
    assert waiting.status == "pending" and waiting.attempts == 1
    assert waiting.next_attempt_at == start + timedelta(seconds=30)
    assert waiting.last_error.startswith("SMTP 127.0.0.1:")
    assert "certificate verify failed" in waiting.last_error
    assert "\n" not in waiting.last_error and len(waiting.last_error) <= MAX_REASON
    assert mail_server.mailbox.messages == [] and mail_server.sign_ins == []

    # The operator installs the authority: the next try goes through.
    monkeypatch.setenv("SSL_CERT_FILE", str(mail_server.certificates.authority))
    assert pass_at(app, start + timedelta(seconds=31)) == WorkResult(sent=1)
    assert [m.status for m in outbox(app)] == ["sent"]
    assert len(mail_server.mailbox.messages) == 1


@pytest.mark.parametrize("smtp_password", [WRONG_PASSWORD], ids=["wrong password"])
def test_a_wrong_password_is_refused_without_showing_it(
    app, world, area_a_emailed, mail_server, trust_test_authority, smtp_password, caplog
):
    report_missing(app, world)

    with caplog.at_level(logging.DEBUG):
        assert pass_at(app) == WorkResult(failed=1)

    [waiting] = outbox(app)
    assert waiting.status == "pending"
    assert waiting.last_error == "SMTP sign-in refused (535)"
    # smtplib tries each mechanism the server offers (PLAIN, then LOGIN): all refused
    assert mail_server.sign_ins
    assert all(s == SignIn(USER, accepted=False, encrypted=True) for s in mail_server.sign_ins)
    assert mail_server.mailbox.messages == []
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("grabpack"))
    assert "sign-in refused" in ours  # the failure is logged ...
    plain = base64.b64encode(f"\0{USER}\0{WRONG_PASSWORD}".encode()).decode()
    login = base64.b64encode(WRONG_PASSWORD.encode()).decode()
    for secret in (WRONG_PASSWORD, quote(WRONG_PASSWORD, safe=""), plain, login):
        assert secret not in ours and secret not in waiting.last_error  # ... the password not
