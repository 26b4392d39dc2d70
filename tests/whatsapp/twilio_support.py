"""Names the WhatsApp tests share (kept out of conftest.py: another test directory has one too,
and a bare `from conftest import` would pick whichever was imported last)."""

from __future__ import annotations

from dataclasses import dataclass

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC = "https://lapor.baritokuala.example.go.id"
CITIZEN = "+6281255550001"


def sign(url: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, form))


@dataclass
class Twilio:
    """Posts to the app the way Twilio does: a signed form at the public URL."""

    client: FlaskClient
    public: str = PUBLIC

    def post(self, path: str, form: dict[str, str], signature: str | None = "auto",
             headers: dict[str, str] | None = None, signed_url: str | None = None) -> TestResponse:
        url = signed_url or self.public + path
        all_headers = dict(headers or {})
        if signature == "auto":
            all_headers["X-Twilio-Signature"] = sign(url, form)
        elif signature is not None:
            all_headers["X-Twilio-Signature"] = signature
        return self.client.post(path, data=form, headers=all_headers)
