"""E-mail over SMTP: STARTTLS and login, credentials from SMTP_USER / SMTP_PASSWORD.

Config (`channels.email`): host, port, sender, starttls, timeout_seconds, ca_file. Without a host
the transport is not configured and e-mail falls back to the log transport.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from pydantic import BaseModel, ConfigDict, Field

from models.config import Settings, parse_section
from models.environment import Environment, secret
from notifier.transports.base import CheckResult, OutgoingMessage, SendResult, TransportError

SUBJECT_CHARS = 120


class EmailConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    sender: str = "aduan@localhost"
    starttls: bool = True
    timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    # A private CA (or the test server's self-signed certificate); default: the system store.
    ca_file: str | None = None


class EmailTransport:
    name = "email"

    def __init__(self, config: EmailConfig, user: str | None = None, password: str | None = None,
                 tls_context: ssl.SSLContext | None = None) -> None:
        if not config.host:
            raise ValueError("channels.email.host is required for the e-mail transport")
        self.config = config
        self.host: str = config.host
        self.user = user
        self.password = password
        self.tls_context = tls_context or ssl.create_default_context(cafile=config.ca_file)

    def send(self, message: OutgoingMessage) -> SendResult:
        mail = self._compose(message)
        try:
            with self._connect() as smtp:
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            raise TransportError(f"recipient refused: {error.recipients}", permanent=True) from None
        except smtplib.SMTPAuthenticationError as error:
            # Our credentials, not the recipient: retry later, never mark the official unreachable.
            raise TransportError(f"SMTP login failed: {error.smtp_code}") from None
        except smtplib.SMTPResponseException as error:
            raise TransportError(f"SMTP {error.smtp_code}: {error.smtp_error!r}",
                                 permanent=500 <= error.smtp_code < 600) from None
        except (smtplib.SMTPException, OSError) as error:
            raise TransportError(f"SMTP unavailable: {error!r}") from None
        return SendResult(provider_message_id=str(mail["Message-ID"]))

    def check(self) -> CheckResult:
        """Connect, STARTTLS and log in: proves host, certificate and credentials."""
        try:
            with self._connect() as smtp:
                code, _ = smtp.noop()
        except (smtplib.SMTPException, OSError) as error:
            return CheckResult(self.name, False, f"{type(error).__name__}: {error}")
        return CheckResult(self.name, code == 250, f"{self.host}:{self.config.port} NOOP {code}")

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.host, self.config.port, timeout=self.config.timeout_seconds)
        try:
            smtp.ehlo()
            if self.config.starttls:
                smtp.starttls(context=self.tls_context)
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _compose(self, message: OutgoingMessage) -> EmailMessage:
        body = str(message.payload.get("email_text") or message.text)
        lines = body.splitlines() or [message.purpose]
        mail = EmailMessage()
        mail["From"] = self.config.sender
        mail["To"] = message.address
        mail["Subject"] = lines[0][:SUBJECT_CHARS]
        mail["Message-ID"] = make_msgid(idstring=f"n{message.notification_id}")
        # The notification id lets a receiving system spot the rare re-send after a crash.
        mail["X-Aduan-Notification"] = str(message.notification_id)
        mail.set_content(body or message.purpose)
        return mail


def from_environment(settings: Settings, environment: Environment) -> EmailTransport | None:
    config = parse_section(settings, "email", EmailConfig)
    if not config.host:
        return None
    return EmailTransport(config, environment.smtp_user, secret(environment.smtp_password))
