"""Twilio's webhooks, as the blueprint `web` mounts: inbound WhatsApp/SMS messages and delivery
status callbacks, under /webhooks/twilio.

Every request is checked against Twilio's signature over the public URL it was sent to and
the exact form received; anything unsigned gets 403 and touches nothing. Photos are not fetched
here: a turn that files a complaint queues a download job (media.py) for the notifier process.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request
from sqlalchemy import update
from twilio.request_validator import RequestValidator

from bot.dialog.engine import DATABASE_UNAVAILABLE, Engine
from bot.dialog.messages import Inbound, Reply, inbound_limit
from bot.whatsapp.callbacks import record_callback
from bot.whatsapp.errors import error_code
from bot.whatsapp.form import MalformedForm, parse_form
from bot.whatsapp.media import photos_to_fetch, queue_downloads
from bot.whatsapp.replies import twiml
from models.config import Settings
from models.db import make_read_session_factory, transaction
from models.environment import Environment, secret
from models.runtime import Database
from models.tables import OfficialContact

log = logging.getLogger("aduan.web.twilio")

TWIML = "application/xml"
# Seconds a provider should wait before delivering again while the database is unavailable.
RETRY_AFTER_SECONDS = "5"


class Signatures:
    """Rebuilds the URL Twilio signed: PUBLIC_BASE_URL, or the proxy's headers when trusted."""

    def __init__(self, auth_token: str | None, public_base_url: str | None, trust_proxy: bool) -> None:
        self.validator = RequestValidator(auth_token) if auth_token else None
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.trust_proxy = trust_proxy

    def public_url(self) -> str:
        query = request.query_string.decode("latin-1")
        suffix = request.path + (f"?{query}" if query else "")
        if self.trust_proxy:
            scheme = _first(request.headers.get("X-Forwarded-Proto")) or request.scheme
            host = _first(request.headers.get("X-Forwarded-Host")) or request.host
            return f"{scheme}://{host}{suffix}"
        if self.public_base_url:
            return self.public_base_url + suffix
        return request.host_url.rstrip("/") + suffix

    def verified(self) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        if self.validator is None or not signature:
            return False
        return bool(self.validator.validate(self.public_url(), request.form, signature))


def _first(header: str | None) -> str | None:
    return header.split(",")[0].strip() if header else None


def make_blueprint(settings: Settings, database: Database, engine: Engine, environment: Environment) -> Blueprint:
    signatures = Signatures(secret(environment.twilio_auth_token), environment.public_base_url,
                            environment.trust_proxy)
    if signatures.validator is None:
        log.warning("twilio: TWILIO_AUTH_TOKEN not set, every webhook will be refused")
    officials = frozenset(o.whatsapp for o, _ in settings.all_officials() if o.whatsapp)
    text_limit = inbound_limit(settings)
    reads = make_read_session_factory(database.engine)
    blueprint = Blueprint("twilio", __name__, url_prefix="/webhooks/twilio")

    @blueprint.post("/whatsapp")
    def inbound_message() -> Response:
        """A citizen's (or official's) WhatsApp or SMS message; the answer is TwiML."""
        if not signatures.verified():
            abort(403)
        try:
            inbound = parse_form(request.form, text_limit)
        except MalformedForm as error:
            return Response(str(error), status=400, mimetype="text/plain")
        replies = engine.handle(inbound)
        if any(reply.data.get(DATABASE_UNAVAILABLE) for reply in replies):
            # Nothing was stored: a 2xx would make Twilio drop the message, a 5xx lets it come again.
            return Response("database unavailable, retry later", status=503, mimetype="text/plain",
                            headers={"Retry-After": RETRY_AFTER_SECONDS})
        try:
            _after_turn(inbound, replies)
        except Exception:  # the citizen's reply is already decided; bookkeeping must not turn it into a 500
            log.exception("twilio: after-turn work failed channel=%s", inbound.channel)
        return Response(twiml(replies, inbound.channel), mimetype=TWIML)

    def _after_turn(inbound: Inbound, replies: list[Reply]) -> None:
        # A reply carrying a code filed a complaint in this turn: its photos now have rows.
        codes = [str(reply.data["code"]) for reply in replies if reply.data.get("code")]
        if codes:
            # Most complaints come without a photo: find out without queueing for SQLite's writer lock.
            with reads() as session:
                codes = [code for code in codes if photos_to_fetch(session, code)]
        official = inbound.channel == "whatsapp" and inbound.sender_id in officials
        if not codes and not official:
            return
        with transaction(database.sessions) as session:
            for code in codes:
                queue_downloads(session, code, engine.clock())
            if official:
                # Opens the official's 24-hour window for free-text alerts.
                session.execute(update(OfficialContact).where(
                    OfficialContact.channel == "whatsapp", OfficialContact.address == inbound.sender_id,
                ).values(last_inbound_at=engine.clock()))

    @blueprint.post("/status/<token>")
    def delivery_status(token: str) -> Response:
        """Twilio's StatusCallback for one notification, addressed by its unguessable token."""
        if not signatures.verified():
            abort(403)
        status = (request.form.get("MessageStatus") or "").strip().lower()
        if not status or len(token) > 64:
            return Response("MessageStatus is missing", status=400, mimetype="text/plain")
        with transaction(database.sessions) as session:
            outcome = record_callback(session, token, status, error_code(request.form.get("ErrorCode")),
                                      engine.clock(), request.form.get("MessageSid"))
        if not outcome.found:
            abort(404)
        return Response("", status=204)

    return blueprint

