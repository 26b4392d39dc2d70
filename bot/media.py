"""Media storage for citizens' photos: size and type limits, content-addressed file names.

Adapters (Telegram, WhatsApp, web) fetch the bytes with their provider's credentials and hand
them here; nothing else writes under the media directory.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif",
               "image/heic": ".heic"}


class MediaRejected(Exception):
    """The file is too large or of a type we do not store; the message is safe to log."""


@dataclass(frozen=True)
class StoredMedia:
    path: Path
    content_type: str
    size_bytes: int
    sha256: str


class MediaStore:
    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes

    def check(self, content_type: str | None, size_bytes: int | None) -> str:
        """Validate what a provider announced before downloading; returns the file suffix."""
        kind = (content_type or "").split(";")[0].strip().lower()
        if kind not in IMAGE_TYPES:
            raise MediaRejected(f"type {kind or 'unknown'} is not a supported image")
        if size_bytes is not None and size_bytes > self.max_bytes:
            raise MediaRejected(f"{size_bytes} bytes exceeds the limit of {self.max_bytes}")
        return IMAGE_TYPES[kind]

    def save(self, data: bytes, content_type: str | None) -> StoredMedia:
        suffix = self.check(content_type, len(data))
        digest = hashlib.sha256(data).hexdigest()
        path = self.directory / digest[:2] / f"{digest}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            partial = path.with_suffix(path.suffix + ".part")
            partial.write_bytes(data)
            partial.replace(path)
        kind = (content_type or "").split(";")[0].strip().lower()
        return StoredMedia(path=path, content_type=kind, size_bytes=len(data), sha256=digest)
