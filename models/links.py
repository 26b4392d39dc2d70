"""Signed short links to a complaint's page, carried by officials' alerts.

    https://aduan.example.go.id/l/BTL-ABCD-EFGH.mz3k1c.Q2x8...   ->  /dashboard/c/BTL-ABCD-EFGH

The link only points: the page still asks the official to sign in, and a link stops working
`security.alert_link_days` after the alert (an old forwarded message opens nothing). The signature uses a
per-deployment key kept in the database (site_keys), so the notifier and the web app agree without
sharing an environment variable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from models.config import Settings
from models.privacy import site_key

LINK_KEY = "complaint_link"
SIGNATURE_CHARS = 16


def signed_link(session: Session, settings: Settings, code: str, now: datetime) -> str:
    expires = int((now + timedelta(days=settings.security.alert_link_days)).timestamp())
    token = f"{code}.{_base36(expires)}"
    return f"{settings.region.dashboard_url.rstrip('/')}/l/{token}.{_sign(session, token)}"


def verified_code(session: Session, token: str, now: datetime) -> str | None:
    """The complaint code a link points at, or None when forged, damaged or expired."""
    parts = token.rsplit(".", 2)
    if len(parts) != 3:
        return None
    code, expires, signature = parts
    if not hmac.compare_digest(signature, _sign(session, f"{code}.{expires}")):
        return None
    try:
        if int(expires, 36) < now.timestamp():
            return None
    except ValueError:
        return None
    return code


def _sign(session: Session, token: str) -> str:
    digest = hmac.new(site_key(session, LINK_KEY), token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE_CHARS]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text or "0"
