"""Realistic WhatsApp complaint conversations for the webhook benchmarks, signed as Twilio signs them.

One conversation is what a citizen sends to file a complaint: the complaint itself (a chat message the
routing table has never seen: the blind-written samples in tests/routing/data/, with a little noise),
a place, "lewati" for the photo, a privacy choice and "ya" to confirm. So the router, the dialog's
states, the desk's filing and the outbox all lie on the measured path, not only a greeting.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = [ROOT / "tests/routing/data" / name for name in ("blind_chat_odd_sample.csv", "blind_lapor_odd_sample.csv")]
PATH = "/webhooks/twilio/whatsapp"
PLACES = ("depan SDN 2 Marabahan", "Jl. Panglima Batur km 3", "dekat pasar Alalak", "RT 05 desa Berangas",
          "simpang tiga Handil Bakti", "belakang puskesmas Anjir", "gang Mawar no 12", "jembatan Tabunganen")
NOISE = ("", " tolong", " mohon segera", "!!", " pak", " sdh lama", " 🙏", " bgt")
STEPS_AFTER_TEXT = ("{place}", "lewati", "2", "ya")


def complaint_texts() -> list[str]:
    texts = []
    for sample in SAMPLES:
        with sample.open(encoding="utf-8") as rows:
            texts += [row["text"] for row in csv.DictReader(rows) if row.get("text")]
    return texts


def conversation(number: int, rng: random.Random, texts: list[str]) -> list[dict[str, str]]:
    """The five forms one citizen posts, in order; every MessageSid is new."""
    sender = f"whatsapp:+62812{number:07d}"
    steps = [rng.choice(texts) + rng.choice(NOISE)]
    steps += [step.format(place=rng.choice(PLACES)) for step in STEPS_AFTER_TEXT]
    return [{"MessageSid": f"SM{number:016x}{step:04x}{rng.getrandbits(48):012x}", "AccountSid": "AC" + "0" * 32,
             "From": sender, "To": "whatsapp:+6281100009999", "Body": body, "NumMedia": "0",
             "ProfileName": f"Warga {number}"} for step, body in enumerate(steps)]


def interleaved(conversations: int, per_round: int, seed: int = 11, first: int = 0) -> Iterator[dict[str, str]]:
    """Rounds of `per_round` citizens, each round step by step (every citizen's first message, then
    every second ...), so that concurrent connections never race one citizen's two steps."""
    rng = random.Random(seed)
    texts = complaint_texts()
    for start in range(first, first + conversations, per_round):
        group = [conversation(number, rng, texts)
                 for number in range(start, min(first + conversations, start + per_round))]
        for step in range(len(STEPS_AFTER_TEXT) + 1):
            for forms in group:
                yield forms[step]


def signed(form: dict[str, str], url: str, token: str) -> tuple[bytes, str]:
    """The urlencoded body and its X-Twilio-Signature for `url` (the public URL Twilio posts to)."""
    return urlencode(form).encode(), RequestValidator(token).compute_signature(url, form)
