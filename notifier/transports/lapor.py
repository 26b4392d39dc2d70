"""SP4N-LAPOR!'s integration API: a handover creates a report, a status change posts a follow-up.

`send()` returns a SendResult or raises TransportError. The endpoint, the sign-in header and every
field name are configuration (`lapor.api`, docs/LAPOR.md), because LAPOR! documents its contract to each
region's developer account. Every request carries the outbox row's unguessable token as an idempotency
key, so the one re-send a crash can cause (notifier/dispatcher.py) is recognised as the same request.
The tracking id LAPOR! answers a create with is returned as the provider message id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from models.config import LaporApiConfig, Settings
from models.environment import Environment, secret
from notifier.transports.base import CheckResult, OutgoingMessage, SendResult, TransportError

CREATE = "lapor_create"
STATUS = "lapor_status"


class LaporTransport:
    name = "lapor"

    def __init__(self, config: LaporApiConfig, token: str, client: httpx.Client | None = None) -> None:
        if not config.base_url:
            raise ValueError("lapor.api.base_url is required for the LAPOR! API connector")
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        self.token = token
        self.client = client or httpx.Client(timeout=config.timeout_seconds)

    def send(self, message: OutgoingMessage) -> SendResult:
        variables: dict[str, Any] = dict(message.payload.get("variables") or {})
        if message.purpose == CREATE:
            url, body = self.base_url + self.config.create_path, self._create_body(variables)
        elif message.purpose == STATUS:
            url, body = self._status_request(variables)
        else:
            raise TransportError(f"LAPOR! API: nothing to send for purpose {message.purpose!r}", permanent=True)
        headers = {self.config.idempotency_header: message.callback_token or f"aduan-{message.notification_id}"}
        if self.token:
            headers[self.config.auth_header] = f"{self.config.auth_scheme} {self.token}".strip()
        try:
            response = self.client.post(url, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise TransportError(f"LAPOR! unreachable: {type(error).__name__}") from None
        return self._result(response, message.purpose)

    def check(self) -> CheckResult:
        """Can we reach LAPOR! at all (any HTTP answer counts; sign-in is proven by the first send)."""
        try:
            response = self.client.get(self.base_url)
        except httpx.HTTPError as error:
            return CheckResult(self.name, False, f"unreachable: {type(error).__name__}")
        return CheckResult(self.name, True, f"{self.base_url} HTTP {response.status_code}")

    def _create_body(self, variables: dict[str, Any]) -> dict[str, Any]:
        return {key: variables.get(name) for name, key in self.config.fields.items()}

    def _status_request(self, variables: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        tracking_id = variables.get("tracking_id")
        if not tracking_id:
            raise TransportError("LAPOR! status push without a tracking id", permanent=True)
        status = str(variables.get("status") or "")
        values = {**variables, "status": self.config.status_values.get(status, status)}
        body = {key: values.get(name) for name, key in self.config.status_fields.items()}
        path = self.config.status_path.format(tracking_id=quote(str(tracking_id), safe=""))
        return self.base_url + path, body

    def _result(self, response: httpx.Response, purpose: str) -> SendResult:
        code = response.status_code
        if code == 429:
            raise TransportError("LAPOR! rate limit", retry_after=_seconds(response.headers.get("Retry-After")))
        if code in (401, 403):
            # Our token, not the report: retry later, and the self-check tells the operators.
            raise TransportError(f"LAPOR! refused our sign-in: HTTP {code}")
        if code in (400, 404, 422):
            raise TransportError(f"LAPOR! refused the request: HTTP {code} {response.text[:300]}", permanent=True)
        if code >= 300:
            raise TransportError(f"LAPOR! HTTP {code}")
        if purpose != CREATE:
            return SendResult(provider_message_id=None)
        tracking_id = _dotted(_json(response), self.config.tracking_id_field)
        if not tracking_id:
            raise TransportError(f"LAPOR! answer has no {self.config.tracking_id_field}")
        return SendResult(provider_message_id=str(tracking_id))


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise TransportError(f"LAPOR! HTTP {response.status_code}: not JSON") from None


def _dotted(value: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _seconds(header: str | None) -> float:
    try:
        return max(1.0, float(header or 30))
    except ValueError:
        return 30.0


def from_environment(settings: Settings, environment: Environment) -> LaporTransport | None:
    """The API connector when `lapor.connector` is api; its token must be in LAPOR_API_TOKEN."""
    if settings.lapor.connector != "api":
        return None
    token = secret(environment.lapor_api_token)
    if not token:
        raise ValueError("lapor.connector is 'api' but LAPOR_API_TOKEN is not set")
    return LaporTransport(settings.lapor.api, token)
