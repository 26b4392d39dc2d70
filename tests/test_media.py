"""Media storage refuses what it should and stores each photo once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.media import MediaRejected, MediaStore


def test_photo_is_stored_once_under_its_hash(tmp_path: Path) -> None:
    store = MediaStore(tmp_path, max_bytes=1000)
    first = store.save(b"\xff\xd8\xff photo", "image/jpeg")
    second = store.save(b"\xff\xd8\xff photo", "image/jpeg; charset=binary")
    assert first.path == second.path and first.path.read_bytes() == b"\xff\xd8\xff photo"
    assert first.path.suffix == ".jpg" and first.size_bytes == 9


@pytest.mark.parametrize("content_type", ["application/pdf", "audio/ogg", "video/mp4", None, "text/html"])
def test_non_images_are_refused(tmp_path: Path, content_type: str | None) -> None:
    with pytest.raises(MediaRejected):
        MediaStore(tmp_path, max_bytes=1000).save(b"data", content_type)


def test_oversized_photo_is_refused_before_download(tmp_path: Path) -> None:
    with pytest.raises(MediaRejected, match="exceeds the limit"):
        MediaStore(tmp_path, max_bytes=10).check("image/png", 11)
