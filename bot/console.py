"""The console channel: chat with the bot in a terminal (stdin lines in, replies out).

Besides plain text it understands two helpers a phone would send as media:
`/lokasi -3.0466,114.7514 [alamat]` shares a location and `/foto PATH` attaches a photo.
"""

from __future__ import annotations

import getpass
import mimetypes
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.dialog.engine import Engine
from bot.dialog.messages import Inbound, IncomingAttachment, Location, Reply

LOCATION = re.compile(r"^/lokasi\s+(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(.*)$", re.IGNORECASE)
PHOTO = re.compile(r"^/foto\s+(\S+)$", re.IGNORECASE)
PROMPT = "anda> "


def console_inbound(line: str, chat_id: str) -> Inbound:
    """Turn one typed line into what a phone would have sent."""
    base = Inbound(channel="console", chat_id=chat_id, sender_id=chat_id, sender_name=chat_id)
    location = LOCATION.match(line.strip())
    if location:
        lat, lon, address = float(location.group(1)), float(location.group(2)), location.group(3).strip()
        return replace(base, location=Location(lat, lon, address or None))
    photo = PHOTO.match(line.strip())
    if photo:
        path = Path(photo.group(1)).expanduser()
        size = path.stat().st_size if path.is_file() else None
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        attachment = IncomingAttachment(kind="photo", content_type=content_type, size_bytes=size,
                                        storage_path=str(path))
        return replace(base, attachments=(attachment,))
    return replace(base, text=line)


def render(reply: Reply) -> str:
    lines = [reply.text]
    if reply.choices and not any(f"{c.value}." in reply.text for c in reply.choices):
        lines.append("  [" + " | ".join(choice.label for choice in reply.choices) + "]")
    if reply.request_location:
        lines.append("  (kirim lokasi: /lokasi -3.0466,114.7514 nama tempat)")
    return "\n".join(lines)


def run_console(engine: Engine, lines: Iterable[str], out: TextIO, chat_id: str | None = None) -> int:
    """Feed lines to the engine and print its replies; returns the number of messages handled.
    The citizen is `chat_id` (`--chat-id`, else CONSOLE_CHAT_ID) or the user's login name."""
    chat = chat_id or _user()
    out.write(f"Layanan pengaduan {engine.settings.region.name} (console). Ketik BANTUAN; Ctrl-D untuk keluar.\n")
    handled = 0
    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        for reply in engine.handle(console_inbound(line, chat)):
            out.write("bot> " + render(reply).replace("\n", "\n     ") + "\n")
        out.flush()
        handled += 1
    return handled


def prompted(stream: TextIO, out: TextIO) -> Iterator[str]:
    """Lines from a terminal, with a prompt before each."""
    while True:
        out.write(PROMPT)
        out.flush()
        line = stream.readline()
        if not line:
            out.write("\n")
            return
        yield line


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "warga"
