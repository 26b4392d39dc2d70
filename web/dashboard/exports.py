"""The statistics table as CSV and XLSX (the same rows the page shows)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any


def to_csv(columns: Sequence[str], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_safe(row.get(column)) for column in columns])
    return buffer.getvalue()


def to_xlsx(columns: Sequence[str], rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "SLA"
    sheet.append(list(columns))
    for row in rows:
        sheet.append([_safe(row.get(column)) for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _safe(value: Any) -> Any:
    """No spreadsheet formulas from data (CSV injection): text starting with = + - @ is quoted."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@"}:
        return "'" + value
    return "" if value is None else value
