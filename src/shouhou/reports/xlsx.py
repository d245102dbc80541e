"""The reports' xlsx writer: streamed (write-only workbook into a temp file), formula-safe.

Every cell goes through `shouhou.core.sheets` (the product's one formula-safe cell writer), so
`=HYPERLINK(…)` typed as a dealer name comes out as those characters, never as a link.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from shouhou.core.sheets import xlsx_cell, xlsx_row


def write_xlsx(*, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write HEADERS and ROWS (any iterable: rows are not held in memory) to a new xlsx temp
    file and return its path; the caller deletes it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    header = []
    for title in headers:
        cell = xlsx_cell(ws, str(title))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append(xlsx_row(ws, row))
    fd, name = tempfile.mkstemp(prefix="report-", suffix=".xlsx")
    with open(fd, "wb") as fh:
        wb.save(fh)
    return Path(name)
