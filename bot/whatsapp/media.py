"""Citizens' WhatsApp/MMS photos: downloaded from Twilio by a job, after the TwiML reply has gone.

Attachment rows only exist once a complaint is filed (the draft keeps each photo's Twilio
`source_url` until then), so the webhook queues one job per complaint a turn files
(`queue_downloads`); the notifier process claims it with a lease and runs `MediaDownloads`. Each
photo is stored once; abandoned drafts leave nothing on disk. A job whose worker dies mid-download
is claimed again when its lease runs out; a network failure or a 5xx from Twilio is retried with
backoff; a photo Twilio refuses for good (4xx), too large, of another type or on a host that is not
Twilio's is left as a link and logged.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from bot.media import MediaRejected, MediaStore
from models.config import Settings
from models.db import transaction
from models.environment import Environment, secret
from models.jobs import enqueue_job
from models.tables import Attachment, Complaint

log = logging.getLogger("aduan.whatsapp.media")

KIND = "whatsapp.media"
TIMEOUT_SECONDS = 20.0
CHUNK = 64 * 1024
TWILIO_MEDIA_HOST = "api.twilio.com"


def queue_downloads(session: Session, complaint_code: str, now: datetime) -> None:
    """Ask for the complaint's photos to be fetched, in the caller's transaction (if it has any to fetch)."""
    if photos_to_fetch(session, complaint_code):
        enqueue_job(session, KIND, {"complaint_code": complaint_code}, now)


def photos_to_fetch(session: Session, complaint_code: str) -> bool:
    """Whether the complaint has a photo not stored yet (a read; fine in a read-only session)."""
    return bool(session.scalar(select(_missing(complaint_code).exists())))


def _missing(code: str) -> Select[int, str | None, str | None]:
    return select(Attachment.id, Attachment.source_url, Attachment.content_type).join(Complaint).where(
        Complaint.code == code, Attachment.source_url.is_not(None), Attachment.storage_path.is_(None))


class MediaDownloads:
    """The job handler for `KIND`: store every photo of one complaint that is not stored yet."""

    kind = KIND

    def __init__(self, sessions: sessionmaker[Session], store: MediaStore, auth: tuple[str, str] | None,
                 allowed_hosts: frozenset[str]) -> None:
        self.sessions = sessions
        self.store = store
        self.auth = auth
        # Credentials go only to Twilio's media host (or the tests' fake Twilio).
        self.allowed_hosts = allowed_hosts

    @classmethod
    def configured(cls, sessions: sessionmaker[Session], settings: Settings,
                   environment: Environment) -> MediaDownloads:
        sid, token = environment.twilio_account_sid, secret(environment.twilio_auth_token)
        api_host = urlsplit(environment.twilio_api_base_url or "").hostname
        store = MediaStore(settings.resolve(settings.intake.media_dir), settings.intake.max_media_bytes)
        return cls(sessions, store, (sid, token) if sid and token else None,
                   frozenset({TWILIO_MEDIA_HOST, *([api_host] if api_host else [])}))

    def __call__(self, payload: dict[str, Any]) -> None:
        """Raises on a failure worth retrying (the job runner retries the whole job: stored photos are skipped)."""
        code = str(payload["complaint_code"])
        with self.sessions() as session:
            missing = list(session.execute(_missing(code)).all())
        for attachment_id, url, content_type in missing:
            self._fetch_one(attachment_id, str(url), content_type)

    def _fetch_one(self, attachment_id: int, url: str, content_type: str | None) -> None:
        try:
            self.store.check(content_type, None)
            data, served_type = self._download(url)
            stored = self.store.save(data, served_type or content_type)
        except MediaRejected as error:
            log.warning("media not stored attachment=%s: %s", attachment_id, error)
            return
        except requests.HTTPError as error:
            if error.response is not None and 400 <= error.response.status_code < 500:
                log.warning("media refused by Twilio attachment=%s: HTTP %s", attachment_id,
                            error.response.status_code)
                return
            raise
        with transaction(self.sessions) as session:
            row = session.get(Attachment, attachment_id)
            if row is not None and row.source_url == url:
                row.storage_path = str(stored.path)
                row.size_bytes = stored.size_bytes
                row.content_type = stored.content_type

    def _download(self, url: str) -> tuple[bytes, str | None]:
        host = urlsplit(url).hostname or ""
        if host not in self.allowed_hosts and not host.endswith(".twilio.com"):
            raise MediaRejected(f"media host {host!r} is not Twilio")
        with requests.get(url, auth=self.auth, timeout=TIMEOUT_SECONDS, stream=True) as response:
            response.raise_for_status()
            announced = response.headers.get("Content-Length")
            self.store.check(response.headers.get("Content-Type"), int(announced) if announced else None)
            body = bytearray()
            for chunk in response.iter_content(CHUNK):
                body += chunk
                if len(body) > self.store.max_bytes:
                    raise MediaRejected(f"more than {self.store.max_bytes} bytes")
            return bytes(body), response.headers.get("Content-Type")
