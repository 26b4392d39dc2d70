"""The `channels.whatsapp` section: sender, 24-hour window margin and approved templates.

Outside WhatsApp's 24-hour customer-service window only pre-approved templates may be
sent; each notification purpose maps to one template (its ContentSid and the payload
variables that fill its {{1}}, {{2}}, ... placeholders in order). Parsed at start by the
outbound transport, so a missing template stops the notifier with the key path.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.config import E164, ConfigError, Settings, parse_section

# Purposes the desk, the escalation sweep and the digests send to WhatsApp recipients, and "answer", the
# template an answered status relay names in its payload (the agency's answer and "sudah selesai?").
NEEDED_PURPOSES: tuple[str, ...] = (
    "new_complaint", "escalation_head", "escalation_regional", "digest", "status", "rating_request", "triage",
    "answer",
)
CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TemplateConfig(_Strict):
    content_sid: str
    # Payload variable names, in placeholder order: ["code", "agency"] fills {{1}} and {{2}}.
    variables: tuple[str, ...] = ()

    @field_validator("content_sid")
    @classmethod
    def _sid_shape(cls, value: str) -> str:
        if not CONTENT_SID.match(value):
            raise ValueError(f"{value!r} is not a Twilio ContentSid (HX followed by 32 hex digits)")
        return value


class WhatsAppConfig(_Strict):
    # "+62..." sender registered with Twilio; TWILIO_WHATSAPP_FROM overrides it.
    sender: str | None = None
    # Optional separate SMS sender (long code or alphanumeric id); TWILIO_SMS_FROM overrides it.
    sms_sender: str | None = None
    # Free text only until 24 h minus this margin after the recipient's last message.
    window_margin_minutes: int = Field(default=30, ge=0, le=600)
    # purpose -> template; "default" serves purposes without their own (e.g. reminders).
    templates: dict[str, TemplateConfig] = Field(default_factory=dict)

    @field_validator("sender")
    @classmethod
    def _sender_is_e164(cls, value: str | None) -> str | None:
        if value is not None and not E164.match(value.removeprefix("whatsapp:")):
            raise ValueError(f"{value!r} is not an E.164 number (e.g. '+6281234567890')")
        return value


def whatsapp_config(settings: Settings, require_templates: bool = False) -> WhatsAppConfig:
    """Parse the section; with `require_templates`, every needed purpose must have a template."""
    config = parse_section(settings, "whatsapp", WhatsAppConfig)
    if require_templates:
        missing = [purpose for purpose in NEEDED_PURPOSES if purpose not in config.templates]
        if missing:
            raise ConfigError(
                f"config: channels.whatsapp.templates: missing template for {', '.join(missing)} "
                "(needed outside the 24-hour window)"
            )
    return config
