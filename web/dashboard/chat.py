"""Citizen web chat (channel "web"): the same dialog engine behind a small form page.

The chat id lives in Flask's signed session cookie; the last exchanges are kept there too.
A new chat (no chat id yet) starts only with a solved challenge: the page carries a signed, single-use
seed, and the browser (static/dashboard.js) finds a proof of work for it, a fraction of a second for one
citizen but a real cost for a script opening thousands of chats. Dropping the cookie therefore costs a new
proof, and the daily filing limit also counts per client address (the engine gets the address, which is
only ever stored as a keyed hash).
"""

from __future__ import annotations

import hashlib
import re
import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from bot.dialog.messages import Inbound
from models.throttle import CHALLENGE_SEEDS, key_for, record
from web.dashboard.context import Context
from web.dashboard.limits import limit
from web.dashboard.security import client_address, protect

KEEP_LINES = 6  # the session cookie must stay well under 4 KB
LINE_CHARS = 300
MAX_TEXT = 2000
CHALLENGE_SECONDS = 3600
# A chat left alone this long is over: the next person at a shared computer (warnet) starts a new one and
# sees neither the transcript nor the complaints of the last.
IDLE_SECONDS = 30 * 60
PROOF = re.compile(r"[0-9]{1,12}")


def make_blueprint(context: Context) -> Blueprint:
    bp = protect(Blueprint("chat", __name__, template_folder="templates"))
    security = context.settings.security
    limit(bp, context, "chat", lambda: security.chat_messages_per_minute, methods=frozenset({"POST"}))
    limit(bp, context, "public", lambda: security.public_requests_per_minute, methods=frozenset({"GET", "HEAD"}))

    @bp.get("/chat")
    def page() -> str:
        _end_if_idle(context)
        challenge = None if "web_chat_id" in session else new_challenge(security.chat_challenge_bits)
        return render_template("dashboard/chat.html", log=session.get("chat_log", []),
                               choices=session.get("chat_choices", []), nonce=secrets.token_urlsafe(12),
                               challenge=challenge)

    @bp.post("/chat")
    def send() -> Response:
        # A choice button sends its value as a second "text" field: the last non-empty one wins.
        typed = [value.strip() for value in request.form.getlist("text") if value.strip()]
        text = typed[-1][:MAX_TEXT] if typed else ""
        if not text:
            return redirect(url_for("chat.page"), 303)
        _end_if_idle(context)
        if "web_chat_id" not in session and not _challenge_met(context):
            flash("chat_challenge", "error")
            return redirect(url_for("chat.page"), 303)
        chat_id = _chat_id()
        # The page's nonce is URL-safe; anything else in it is dropped before it becomes a message id.
        nonce = re.sub(r"[^A-Za-z0-9_-]", "", request.form.get("nonce", ""))[:40]
        inbound = Inbound(channel="web", chat_id=chat_id, sender_id=chat_id, text=text,
                          message_id=f"{chat_id}:{nonce}" if nonce else None, client_address=client_address())
        replies = context.engine.handle(inbound)
        session["chat_at"] = context.now().timestamp()
        _remember([("me", text)] + [("bot", reply.text) for reply in replies])
        session["chat_choices"] = [[c.label[:40], c.value[:40]] for c in replies[-1].choices[:6]] if replies else []
        return redirect(url_for("chat.page"), 303)

    return bp


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt="aduan-chat-challenge")


def new_challenge(bits: int) -> dict[str, object]:
    seed = secrets.token_urlsafe(12)
    return {"token": _serializer().dumps({"seed": seed, "bits": bits}), "seed": seed, "bits": bits}


def solves(seed: str, proof: str, bits: int) -> bool:
    """sha256("seed:proof") starts with `bits` zero bits."""
    digest = int.from_bytes(hashlib.sha256(f"{seed}:{proof}".encode()).digest(), "big")
    return digest >> (256 - bits) == 0 if bits else True


def _challenge_met(context: Context) -> bool:
    try:
        data = _serializer().loads(request.form.get("challenge", ""), max_age=CHALLENGE_SECONDS)
    except BadSignature:
        return False
    proof = request.form.get("proof", "")
    if not isinstance(data, dict) or not PROOF.fullmatch(proof):
        return False
    seed, bits = str(data.get("seed", "")), int(data.get("bits", 0))
    if not seed or not solves(seed, proof, bits):
        return False
    with context.write() as (db, desk):  # each seed opens one chat only
        return record(db, CHALLENGE_SEEDS, key_for(db, CHALLENGE_SEEDS, seed), desk.now) == 1


def _end_if_idle(context: Context) -> None:
    last = session.get("chat_at")
    if isinstance(last, int | float) and context.now().timestamp() - last > IDLE_SECONDS:
        for key in ("web_chat_id", "chat_log", "chat_choices", "chat_at"):
            session.pop(key, None)


def _chat_id() -> str:
    if "web_chat_id" not in session:
        session["web_chat_id"] = "web-" + secrets.token_urlsafe(16)
    return str(session["web_chat_id"])


def _remember(lines: list[tuple[str, str]]) -> None:
    log = [*session.get("chat_log", []), *[[who, text[:LINE_CHARS]] for who, text in lines]]
    session["chat_log"] = log[-KEEP_LINES:]
