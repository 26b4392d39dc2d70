"""Citizens' WhatsApp/MMS photos: downloaded from Twilio by a job, after the TwiML reply has gone.

Attachment rows only exist once a complaint is filed (the draft keeps each photo's Twilio
`source_url` until then), so the webhook queues one job per complaint a turn files
(`queue_downloads`); the notifier process claims it with a lease and runs `MediaDownloads`. Each
photo is stored once; abandoned drafts leave nothing on disk. A job whose worker dies mid-download
is claimed again when its lease runs out; a network failure or a 5xx from Twilio is retried with
backoff; a photo Twilio refuses for good (4xx), too large, of another type or on a host that is not
Twilio's is left as a link and logged.

The Twilio credentials go to one place only: an https URL on Twilio's API host (or the origin of
TWILIO_API_BASE_URL, the tests' fake), with no user info and no other port, judged by the very parse of
the URL the HTTP client then requests (issue 12: `http://127.0.0.1:P\\@api.twilio.com/` once passed a
check that read the host one way while the client connected the other). Redirects are followed by hand,
at most MAX_REDIRECTS, only to https hosts of Twilio (its CDN included), and never with credentials.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import httpx
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
# Where Twilio's media URLs may redirect (its CDN); nothing else is followed.
TWILIO_DOMAINS = ("twilio.com", "twiliocdn.com")
MAX_REDIRECTS = 3
Origin = tuple[str, str, int]


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
                 credentialed: frozenset[Origin]) -> None:
        self.sessions = sessions
        self.store = store
        self.auth = auth
        # The only origins (scheme, host, port) that ever receive the credentials.
        self.credentialed = credentialed

    @classmethod
    def configured(cls, sessions: sessionmaker[Session], settings: Settings,
                   environment: Environment) -> MediaDownloads:
        sid, token = environment.twilio_account_sid, secret(environment.twilio_auth_token)
        store = MediaStore(settings.resolve(settings.intake.media_dir), settings.intake.max_media_bytes)
        origins = {("https", TWILIO_MEDIA_HOST, 443)}
        if environment.twilio_api_base_url:
            configured = _origin(httpx.URL(environment.twilio_api_base_url))
            if configured is not None:
                origins.add(configured)
        return cls(sessions, store, (sid, token) if sid and token else None, frozenset(origins))

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
        except httpx.HTTPStatusError as error:
            if 400 <= error.response.status_code < 500:
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
        target = _parsed(url)
        if _origin(target) not in self.credentialed:
            raise MediaRejected(f"media URL {_shown(target)} is not Twilio's")
        auth = self.auth
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                # The URL object checked is the one requested: the client cannot read its host differently.
                with client.stream("GET", target, auth=auth) as response:
                    if response.is_redirect:
                        target = _redirect_target(target, response)
                        auth = None  # a redirect target never gets the credentials, even on a Twilio host
                        continue
                    response.raise_for_status()
                    return self._body(response)
        raise MediaRejected(f"more than {MAX_REDIRECTS} redirects")

    def _body(self, response: httpx.Response) -> tuple[bytes, str | None]:
        announced = response.headers.get("Content-Length")
        self.store.check(response.headers.get("Content-Type"),
                         int(announced) if announced and announced.isdigit() else None)
        body = bytearray()
        for chunk in response.iter_bytes(CHUNK):
            body += chunk
            if len(body) > self.store.max_bytes:
                raise MediaRejected(f"more than {self.store.max_bytes} bytes")
        return bytes(body), response.headers.get("Content-Type")


def _parsed(url: str) -> httpx.URL:
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise MediaRejected("media URL cannot be parsed") from None


def _origin(url: httpx.URL) -> Origin | None:
    """(scheme, host, port) as the client will connect; None for a URL with user info (it hides the host)."""
    if url.userinfo or url.scheme not in ("http", "https") or not url.host:
        return None
    return url.scheme, url.host.lower(), url.port or (443 if url.scheme == "https" else 80)


def _redirect_target(current: httpx.URL, response: httpx.Response) -> httpx.URL:
    target = current.join(_parsed(response.headers.get("Location", "")))
    origin = _origin(target)
    if origin is None or origin[0] != "https" or origin[2] != 443 or not _is_twilio_host(origin[1]):
        raise MediaRejected(f"media redirected off Twilio to {_shown(target)}")
    return target


def _is_twilio_host(host: str) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in TWILIO_DOMAINS)


def _shown(url: httpx.URL) -> str:
    """A URL for the log: scheme, host and port only (no user info, no path with account ids)."""
    return f"{url.scheme}://{url.host}:{url.port or ''}"
