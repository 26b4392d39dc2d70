"""The default transport: one log line per message, nothing leaves the machine."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from notifier.transports.base import OutgoingMessage, SendResult

log = logging.getLogger("aduan.notifier.log")


class LogTransport:
    name = "log"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: OutgoingMessage) -> SendResult:
        first_line = message.text.splitlines()[0] if message.text else ""
        self.stream.write(
            f"[kirim] #{message.notification_id} {message.channel}:{message.address} "
            f"({message.purpose}) {first_line}\n"
        )
        self.stream.flush()
        return SendResult(provider_message_id=f"log-{message.notification_id}")
