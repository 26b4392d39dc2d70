"""WhatsApp (and SMS) through Twilio's REST API.

Free text only inside the 24-hour window after the recipient's last message (minus a margin,
so a message queued at 23:59 does not land at 24:01); otherwise the approved template for the
notification's purpose, by ContentSid with ContentVariables. Twilio's error codes decide
whether retrying can help. What those codes mean, the window, the message pieces and the template
config come from the WhatsApp wing (bot/whatsapp/), shared with its webhook.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.whatsapp.config import TemplateConfig, WhatsAppConfig, whatsapp_config
from bot.whatsapp.errors import (
    DEFAULT_RETRY_AFTER_SECONDS,
    MESSAGES_PER_SECOND,
    OUTSIDE_WINDOW,
    PERMANENT_CODES,
    TOO_MANY_REQUESTS,
    WINDOW,
)
from bot.whatsapp.segments import whatsapp_bodies
from models.clock import system_clock
from models.config import ConfigError, Settings
from models.environment import Environment, secret
from models.notification import Channel
from notifier.lanes import MAX_IN_FLIGHT
from notifier.ratelimit import Limits
from notifier.transports.base import OutgoingMessage, SendResult, TransportError

log = logging.getLogger("aduan.notifier.whatsapp")

HTTP_TIMEOUT_SECONDS = 15.0
# The dispatcher's bucket for this channel unless `notifier.rate_limits.whatsapp` says otherwise.
LIMITS = Limits(MESSAGES_PER_SECOND)


class RoutedHttpClient(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no type hints
    """Twilio's client with a mandatory timeout, an optional other host (the tests' fake Twilio),
    and the last Retry-After header, which TwilioRestException does not carry.

    The dispatcher's lanes send from several threads at once: one keep-alive pool as wide as the
    widest lane serves them all, and each thread sees the Retry-After of its own last answer."""

    def __init__(self, base_url: str | None = None, timeout: float = HTTP_TIMEOUT_SECONDS) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/") if base_url else None
        self._answers = threading.local()
        for scheme in ("https://", "http://"):
            self.session.mount(scheme, HTTPAdapter(pool_connections=2, pool_maxsize=MAX_IN_FLIGHT))

    @property
    def retry_after(self) -> float | None:
        value: float | None = getattr(self._answers, "retry_after", None)
        return value

    @retry_after.setter
    def retry_after(self, value: float | None) -> None:
        self._answers.retry_after = value

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if self.base_url:
            base, target = urlsplit(self.base_url), urlsplit(url)
            url = urlunsplit((base.scheme, base.netloc, base.path + target.path, target.query, ""))
        response = super().request(method, url, *args, **kwargs)
        self.retry_after = _seconds(response.headers.get("Retry-After") if response.headers else None)
        return response


class WhatsAppTransport:
    name = "whatsapp"

    def __init__(self, client: Client, config: WhatsAppConfig, sender: str, public_base_url: str | None,
                 sms_sender: str | None = None, clock: Callable[[], datetime] = system_clock) -> None:
        self.client = client
        self.config = config
        self.sender = sender.removeprefix("whatsapp:")
        self.sms_sender = sms_sender or self.sender
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.clock = clock

    def send(self, message: OutgoingMessage) -> SendResult:
        if message.channel == Channel.SMS:
            body = str(message.payload.get("short") or message.text)
            return SendResult(self._create(message, to=message.address, from_=self.sms_sender, body=body))
        if self.in_window(message) and not message.payload.get("force_template"):
            return self._free_text(message)
        return self._template(message)

    def check(self) -> str:
        """Self-test for the notifier's health report: the account answers and is active."""
        try:
            account = self.client.api.v2010.accounts(self.client.account_sid).fetch()
        except (TwilioException, requests.RequestException) as error:
            raise TransportError(f"twilio account check failed: {error}") from None
        if account.status != "active":
            raise TransportError(f"twilio account is {account.status}", permanent=True)
        return f"account {account.sid} active, sender {self.sender}"

    def in_window(self, message: OutgoingMessage) -> bool:
        last = message.recipient_last_inbound_at
        margin = timedelta(minutes=self.config.window_margin_minutes)
        return last is not None and self.clock() - last < WINDOW - margin

    def _free_text(self, message: OutgoingMessage) -> SendResult:
        sids = []
        try:
            for body in whatsapp_bodies(message.text) or ["-"]:
                sids.append(self._create(message, to=f"whatsapp:{message.address}",
                                         from_=f"whatsapp:{self.sender}", body=body))
        except TransportError as error:
            # Twilio can refuse free text synchronously too; the template is the way through.
            if not sids and str(error).startswith(OUTSIDE_WINDOW):
                return self._template(message)
            raise
        return SendResult(sids[0])

    def _template(self, message: OutgoingMessage) -> SendResult:
        template = self.config.templates.get(message.purpose) or self.config.templates.get("default")
        if template is None:
            raise TransportError(f"no approved WhatsApp template for purpose {message.purpose!r} "
                                 "and the recipient is outside the 24-hour window", permanent=False)
        sid = self._create(message, to=f"whatsapp:{message.address}", from_=f"whatsapp:{self.sender}",
                           content_sid=template.content_sid,
                           content_variables=template_variables(template, message.payload))
        return SendResult(sid)

    def _create(self, message: OutgoingMessage, **fields: str) -> str:
        if self.public_base_url and message.callback_token:
            fields["status_callback"] = f"{self.public_base_url}/webhooks/twilio/status/{message.callback_token}"
        try:
            created = self.client.messages.create(**fields)
        except TwilioRestException as error:
            raise self._error(error) from None
        except (TwilioException, requests.RequestException) as error:
            raise TransportError(f"twilio unreachable: {error}") from None
        return str(created.sid)

    def _error(self, error: TwilioRestException) -> TransportError:
        code = str(error.code)
        text = f"{code}: {error.msg}"[:500]
        if error.status == TOO_MANY_REQUESTS:
            http = self.client.http_client
            retry_after = http.retry_after if isinstance(http, RoutedHttpClient) else None
            return TransportError(text, retry_after=retry_after or DEFAULT_RETRY_AFTER_SECONDS)
        # Only a fault of the recipient's number is permanent: the dispatcher then marks the
        # contact unreachable. Our own mistakes (auth, config) are retried after the fix.
        return TransportError(text, permanent=code in PERMANENT_CODES)


def template_variables(template: TemplateConfig, payload: Mapping[str, Any]) -> str:
    """{"1": ..., "2": ...} in the template's declared order, from the payload's `variables`."""
    variables = payload.get("variables") or {}
    values = {str(n): str(variables.get(name, "-"))[:1000] or "-" for n, name in enumerate(template.variables, 1)}
    return json.dumps(values, ensure_ascii=False)


def from_environment(settings: Settings, environment: Environment,
                     clock: Callable[[], datetime] = system_clock) -> WhatsAppTransport | None:
    """The transport when TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are set; None otherwise.
    Raises ConfigError when the sender or a needed template is missing."""
    sid, token = environment.twilio_account_sid, secret(environment.twilio_auth_token)
    if not sid or not token:
        return None
    config = whatsapp_config(settings, require_templates=True)
    sender = environment.twilio_whatsapp_from or config.sender
    if not sender:
        raise ConfigError("config: channels.whatsapp.sender: required when TWILIO_ACCOUNT_SID is set "
                          "(or set TWILIO_WHATSAPP_FROM)")
    public = environment.public_base_url
    if not public:
        log.warning("whatsapp: PUBLIC_BASE_URL not set, no delivery status callbacks")
    http = RoutedHttpClient(environment.twilio_api_base_url)
    client = Client(sid, token, http_client=http)
    sms_sender = environment.twilio_sms_from or config.sms_sender
    return WhatsAppTransport(client, config, sender, public, sms_sender=sms_sender, clock=clock)


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
