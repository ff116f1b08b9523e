"""`approval send --via smtp` against a real aiosmtpd server on 127.0.0.1 (plain and STARTTLS + AUTH)."""
from __future__ import annotations

import datetime
import email
import email.policy
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from pipeline.approval.smtp import PASSWORD_ENV, USER_ENV
from pipeline.cli import main


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every envelope it accepts."""

    envelopes: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def plain_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Inbox, int, list[tuple[str, str]]]]:
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[str, str]] = []

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            logins.append((auth_data.login.decode(), auth_data.password.decode()))
            ok = auth_data.password == b"s3cret-from-env"
            return AuthResult(success=ok, handled=ok)  # handled=False: the server answers 535 itself
        return AuthResult(success=False, handled=False)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), tls_context=context, require_starttls=True,
                            authenticator=authenticate, auth_require_tls=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client verifies the server against this CA, as it would in production
    controller.start()
    try:
        yield inbox, controller.port, logins
    finally:
        controller.stop()


def _send(summary: Path, port: int, *extra: str) -> int:
    return main(["approval", "send", "--via", "smtp", "--summary", str(summary), "--smtp-host", "127.0.0.1",
                 "--smtp-port", str(port), "--from", "secpipe <pipeline@example.com>",
                 "--to", "security@example.com", "--to", "Release Manager <release@example.com>", *extra])


def test_multipart_alternative_with_text_and_html(plain_server, summary_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv(USER_ENV, raising=False)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    inbox, port = plain_server
    assert _send(summary_path, port) == 0
    assert "sent to security@example.com, Release Manager <release@example.com>" in capsys.readouterr().out
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "pipeline@example.com"
    assert envelope.rcpt_tos == ["security@example.com", "release@example.com"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["Subject"] == "[secpipe] FAILED: demo-repo@main abc123de (2 critical, 1 high)"
    assert message["From"] == "secpipe <pipeline@example.com>"
    assert message["To"] == "security@example.com, Release Manager <release@example.com>"
    assert message["Message-ID"].endswith("@example.com>") and message["Date"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
    assert list(parts) == ["text/plain", "text/html"]
    assert parts["text/plain"].startswith("secpipe security scan: FAILED")
    assert "Open findings: Critical 2, High 1, Medium 1, Low 1, Informational 0" in parts["text/plain"]
    assert "GATE FAILED" in parts["text/html"] and "&lt;script&gt;" in parts["text/html"]
    assert "<script>" not in parts["text/html"]


def test_starttls_and_login_with_credentials_from_the_environment(tls_server, summary_path: Path, monkeypatch) -> None:
    inbox, port, logins = tls_server
    monkeypatch.setenv(USER_ENV, "pipeline")
    monkeypatch.setenv(PASSWORD_ENV, "s3cret-from-env")
    assert _send(summary_path, port, "--starttls") == 0
    assert logins == [("pipeline", "s3cret-from-env")]
    assert len(inbox.envelopes) == 1


def test_server_that_requires_starttls_refuses_a_plain_send(tls_server, summary_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv(USER_ENV, raising=False)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    inbox, port, _ = tls_server
    assert _send(summary_path, port) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"secpipe: error: SMTP delivery via 127.0.0.1:{port} failed:") and err.count("\n") == 1
    assert inbox.envelopes == []


def test_wrong_password_is_a_delivery_error(tls_server, summary_path: Path, monkeypatch, capsys) -> None:
    _, port, _ = tls_server
    monkeypatch.setenv(USER_ENV, "pipeline")
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    assert _send(summary_path, port, "--starttls") == 2
    err = capsys.readouterr().err
    assert "failed" in err and "wrong" not in err  # the password never reaches the log


def test_credentials_are_never_sent_in_clear(summary_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv(USER_ENV, "pipeline")
    monkeypatch.setenv(PASSWORD_ENV, "s3cret-from-env")
    assert _send(summary_path, 25) == 2
    assert "refusing to send SMTP credentials without --starttls" in capsys.readouterr().err


def test_unreachable_server_is_one_line(summary_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv(USER_ENV, raising=False)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    assert _send(summary_path, _free_port()) == 2
    assert "Connection refused" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--smtp-host", "127.0.0.1", "--from", "a@example.com"], "needs --from and at least one --to"),
    (["--smtp-host", "127.0.0.1", "--from", "nobody", "--to", "b@example.com"], "--from is not an email address"),
    (["--from", "a@example.com", "--to", "b@example.com"], "--via smtp needs --smtp-host"),
])
def test_bad_options_exit_2(summary_path: Path, capsys, argv: list[str], message: str) -> None:
    assert main(["approval", "send", "--via", "smtp", "--summary", str(summary_path), *argv]) == 2
    assert message in capsys.readouterr().err
