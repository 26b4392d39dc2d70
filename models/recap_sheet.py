"""The monthly recap as the Pemda files it: a formatted workbook (Indonesian headers, agency names, the
seeds' status set with totals and sub-totals, on-time share, median times, satisfaction; then kind,
category and channel). Column widths set, header row frozen, numbers formatted as numbers."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from models.exports import safe
from models.reports import month_in_words

# models/reports.py STATUS_GROUPS, as the Pemda's report names them.
STATUS_COLUMNS = (("resolved", "Selesai"), ("in_progress", "Berproses"),
                  ("coordinating", "Dalam koordinasi lanjutan"), ("forwarded", "Diteruskan"), ("rejected", "Ditolak"))
PERFORMANCE_COLUMNS = ("% Tepat waktu", "Median tanggapan awal (jam)", "Median jawaban (jam)", "% Puas")
TRIAGE = "triase"


def recap_workbook(recap: Mapping[str, Any], names: Mapping[str, str],
                   breakdowns: Mapping[str, Sequence[tuple[str, int]]]) -> bytes:
    """`recap` from models.reports.monthly_recap; `breakdowns` titles -> (value, count) rows (kind, channel)."""
    from openpyxl import Workbook  # only the export pays for loading it

    book = Workbook()
    _status_sheet(book.active, recap, names)
    _category_sheet(book.create_sheet(), recap, names)
    for title, rows in breakdowns.items():
        _breakdown_sheet(book.create_sheet(), title, rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def agency_name(code: str, names: Mapping[str, str]) -> str:
    return "Antrean verifikasi" if code == TRIAGE else names.get(code, code)


def _status_sheet(sheet: Any, recap: Mapping[str, Any], names: Mapping[str, str]) -> None:
    sheet.title = "Rekap"
    header = ["No", "Perangkat Daerah", *(label for _, label in STATUS_COLUMNS), "Jumlah", *PERFORMANCE_COLUMNS]
    _title(sheet, f"Rekapitulasi Pengaduan Masyarakat — {month_in_words(recap['month'])}", len(header))
    sheet.append(header)
    counts: dict[str, dict[str, int]] = {}
    for item in recap["counts"]:
        line = counts.setdefault(item["agency"], {})
        line[item["status"]] = line.get(item["status"], 0) + int(item["count"])
    metrics = {item["agency"]: item for item in recap["agencies"]}
    order = sorted(counts, key=lambda code: (-sum(counts[code].values()), agency_name(code, names)))
    for number, code in enumerate(order, start=1):
        line, metric = counts[code], metrics.get(code, {})
        sheet.append([number, safe(agency_name(code, names)), *(line.get(key, 0) for key, _ in STATUS_COLUMNS),
                      sum(line.values()), metric.get("answered_within_deadline"),
                      metric.get("median_hours_to_acknowledge"), metric.get("median_hours_to_answer"),
                      metric.get("satisfied_share")])
    totals = [sum(counts[code].get(key, 0) for code in order) for key, _ in STATUS_COLUMNS]
    sheet.append(["", "Jumlah", *totals, sum(totals)])
    _format(sheet, header, widths={"B": 42}, percent=("% Tepat waktu", "% Puas"),
            hours=("Median tanggapan awal (jam)", "Median jawaban (jam)"))
    _bold_row(sheet, sheet.max_row)


def _category_sheet(sheet: Any, recap: Mapping[str, Any], names: Mapping[str, str]) -> None:
    """Per agency and category, with a sub-total under each agency."""
    sheet.title = "Per kategori"
    header = ["Perangkat Daerah", "Kategori", *(label for _, label in STATUS_COLUMNS), "Jumlah"]
    _title(sheet, f"Pengaduan per kategori — {month_in_words(recap['month'])}", len(header))
    sheet.append(header)
    grouped: dict[str, dict[str, dict[str, int]]] = {}
    for item in recap["counts"]:
        by_category = grouped.setdefault(item["agency"], {}).setdefault(item["category"], {})
        by_category[item["status"]] = by_category.get(item["status"], 0) + int(item["count"])
    for code in sorted(grouped, key=lambda c: agency_name(c, names)):
        sub = dict.fromkeys((key for key, _ in STATUS_COLUMNS), 0)
        for category, line in sorted(grouped[code].items()):
            values = [line.get(key, 0) for key, _ in STATUS_COLUMNS]
            sheet.append([safe(agency_name(code, names)), safe(category), *values, sum(values)])
            for key, _ in STATUS_COLUMNS:
                sub[key] += line.get(key, 0)
        sheet.append([safe(f"Sub-jumlah {agency_name(code, names)}"), "", *sub.values(), sum(sub.values())])
        _bold_row(sheet, sheet.max_row)
    _format(sheet, header, widths={"A": 42, "B": 24})


def _breakdown_sheet(sheet: Any, title: str, rows: Sequence[tuple[str, int]]) -> None:
    sheet.title = title[:31]
    header = [title, "Jumlah"]
    _title(sheet, title, 2)
    sheet.append(header)
    for value, count in rows:
        sheet.append([safe(value), count])
    sheet.append(["Jumlah", sum(count for _, count in rows)])
    _bold_row(sheet, sheet.max_row)
    _format(sheet, header, widths={"A": 32})


def _title(sheet: Any, text: str, width: int) -> None:
    from openpyxl.styles import Font

    sheet.append([text])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])  # row 2 empty; the header is row 3


def _format(sheet: Any, header: list[str], widths: Mapping[str, int], percent: Sequence[str] = (),
            hours: Sequence[str] = ()) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_row = 3
    for index, name in enumerate(header, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=header_row, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="8B0000")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[letter].width = widths.get(letter, max(10, min(16, len(name) + 2)))
        number_format = "0.0%" if name in percent else "0.0" if name in hours else "0"
        for row in range(header_row + 1, sheet.max_row + 1):
            value = sheet.cell(row=row, column=index)
            if isinstance(value.value, int | float):
                value.number_format = number_format
    sheet.row_dimensions[header_row].height = 32
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)


def _bold_row(sheet: Any, row: int) -> None:
    from openpyxl.styles import Font

    for cell in sheet[row]:
        cell.font = Font(bold=True)
