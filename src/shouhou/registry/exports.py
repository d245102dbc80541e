"""Export of units to xlsx, streamed: an openpyxl write-only workbook into a temp file."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from django.db.models import QuerySet

from shouhou.core.sheets import xlsx_row
from shouhou.domain.errors import NotFound
from shouhou.domain.regions import region as region_lookup
from shouhou.registry.models import Unit, UnitStatus
from shouhou.registry.selectors import coverage_today_map
from shouhou.workdays import clock

HEADERS = ["序列号", "型号", "代理商", "销售地区", "发货日期", "售出日期", "状态", "今日保修"]
CHUNK = 2000


def _region_name(code: str, cache: dict[str, str]) -> str:
    if not code:
        return ""
    if code not in cache:
        try:
            cache[code] = region_lookup(code).name
        except NotFound:
            cache[code] = code
    return cache[code]


def units_export_xlsx(queryset: QuerySet[Unit], *, day: date | None = None) -> Path:
    """Write QUERYSET (already scoped to the user) to a new xlsx temp file and return its path.

    Rows are read in chunks and written by a write-only workbook, so memory stays flat however
    many units there are. The caller deletes the file.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    day = day or clock.today()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("设备")
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["C"].width = 24
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    statuses = dict(UnitStatus.choices)
    regions: dict[str, str] = {}
    qs = queryset.select_related("product_model", "dealer").order_by("serial")
    chunk: list[Unit] = []

    def flush() -> None:
        coverage = coverage_today_map(chunk, day)
        for u in chunk:
            c = coverage.get(u.pk)
            ws.append(xlsx_row(ws, [
                u.serial, u.product_model.code, u.dealer.name if u.dealer else "",
                _region_name(u.region_code, regions), u.shipped_on, u.sold_on, str(statuses.get(u.status, u.status)),
                c.label if c else "未起保",
            ]))
        chunk.clear()

    for unit in qs.iterator(chunk_size=CHUNK):
        chunk.append(unit)
        if len(chunk) >= CHUNK:
            flush()
    flush()
    fd, name = tempfile.mkstemp(prefix="units-", suffix=".xlsx")
    with open(fd, "wb") as fh:
        wb.save(fh)
    return Path(name)
