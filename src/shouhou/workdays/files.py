"""Reading an uploaded calendar file (CSV or xlsx, told apart by content, not by name).

Columns: date, kind, name. Kinds: holiday / makeup / company_off / company_on, or 休 / 班 / 公司休 /
公司班. Parsing is the domain's ``load_day_rows``; this module only turns bytes into rows and its
English errors into Chinese ones naming the line.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

from django.utils.translation import gettext as _

from shouhou.domain.calendar import DayRow, load_day_rows
from shouhou.domain.errors import Invalid

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
XLSX_MAGIC = b"PK\x03\x04"


def read_day_rows(data: bytes) -> list[DayRow]:
    """Rows of a CSV (UTF-8 or GB18030, as Excel saves it in China) or xlsx file.

    Raises ``Invalid`` with one clear Chinese message for unusable content.
    """
    if not data.strip():
        raise Invalid(_("文件是空的。"))
    if len(data) > MAX_BYTES:
        raise Invalid(_("文件太大（上限 2 MB）。"))
    cells = _xlsx_cells(data) if data.startswith(XLSX_MAGIC) else _csv_cells(data)
    if len(cells) > MAX_ROWS:
        raise Invalid(_("行数太多（上限 %(n)s 行）。") % {"n": MAX_ROWS})
    try:
        rows = load_day_rows(cells)
    except Invalid as exc:
        raise Invalid(_translate(exc), **exc.extra) from exc
    if not rows:
        raise Invalid(_("文件中没有日期行（列：日期, 类型, 名称）。"))
    return rows


def _csv_cells(data: bytes) -> list[list[str]]:
    if b"\x00" in data[:4096]:
        raise Invalid(_("文件无法读取：不是 CSV 文本，也不是 xlsx 工作簿。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Invalid(_("文件无法读取：编码不是 UTF-8 或 GBK。"))
    import csv

    return [row for row in csv.reader(io.StringIO(text))]


def _xlsx_cells(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise Invalid(_("文件无法读取：不是有效的 xlsx 工作簿。")) from exc
    except Exception as exc:  # openpyxl raises its own types for malformed parts
        raise Invalid(_("文件无法读取：不是有效的 xlsx 工作簿。")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in values[:3]])
            if len(rows) > MAX_ROWS:
                break
        return rows
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_NOT_A_DATE = re.compile(r"^line (\d+): (.*) is not a date")
_BAD_KIND = re.compile(r"^line (\d+): kind (.*) is not one of")
_TWICE = re.compile(r"^line (\d+): (\S+) already given on line (\d+)")


def _translate(exc: Invalid) -> str:
    text = str(exc)
    if match := _NOT_A_DATE.match(text):
        return _("第 %(line)s 行：日期格式错误：%(value)s（应为 YYYY-MM-DD）") % {
            "line": match[1], "value": match[2]}
    if match := _BAD_KIND.match(text):
        return _("第 %(line)s 行：类型 %(value)s 无法识别（应为 holiday、makeup、company_off、company_on、"
                 "休、班、公司休、公司班）") % {"line": match[1], "value": match[2]}
    if match := _TWICE.match(text):
        return _("第 %(line)s 行：%(date)s 已在第 %(other)s 行出现") % {
            "line": match[1], "date": match[2], "other": match[3]}
    return text
