"""The error report of an import as CSV: UTF-8 with BOM so that Excel shows the Chinese right."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterable
from typing import IO

from shouhou.core.sheets import csv_writer
from shouhou.registry.imports.rows import COLUMNS, RowError

HEADER = ["行号 row", "键 key", "列 column", "值 value", "原因", "reason"]


def write_report(errors: Iterable[RowError], out: IO[bytes]) -> None:
    out.write(codecs.BOM_UTF8)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv_writer(text)  # cells echo the uploaded file: never a live formula
    writer.writerow(HEADER)
    for e in errors:
        zh, en, _aliases = COLUMNS[e.kind].get(e.column, (e.column, e.column, ()))
        writer.writerow([e.row, e.key, f"{zh} {en}", e.value, e.reason_zh, e.reason_en])
    text.detach()
