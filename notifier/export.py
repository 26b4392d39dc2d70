"""The monthly recap as CSV or XLSX (for the Bagian Organisasi's spreadsheet habits)."""

from __future__ import annotations

import csv
import io
from typing import Any

COUNT_COLUMNS = ("agency", "category", "status", "count")
AGENCY_COLUMNS = ("agency", "complaints", "answered", "median_hours_to_acknowledge", "median_hours_to_answer",
                  "answered_within_deadline", "average_rating", "satisfied_share")


def recap_csv(recap: dict[str, Any]) -> str:
    """Two tables in one file: counts per agency x category x status, then per-agency measures."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", recap["month"], "timezone", recap["timezone"]])
    writer.writerow(COUNT_COLUMNS)
    writer.writerows([row[column] for column in COUNT_COLUMNS] for row in recap["counts"])
    writer.writerow([])
    writer.writerow(AGENCY_COLUMNS)
    writer.writerows([_cell(row[column]) for column in AGENCY_COLUMNS] for row in recap["agencies"])
    return out.getvalue()


def recap_xlsx(recap: dict[str, Any], path: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    counts = book.active
    counts.title = f"Jumlah {recap['month']}"
    counts.append(list(COUNT_COLUMNS))
    for row in recap["counts"]:
        counts.append([row[column] for column in COUNT_COLUMNS])
    agencies = book.create_sheet("Per instansi")
    agencies.append(list(AGENCY_COLUMNS))
    for row in recap["agencies"]:
        agencies.append([row[column] for column in AGENCY_COLUMNS])
    book.save(path)


def _cell(value: Any) -> Any:
    return "" if value is None else value
