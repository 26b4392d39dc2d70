"""Citizen web chat (channel "web"): the same dialog engine behind a small form page.

The chat id lives in Flask's signed session cookie; the last exchanges are kept there too,
so the page needs no JavaScript.
"""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from bot.dialog.messages import Inbound
from web.dashboard.context import Context
from web.dashboard.security import protect

KEEP_LINES = 6  # the session cookie must stay well under 4 KB
LINE_CHARS = 300
MAX_TEXT = 2000


def make_blueprint(context: Context) -> Blueprint:
    bp = protect(Blueprint("chat", __name__, template_folder="templates"))

    @bp.get("/chat")
    def page() -> str:
        return render_template("dashboard/chat.html", log=session.get("chat_log", []),
                               choices=session.get("chat_choices", []), nonce=secrets.token_urlsafe(12))

    @bp.post("/chat")
    def send() -> Response:
        # A choice button sends its value as a second "text" field: the last non-empty one wins.
        typed = [value.strip() for value in request.form.getlist("text") if value.strip()]
        text = typed[-1][:MAX_TEXT] if typed else ""
        if text:
            chat_id = _chat_id()
            # The page's nonce is URL-safe; anything else in it is dropped before it becomes a message id.
            nonce = re.sub(r"[^A-Za-z0-9_-]", "", request.form.get("nonce", ""))[:40]
            inbound = Inbound(channel="web", chat_id=chat_id, sender_id=chat_id, text=text,
                              message_id=f"{chat_id}:{nonce}" if nonce else None)
            replies = context.engine.handle(inbound)
            _remember([("me", text)] + [("bot", reply.text) for reply in replies])
            session["chat_choices"] = [[c.label[:40], c.value[:40]] for c in replies[-1].choices[:6]] if replies else []
        return redirect(url_for("chat.page"), 303)

    return bp


def _chat_id() -> str:
    if "web_chat_id" not in session:
        session["web_chat_id"] = "web-" + secrets.token_urlsafe(16)
    return str(session["web_chat_id"])


def _remember(lines: list[tuple[str, str]]) -> None:
    log = [*session.get("chat_log", []), *[[who, text[:LINE_CHARS]] for who, text in lines]]
    session["chat_log"] = log[-KEEP_LINES:]
