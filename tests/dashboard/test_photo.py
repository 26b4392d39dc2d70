"""Photos stored by the channels are shown on the complaint page, only to those who may see it."""

from __future__ import annotations

import re

from flask import Flask

from models.desk import AttachmentIn
from models.environment import Environment
from tests.dashboard.conftest import post
from web.dashboard import install_dashboard

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


def test_a_stored_photo_is_served_to_the_agency_and_refused_to_others(
        settings, database, engine, file_complaint, login, tmp_path) -> None:
    local = settings.model_copy(update={"intake": settings.intake.model_copy(update={"media_dir": str(tmp_path)})})
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / "photo.jpg").write_bytes(JPEG)
    outside = tmp_path.parent / "secret.txt"
    outside.write_text("not yours")
    code = file_complaint("Jalan rusak parah", agency="PUPR", attachments=(
        AttachmentIn(kind="photo", content_type="image/jpeg", storage_path="ab/photo.jpg"),
        AttachmentIn(kind="photo", content_type="text/plain", storage_path="../secret.txt")))
    app = Flask("photo-test")
    environment = Environment.of({"SECRET_KEY": "photo-test-secret-key-2b8d4f6a0c1e3579bd"})
    install_dashboard(app, local, database, engine, environment)
    admin = login("pupr.admin", app.test_client())
    page = admin.get(f"/dashboard/c/{code}").get_data(as_text=True)
    first, second = re.findall(r'src="(/dashboard/c/[^"]+/attachment/\d+)"', page)
    assert admin.get(first).data == JPEG
    assert admin.get(second).status_code == 404
    other = login("dlh.admin", app.test_client())
    assert other.get(first).status_code == 404  # another agency's: as if it did not exist
    post(admin, "/dashboard/logout")
    assert admin.get(first).status_code == 302
