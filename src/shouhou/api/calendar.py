"""Working-day calendar over the API: the same answers and JSON as `shouhou calendar` (§6).

Public (no private data): a dealer system can compute the same deadlines Shouhou shows. Bad input
is a 422 ``{"code": "invalid", "detail", "field"}``.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema

from shouhou.domain.calendar import DayKind
from shouhou.domain.parsing import parse_month, parse_start, parse_working_days
from shouhou.workdays.selectors import calendar, month_days

router = Router(tags=["calendar"])


class DueOut(Schema):
    start: datetime
    working_days: int
    due: datetime
    provisional: bool


class DayOut(Schema):
    date: date
    kind: DayKind
    name: str
    working: bool


class ErrorOut(Schema):
    code: str
    detail: str
    field: str | None = None


@router.get("/calendar/due", response={200: DueOut, 422: ErrorOut}, auth=None,
            summary="Deadline for 'within N working days of START' (DESIGN.md §2)")
def calendar_due(request: HttpRequest, start: str, working_days: str) -> dict[str, object]:
    """`start`: YYYY-MM-DD or YYYY-MM-DDTHH:MM (Asia/Shanghai), or ISO 8601 with an offset.
    `provisional` is true when the deadline depends on a year without an official schedule."""
    cal = calendar()
    n = parse_working_days(working_days)  # these raise Invalid naming the field: a 422
    at = parse_start(start, cal.tz)
    info = cal.due_info(at, n)
    return {"start": at, "working_days": n, "due": info.due, "provisional": info.provisional}


@router.get("/calendar/{year}/{month}", response={200: list[DayOut], 422: ErrorOut}, auth=None,
            summary="Each day of a month: working, rest, holiday, makeup, company_off, company_on")
def calendar_month(request: HttpRequest, year: int, month: int) -> list[dict[str, object]]:
    year, month = parse_month(f"{year:04d}-{month:02d}")
    return month_days(year, month)
