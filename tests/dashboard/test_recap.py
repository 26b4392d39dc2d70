"""The monthly recap as the Pemda reports it: a printable page and a formatted XLSX whose headers are
Indonesian, whose rows carry agency names, and whose totals are the database's own counts."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from models.tables import Complaint
from tests.dashboard.conftest import post

HEADER = ["No", "Perangkat Daerah", "Selesai", "Berproses", "Dalam koordinasi lanjutan", "Diteruskan", "Ditolak",
          "Jumlah", "% Tepat waktu", "Median tanggapan awal (jam)", "Median jawaban (jam)", "% Puas"]


def _month_of_work(app, client, login, file_complaint) -> None:  # type: ignore[no-untyped-def]
    answered = file_complaint("Jalan berlubang di Jl. Pramuka", agency="PUPR", channel="whatsapp")
    coordinating = file_complaint("Jembatan miring di Desa Anjir", agency="PUPR", channel="sms")
    file_complaint("Drainase tersumbat di Jl. Veteran", agency="PUPR", channel="whatsapp")
    file_complaint("Sampah menumpuk di pasar", agency="DLH", channel="web")
    file_complaint("Listrik padam tiga hari", agency="EXT_PLN", channel="telegram")
    file_complaint("Lampu jalan mati", agency=None, channel="telegram")
    admin = login("pupr.admin", app.test_client())
    post(admin, f"/dashboard/c/{answered}/act", {"action": "answer", "note": "Sudah ditambal"})
    post(admin, f"/dashboard/c/{coordinating}/act", {"action": "coordinate", "note": "Menunggu Balai Sungai"})


def test_the_xlsx_recap_has_indonesian_headers_agency_names_and_the_databases_totals(
        app, client, login, file_complaint, sessions) -> None:
    _month_of_work(app, client, login, file_complaint)
    login("sekda")
    response = client.get("/dashboard/recap.xlsx?month=2026-11")
    assert response.status_code == 200 and "rekap-pengaduan-2026-11.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Rekap"]
    assert "November 2026" in sheet["A1"].value
    assert [cell.value for cell in sheet[3]] == HEADER
    assert sheet.freeze_panes == "A4" and sheet.column_dimensions["B"].width == 42
    rows = {row[1]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    pupr = rows["Dinas Pekerjaan Umum dan Penataan Ruang"]
    assert pupr[2:8] == (1, 1, 1, 0, 0, 3)  # selesai, berproses, koordinasi, diteruskan, ditolak, jumlah
    assert "Antrean verifikasi" in rows and "PLN" not in rows and "PUPR" not in rows
    total = rows["Jumlah"]
    with sessions() as db:
        filed = db.scalar(select(func.count(Complaint.id)))
        forwarded = db.scalar(select(func.count(Complaint.id)).where(Complaint.status == "forwarded"))
    assert total[7] == filed == 6 and total[5] == forwarded == 1
    assert sheet.cell(row=4, column=9).number_format == "0.0%"
    by_category = book["Per kategori"]
    assert any(str(row[0]).startswith("Sub-jumlah Dinas Pekerjaan Umum") and row[-1] == 3
               for row in by_category.iter_rows(min_row=4, values_only=True))
    channels = {row[0]: row[1] for row in book["Kanal"].iter_rows(min_row=4, values_only=True)}
    assert channels["WhatsApp"] == 2 and channels["Jumlah"] == 6
    kinds = {row[0]: row[1] for row in book["Jenis laporan"].iter_rows(min_row=4, values_only=True)}
    assert kinds["Pengaduan"] == 6


def test_the_recap_page_totals_agree_with_the_workbook_and_an_admin_sees_only_their_agency(
        app, client, login, file_complaint) -> None:
    _month_of_work(app, client, login, file_complaint)
    login("bupati")
    page = client.get("/dashboard/recap?month=2026-11").get_data(as_text=True)
    assert 'id="recap-grand-total">6<' in page and "November 2026" in page
    assert "Dinas Lingkungan Hidup" in page and "Dalam koordinasi lanjutan" in page
    admin = login("pupr.admin", app.test_client())
    own = admin.get("/dashboard/recap?month=2026-11").get_data(as_text=True)
    assert 'id="recap-grand-total">3<' in own and "Dinas Lingkungan Hidup" not in own
    sheet = load_workbook(io.BytesIO(admin.get("/dashboard/recap.xlsx?month=2026-11").data))["Rekap"]
    assert [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)] == [
        "Dinas Pekerjaan Umum dan Penataan Ruang", "Jumlah"]
