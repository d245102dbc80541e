"""The reports' xlsx writer: streamed (write-only workbook into a temp file), formula-safe.

A cell text that a spreadsheet would read as a formula (starting with `=`, `+`, `-` or `@`) is
written as a text cell, so `=HYPERLINK(…)` typed as a dealer name comes out as those characters
and never as a link or a calculation. The project's shared writer can replace this function
without changing its callers.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@")


def write_xlsx(*, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write HEADERS and ROWS (any iterable: rows are not held in memory) to a new xlsx temp
    file and return its path; the caller deletes it."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    header = []
    for title in headers:
        cell = WriteOnlyCell(ws, value=str(title))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append([_safe(ws, value) for value in row])
    fd, name = tempfile.mkstemp(prefix="report-", suffix=".xlsx")
    with open(fd, "wb") as fh:
        wb.save(fh)
    return Path(name)


def _safe(ws: Any, value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # a string cell, never a formula
        return cell
    return value
