"""Sending through `smtp_url`: STARTTLS with a checked certificate, then login, against a real
aiosmtpd server on localhost; and the addresses Leadline refuses."""

from __future__ import annotations

import smtplib
import ssl
import subprocess
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from common.errors import SettingsError
from dashboard.digests.mailer import Mailer, parse_smtp_url
from tests.mail_helpers import SmtpServer

USER, PASSWORD = "leadline@example.com", "s3cret:/@"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself


def tls_server(certificate: tuple[Path, Path]) -> SmtpServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return SmtpServer(
        tls_context=context, require_starttls=True, authenticator=authenticator, auth_require_tls=True
    )


def message() -> EmailMessage:
    m = EmailMessage()
    m["Subject"], m["From"], m["To"] = "Leadline test", "digests@leadline.test", "principal@lombardi.example"
    m.set_content("hello")
    return m


def starttls_url(server: SmtpServer, password: str = PASSWORD) -> str:
    from urllib.parse import quote

    return f"smtp+starttls://{quote(USER, safe='')}:{quote(password, safe='')}@127.0.0.1:{server.port}"


def test_starttls_then_login_delivers(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADLINE_SMTP_CA_FILE", str(certificate[0]))
    with tls_server(certificate) as server:
        mailer = Mailer(parse_smtp_url(starttls_url(server)))
        mailer.send(message())
        mailer.close()
        assert [r.rcpt_tos for r in server.received] == [["principal@lombardi.example"]]
        assert server.received[0].message["Subject"] == "Leadline test"


def test_a_wrong_password_is_refused(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLINE_SMTP_CA_FILE", str(certificate[0]))
    with tls_server(certificate) as server:
        with pytest.raises(smtplib.SMTPAuthenticationError):
            Mailer(parse_smtp_url(starttls_url(server, "wrong"))).send(message())
        assert server.received == []


def test_a_certificate_nobody_vouches_for_is_refused(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEADLINE_SMTP_CA_FILE", raising=False)
    with tls_server(certificate) as server:
        with pytest.raises(ssl.SSLCertVerificationError):
            Mailer(parse_smtp_url(starttls_url(server))).send(message())
        assert server.received == []


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "smtp_url is empty"),
        ("http://mail.example.com", "not a mail server address"),
        ("smtp://user:pw@mail.example.com", "without encryption"),
        ("smtp+starttls://mail.example.com:port", "not a number"),
    ],
)
def test_unusable_smtp_urls_say_what_to_fix(url: str, fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        parse_smtp_url(url)


def test_a_login_is_decoded_and_never_shown() -> None:
    target = parse_smtp_url("smtps://leadline%40example.com:p%40ss@smtp.example.com")
    assert (target.username, target.password, target.port) == ("leadline@example.com", "p@ss", 465)
    assert "p@ss" not in target.describe()
