"""The Twilio credentials go to Twilio only (issue 12, class 10): a citizen's WhatsApp form names the photo's
URL, so a forged form could point the notifier's downloader anywhere. Whatever the URL's shape, a listener on
loopback that is not Twilio receives nothing: not the credentials, not even a connection."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from fake_twilio import FakeTwilio
from sqlalchemy import select
from twilio_support import Twilio

from models.tables import Attachment

PATH = "/webhooks/twilio/whatsapp"
JPEG = b"\xff\xd8\xff\xe0" + b"photo-bytes" * 100


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection and the bytes it was sent."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = int(self.socket.getsockname()[1])
        self.received: list[bytes] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    self.received.append(connection.recv(65536))
                except OSError:
                    self.received.append(b"")

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(10)
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    started = Listener()
    yield started
    started.stop()


def file_with_photo(twilio: Twilio, message, url: str) -> None:  # type: ignore[no-untyped-def]
    twilio.post(PATH, message("jalan berlubang depan SDN 2 Marabahan rusak parah", NumMedia="1", MediaUrl0=url,
                              MediaContentType0="image/jpeg"))
    for text in ("depan SDN 2", "1", "ya"):
        twilio.post(PATH, message(text))


def stored_paths(sessions) -> list[str | None]:  # type: ignore[no-untyped-def]
    with sessions() as db:
        return list(db.scalars(select(Attachment.storage_path)))


FORGED = [
    "http://127.0.0.1:{port}\\@api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
    "http://127.0.0.1:{port}/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
    "https://127.0.0.1:{port}/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
    "http://api.twilio.com@127.0.0.1:{port}/Media/ME1",
    "http://user:secret@127.0.0.1:{port}/Media/ME1",
    "http://api.twilio.com:{port}/Media/ME1",
]


@pytest.mark.parametrize("shape", FORGED)
def test_a_forged_media_url_never_reaches_a_host_that_is_not_twilio(
        shape: str, listener: Listener, twilio: Twilio, message, fake_twilio: FakeTwilio,  # type: ignore[no-untyped-def]
        sessions, download_photos) -> None:
    file_with_photo(twilio, message, shape.format(port=listener.port))
    assert download_photos().done == 1  # refused for good, not retried
    assert stored_paths(sessions) == [None]
    assert listener.received == []
    assert [r for r in fake_twilio.requests if r.method == "GET"] == []


def test_a_redirect_off_twilio_is_not_followed(listener: Listener, twilio: Twilio, message,  # type: ignore[no-untyped-def]
                                                fake_twilio: FakeTwilio, sessions, download_photos) -> None:
    url = fake_twilio.add_redirect("ME9", f"http://127.0.0.1:{listener.port}/steal")
    file_with_photo(twilio, message, url)
    assert download_photos().done == 1
    assert stored_paths(sessions) == [None]
    assert listener.received == []
    [media_get] = [r for r in fake_twilio.requests if r.method == "GET"]  # only Twilio saw the credentials
    assert media_get.auth == (fake_twilio.account_sid, fake_twilio.auth_token)


def test_twilios_own_media_url_is_still_fetched(twilio: Twilio, message, fake_twilio: FakeTwilio,  # type: ignore[no-untyped-def]
                                                sessions, download_photos) -> None:
    file_with_photo(twilio, message, fake_twilio.add_media("ME1", JPEG, "image/jpeg"))
    assert download_photos().done == 1
    assert stored_paths(sessions) != [None]
