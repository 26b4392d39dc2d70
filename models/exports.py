"""Tables for people's spreadsheets, as CSV or XLSX: the dashboard's statistics and the monthly recap.

No value from the data becomes a spreadsheet formula (CSV injection): text starting with = + - @ is
written with a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FORMULA_STARTS = frozenset({"=", "+", "-", "@"})


@dataclass(frozen=True)
class Table:
    title: str  # the sheet's name in XLSX
    columns: Sequence[str]
    rows: Sequence[Mapping[str, Any]]


def to_csv(*tables: Table, preamble: Sequence[Any] = ()) -> str:
    """Each table's header and rows, tables separated by an empty row; `preamble` is a first row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if preamble:
        writer.writerow([safe(value) for value in preamble])
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow(table.columns)
        writer.writerows([safe(row.get(column)) for column in table.columns] for row in table.rows)
    return buffer.getvalue()


def to_xlsx(*tables: Table) -> bytes:
    """One sheet per table."""
    from openpyxl import Workbook  # only the export pays for loading it

    book = Workbook()
    for index, table in enumerate(tables):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = table.title[:31]  # Excel's limit
        sheet.append(list(table.columns))
        for row in table.rows:
            sheet.append([safe(row.get(column)) for column in table.columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def safe(value: Any) -> Any:
    """A cell as written: no formula from data, and nothing for None."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return "" if value is None else value
