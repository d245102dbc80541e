"""Parsers for what people type or files carry: dates, deadlines' inputs, months, serials.

One module for every edge that reads such text (the `shouhou` commands, the REST API, the
imports), so the same input is accepted or refused the same way everywhere. Bad input raises
``Invalid`` naming the ``field``; the message is English, for the CLI line and the API's detail.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

from shouhou.domain.calendar import MAX_WORKING_DAYS
from shouhou.domain.errors import Invalid

__all__ = ["normalize_serial", "parse_date", "parse_month", "parse_start", "parse_working_days"]

_START = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?)?")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_WHOLE = re.compile(r"-?\d+")
_DATE = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")


def parse_start(text: str, tz: tzinfo, *, field: str = "start") -> datetime:
    """START as YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (in ``tz``), or with an explicit offset.

    Raises Invalid."""
    if not _START.fullmatch(text.strip()):
        raise Invalid(f"bad START {text!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM (optionally +08:00)",
                      field=field)
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise Invalid(f"bad START {text!r}: {exc}", field=field) from None
    return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)


def parse_working_days(text: str, *, field: str = "working_days") -> int:
    """A whole number of working days, 0 to MAX_WORKING_DAYS; raises Invalid."""
    if not _WHOLE.fullmatch(text.strip()):
        raise Invalid(f"bad N {text!r}: expected a whole number of working days", field=field)
    n = int(text)
    if n < 0:
        raise Invalid(f"bad N {n}: working days must be 0 or more", field=field)
    if n > MAX_WORKING_DAYS:
        raise Invalid(f"bad N {n}: at most {MAX_WORKING_DAYS} working days", field=field)
    return n


def parse_month(text: str, *, field: str = "month") -> tuple[int, int]:
    """YYYY-MM as (year, month); raises Invalid."""
    match = _MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 1 <= int(match[1]) <= 9999:
        raise Invalid(f"unknown month {text!r}: expected YYYY-MM, e.g. 2025-10", field=field)
    return int(match[1]), int(match[2])


def parse_date(value: date | str) -> str:
    """ISO text of a date cell, or of 'YYYY-MM-DD' / 'YYYY/MM/DD' / 'YYYY.MM.DD' (a spreadsheet's
    'YYYY-MM-DD 00:00:00' too); raises ValueError. The imports call it once per distinct text, so it
    raises the cheap ValueError and the caller names the row and column."""
    if isinstance(value, date):
        return value.isoformat()
    text = value.strip()
    if text.endswith(" 00:00:00"):  # dates written by spreadsheets as datetimes
        text = text[:-9]
    m = _DATE.match(text)
    if not m:
        raise ValueError(text)
    return date(int(m[1]), int(m[3]), int(m[4])).isoformat()


def normalize_serial(raw: str) -> str:
    """Serials are case-insensitive and typed or scanned with stray spaces: store them one way."""
    return "".join(raw.split()).upper()
