"""Citizens on Telegram for end-to-end tests: they type, tap buttons and share things through
the fake Bot API, and each action waits (boundedly) until the bot has handled it."""

from __future__ import annotations

import itertools
import time
from typing import Any

from fake_bot_api import FakeBotApi

_message_ids = itertools.count(1)


class Citizen:
    """Someone on Telegram: every action waits until the bot has handled it, then returns the new texts."""

    def __init__(self, api: FakeBotApi, user_id: int, first_name: str, username: str | None = None,
                 chat_id: int | None = None, chat_type: str = "private") -> None:
        self.api = api
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            self.user["username"] = username
        self.chat: dict[str, Any] = {"id": chat_id or user_id, "type": chat_type}
        if chat_type == "private":
            self.chat["first_name"] = first_name
        else:
            self.chat["title"] = "Grup"

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    def message(self, **content: Any) -> dict[str, Any]:
        body = {"message_id": next(_message_ids), "date": int(time.time()), "chat": self.chat, "from": self.user}
        return {"message": {**body, **content}}

    def says(self, text: str) -> list[str]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.sends(self.message(**content))

    def shares_location(self, latitude: float, longitude: float) -> list[str]:
        return self.sends(self.message(location={"latitude": latitude, "longitude": longitude}))

    def sends_photo(self, data: bytes, file_id: str = "photo-big", caption: str | None = None) -> list[str]:
        self.api.add_file(file_id, data)
        small = {"file_id": "photo-thumb", "file_unique_id": "t", "width": 90, "height": 60, "file_size": 900}
        big = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280, "height": 960,
               "file_size": len(data)}
        extra = {"caption": caption} if caption else {}
        return self.sends(self.message(photo=[small, big], **extra))

    def sends_document(self, mime_type: str, name: str) -> list[str]:
        document = {"file_id": f"doc-{name}", "file_unique_id": f"u-{name}", "file_name": name,
                    "mime_type": mime_type, "file_size": 1234}
        return self.sends(self.message(document=document))

    def taps(self, label: str) -> list[str]:
        """Press the button with this label on the newest inline keyboard the bot sent."""
        return self.presses(self.button_data(label))

    def button_data(self, label: str) -> str:
        for call in reversed(self.api.calls("sendMessage", self.chat_id)):
            for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"] == label:
                        return str(button["callback_data"])
        raise AssertionError(f"no button {label!r} was sent to chat {self.chat_id}")

    def presses(self, data: str) -> list[str]:
        message = {"message_id": 1, "date": int(time.time()), "chat": self.chat, "text": "..."}
        query = {"id": f"q{next(_message_ids)}", "from": self.user, "chat_instance": "ci", "data": data,
                 "message": message}
        return self.sends({"callback_query": query})

    def sends(self, update: dict[str, Any]) -> list[str]:
        before = len(self.api.texts_to(self.chat_id))
        update_id = self.api.inject(update)
        self.api.wait_processed(update_id)
        return self.api.texts_to(self.chat_id)[before:]

    def buttons(self) -> list[str]:
        """Labels on the newest inline keyboard sent to this chat."""
        for call in reversed(self.api.calls("sendMessage", self.chat_id)):
            rows = (call.params.get("reply_markup") or {}).get("inline_keyboard")
            if rows:
                return [button["text"] for row in rows for button in row]
        return []
