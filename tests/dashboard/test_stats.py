"""Statistics per month and agency, drawn as SVG on the server, exported as CSV and XLSX."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.dashboard.conftest import post


def _answered_and_late(client, login, file_complaint, clock) -> None:  # type: ignore[no-untyped-def]
    quick = file_complaint("Jalan berlubang di Jl. Pramuka", agency="PUPR")
    slow = file_complaint("Jalan retak di Jl. Veteran", agency="PUPR")
    file_complaint("Sampah menumpuk di pasar", agency="DLH")
    login("pupr.admin")
    clock.advance(hours=2)
    post(client, f"/dashboard/c/{quick}/act", {"action": "ack"})
    clock.advance(hours=2)
    post(client, f"/dashboard/c/{quick}/act", {"action": "answer", "note": "Sudah ditambal"})
    clock.advance(days=20)
    login("pupr.admin")  # twenty days later: a new sign-in (sessions have an absolute lifetime)
    post(client, f"/dashboard/c/{slow}/act", {"action": "answer", "note": "Terlambat, maaf"})
    login("sekda")


def test_the_statistics_page_shows_the_table_and_svg_charts(client, login, file_complaint, clock) -> None:
    _answered_and_late(client, login, file_complaint, clock)
    page = client.get("/dashboard/stats").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="months"' in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="agencies"' in page
    assert "<td>2026-11</td><td>PUPR</td><td>2</td><td>2</td><td>50.0</td><td>243.0</td><td>244.0</td>" in page
    assert "<td>2026-11</td><td>DLH</td><td>1</td><td>0</td><td>-</td>" in page


def test_csv_and_xlsx_exports_carry_the_same_rows(client, login, file_complaint, clock) -> None:
    _answered_and_late(client, login, file_complaint, clock)
    rows = list(csv.DictReader(io.StringIO(client.get("/dashboard/stats.csv").get_data(as_text=True))))
    pupr = next(row for row in rows if row["agency"] == "PUPR")
    assert (pupr["total"], pupr["answered"], pupr["answered_in_time_pct"]) == ("2", "2", "50.0")
    assert (pupr["median_ack_hours"], pupr["median_answer_hours"]) == ("243.0", "244.0")  # 2 h and 484 h
    response = client.get("/dashboard/stats.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["month", "agency", "total"]
    assert values[[v[1] for v in values].index("PUPR")][:5] == ["2026-11", "PUPR", 2, 2, 50.0]


def test_statistics_can_be_narrowed_to_one_agency_and_period(client, login, file_complaint, clock) -> None:
    _answered_and_late(client, login, file_complaint, clock)
    rows = client.get("/dashboard/stats.csv?agency=DLH&from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert "DLH" in rows and "PUPR" not in rows
    assert client.get("/dashboard/stats.csv?from=2025-01-01&to=2025-01-31").get_data(as_text=True).count("\n") == 1


def test_an_agency_admin_sees_only_their_agency_figures(client, login, file_complaint, clock) -> None:
    _answered_and_late(client, login, file_complaint, clock)
    login("dlh.admin")
    rows = client.get("/dashboard/stats.csv?agency=PUPR").get_data(as_text=True)
    assert "DLH" in rows and "PUPR" not in rows


def test_svg_labels_are_escaped() -> None:
    from web.dashboard.svg import bar_chart

    svg = str(bar_chart("<b>judul</b>", [("<script>", 3.0)]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_the_on_time_chart_shows_only_regional_agencies_with_something_answered(client, login, file_complaint,
                                                                                clock) -> None:
    _answered_and_late(client, login, file_complaint, clock)
    page = client.get("/dashboard/stats").get_data(as_text=True)
    chart = page[page.index('id="agencies"'):page.index("</svg>", page.index('id="agencies"'))]
    assert "<title>PUPR: 50%</title>" in chart
    assert "DLH" not in chart  # nothing answered yet: no "0%" bar
    assert "November 2026" in page  # months in words, not "2026-11", on the chart


def test_the_statistics_page_shows_channels_and_response_time_median_and_90th_percentile(
        client, login, file_complaint, clock) -> None:
    _answered_and_late(client, login, file_complaint, clock)
    page = client.get("/dashboard/stats").get_data(as_text=True)
    assert 'id="channels"' in page and "<title>Telegram: 3</title>" in page
    # Answers after 4 h and after 20 days 4 h (484 h): median 244, 90th percentile 436 (linear).
    assert '<dd id="answer-time">median 244.0 jam · 90% dalam 436.0 jam</dd>' in page
    assert '<dd id="reopened">0.0</dd>' in page
