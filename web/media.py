"""Fetching citizens' WhatsApp/MMS media in the background, after the TwiML reply has gone.

Attachment rows only exist once a complaint is filed (the draft keeps each photo's Twilio
`source_url` until then), so the webhook asks for a fetch when a turn files a complaint: each
stored photo is downloaded exactly once, and abandoned drafts leave nothing on disk.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor, wait
from urllib.parse import urlsplit

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.media import MediaRejected, MediaStore
from models.db import transaction
from models.tables import Attachment, Complaint

log = logging.getLogger("aduan.web.media")

TIMEOUT_SECONDS = 20.0
CHUNK = 64 * 1024


class MediaFetcher:
    def __init__(self, sessions: sessionmaker[Session], store: MediaStore, auth: tuple[str, str] | None,
                 allowed_hosts: frozenset[str], workers: int = 2) -> None:
        self.sessions = sessions
        self.store = store
        self.auth = auth
        # Credentials go only to Twilio's media host (or the tests' fake Twilio).
        self.allowed_hosts = allowed_hosts
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="media")
        self.pending: set[Future[None]] = set()

    def fetch_for(self, complaint_code: str) -> None:
        future = self.executor.submit(self._fetch_complaint, complaint_code)
        self.pending.add(future)
        future.add_done_callback(self.pending.discard)

    def drain(self, timeout: float = 30.0) -> None:
        """Wait for the downloads under way (tests, shutdown)."""
        wait(list(self.pending), timeout=timeout)

    def _fetch_complaint(self, code: str) -> None:
        with self.sessions() as session:
            query = select(Attachment.id, Attachment.source_url, Attachment.content_type).join(Complaint).where(
                Complaint.code == code, Attachment.source_url.is_not(None), Attachment.storage_path.is_(None))
            todo = list(session.execute(query).all())
        for attachment_id, url, content_type in todo:
            try:
                self._fetch_one(attachment_id, str(url), content_type)
            except Exception:  # one bad file must not stop the others
                log.exception("media fetch failed complaint=%s attachment=%s", code, attachment_id)

    def _fetch_one(self, attachment_id: int, url: str, content_type: str | None) -> None:
        try:
            self.store.check(content_type, None)
            data, served_type = self._download(url)
            stored = self.store.save(data, served_type or content_type)
        except (MediaRejected, requests.RequestException) as error:
            log.warning("media not stored attachment=%s: %s", attachment_id, error)
            return
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

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
