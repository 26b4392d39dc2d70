"""One small class per outbound service, behind one interface (see base.py)."""

from notifier.transports.base import OutgoingMessage, SendResult, Transport, TransportError
from notifier.transports.log import LogTransport

__all__ = ["LogTransport", "OutgoingMessage", "SendResult", "Transport", "TransportError"]
