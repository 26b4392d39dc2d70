"""Telegram's webhook, as the blueprint `web` mounts: Telegram POSTs each update here when
TELEGRAM_WEBHOOK_URL is set (register it with `aduan telegram`).

The path is the one in TELEGRAM_WEBHOOK_URL (default /telegram/webhook). Every request must carry
TELEGRAM_WEBHOOK_SECRET in X-Telegram-Bot-Api-Secret-Token, compared in constant time. Without a
token or a webhook URL the blueprint has no routes (polling mode, or Telegram not configured).
"""

from __future__ import annotations

import hmac
import logging
import threading
from typing import Any

from flask import Blueprint, Response, request
from telegram import Update

from bot.dialog.engine import Engine
from bot.telegram.service import TelegramService
from bot.telegram.settings import TelegramEnvironment
from bot.telegram.store import usable_update_id
from models.config import Settings
from models.environment import Environment

log = logging.getLogger("aduan.web.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookReceiver:
    """Hands verified updates to a TelegramService started on the first one (importing starts nothing)."""

    def __init__(self, engine: Engine, environment: Environment, secret: str) -> None:
        self.engine = engine
        self.environment = environment
        self.secret = secret.encode()
        self.service: TelegramService | None = None
        self.lock = threading.Lock()

    def receive(self) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            log.warning("telegram webhook: wrong or missing secret from %s", request.remote_addr)
            return Response("forbidden", status=403, mimetype="text/plain")
        try:
            update = request.get_json(silent=True)
        except RecursionError:  # JSON nested deeper than Python's parser goes: never Telegram's
            return Response("too deeply nested", status=400, mimetype="text/plain")
        if not isinstance(update, dict) or not usable_update_id(update.get("update_id")):
            # 200 for what we will never process, so Telegram does not retry it forever.
            return Response("ignored", mimetype="text/plain")
        try:
            service = self._service()
            parsed = self._parsed(service, update)
            if parsed is None:
                return Response("ignored", mimetype="text/plain")
            service.call(service.handle(parsed))
        except Exception:
            # 500 makes Telegram deliver it again; the update id check keeps that harmless.
            log.exception("telegram webhook: update %s not processed", update["update_id"])
            return Response("retry", status=500, mimetype="text/plain")
        return Response("ok", mimetype="text/plain")

    @staticmethod
    def _parsed(service: TelegramService, update: dict[str, Any]) -> Update | None:
        """The update as python-telegram-bot reads it, or None when it does not have Telegram's shape:
        delivering such a body again would fail the same way forever, so it is acknowledged and dropped."""
        try:
            return Update.de_json(update, service.application.bot)
        except Exception:
            log.warning("telegram webhook: update %s is not a Telegram update, dropped", update["update_id"])
            return None

    def _service(self) -> TelegramService:
        with self.lock:
            if self.service is None:
                self.service = TelegramService(self.engine, self.environment).start()
            return self.service


def make_blueprint(settings: Settings, engine: Engine, environment: Environment) -> Blueprint:
    blueprint = Blueprint("telegram", __name__)
    if environment.telegram_bot_token is None or environment.telegram_webhook_url is None:
        return blueprint
    env = TelegramEnvironment.from_environment(environment)  # refuses a webhook without a usable secret
    receiver = WebhookReceiver(engine, environment, env.webhook_secret or "")
    blueprint.add_url_rule(env.webhook_path, "webhook", receiver.receive, methods=["POST"])
    return blueprint
