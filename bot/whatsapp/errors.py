"""What Twilio's answers mean, and the limits WhatsApp sets: shared by the webhook's delivery callbacks
and the outbound transport (notifier/transports/whatsapp.py), so both classify a failure the same way."""

from __future__ import annotations

from datetime import timedelta

# Free text may only go out within 24 hours of the recipient's last message; after that, only an
# approved template ("customer-service window").
WINDOW = timedelta(hours=24)
# A free-text message sent outside that window.
OUTSIDE_WINDOW = "63016"
# Numbers that do not exist, cannot receive WhatsApp/SMS, or opted out: no retry can help, and the
# contact is marked unreachable with the reason (Indonesian: operators read it on the dashboard).
PERMANENT_CODES: dict[str, str] = {
    "21211": "nomor tidak valid",
    "21214": "nomor tidak dapat dihubungi",
    "21408": "wilayah tujuan tidak diizinkan",
    "21610": "penerima berhenti berlangganan (STOP)",
    "21612": "nomor tidak dapat menerima pesan dari pengirim ini",
    "21614": "nomor bukan nomor seluler",
    "30005": "nomor tujuan tidak dikenal",
    "30006": "nomor telepon rumah (landline)",
    "63003": "nomor tidak terdaftar di WhatsApp",
    "63024": "penerima tidak valid",
}
TOO_MANY_REQUESTS = 429
# When Twilio's 429 carries no Retry-After header.
DEFAULT_RETRY_AFTER_SECONDS = 60.0
# Twilio sends at most 10 media per message.
MAX_MEDIA = 10
# Twilio's default sending rate per sender (messages per second).
MESSAGES_PER_SECOND = 80.0


def error_code(raw: str | None) -> str | None:
    """Twilio's error codes are short numbers; anything else is kept out of the record."""
    code = (raw or "").strip()
    return code if code.isascii() and code.isdigit() and len(code) <= 10 else None
