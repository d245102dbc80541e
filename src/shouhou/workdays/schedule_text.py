"""The one-line-per-period text an admin types to enter a year's official schedule.

    2027-01-01..2027-01-03 休 元旦
    2027-02-07 班 春节

A line is a date or a range (``..``, ``至`` or ``~``), a kind (休/放假/holiday or 班/补班/makeup)
and an optional name. Every bad line is reported, each with its line number, in one go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from shouhou.domain.calendar import OfficialYear

HOLIDAY_WORDS = {"休", "假", "放假", "休息", "holiday"}
MAKEUP_WORDS = {"班", "补班", "上班", "调休上班", "makeup"}
MAX_RANGE_DAYS = 31
_RANGE_SEPARATORS = re.compile(r"\s*(?:\.\.|…|至|~|～)\s*")


@dataclass
class ParsedSchedule:
    holidays: dict[date, str] = field(default_factory=dict)
    makeup: dict[date, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _date(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        return None
    y, m, d = (int(p) for p in text.split("-"))
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_schedule_text(text: str, *, year: int) -> ParsedSchedule:
    """Parse the lines for the ``year`` notice; dates may lie in ``year`` or December ``year - 1``."""
    result = ParsedSchedule()
    seen: dict[date, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = re.split(r"[\s,，\t]+", _RANGE_SEPARATORS.sub("..", line), maxsplit=2)
        error = _line_error(parts, year)
        if error:
            result.errors.append(_("第 %(line)s 行：%(error)s") % {"line": number, "error": error})
            continue
        first, last, is_holiday = _line_parts(parts)
        name = parts[2].strip() if len(parts) > 2 else ""
        target = result.holidays if is_holiday else result.makeup
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            if day in seen:
                result.errors.append(_("第 %(line)s 行：%(date)s 已在第 %(other)s 行出现") % {
                    "line": number, "date": day.isoformat(), "other": seen[day]})
                break
            seen[day] = number
            target[day] = name
    return result


def _line_parts(parts: list[str]) -> tuple[date, date, bool]:
    first_text, _sep, last_text = parts[0].partition("..")
    first = _date(first_text)
    last = _date(last_text) if last_text else first
    assert first is not None and last is not None  # noqa: S101  (an invariant, for the type checker)
    return first, last, parts[1].lower() in HOLIDAY_WORDS


def _line_error(parts: list[str], year: int) -> str | None:
    first_text, sep, last_text = parts[0].partition("..")
    first = _date(first_text)
    last = _date(last_text) if sep else first
    if first is None or last is None:
        return _("日期格式错误：“%(text)s”（应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD）") % {"text": parts[0]}
    if last < first:
        return _("结束日期 %(last)s 早于开始日期 %(first)s") % {"first": first, "last": last}
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        return _("日期范围超过 %(n)s 天，请检查") % {"n": MAX_RANGE_DAYS}
    for day in (first, last):
        if not (day.year == year or (day.year == year - 1 and day.month == 12)):
            return _("%(date)s 不属于 %(year)s 年的安排（日期应在 %(year)s 年内，或 %(prev)s 年 12 月）") % {
                "date": day.isoformat(), "year": year, "prev": year - 1}
    if len(parts) < 2:
        return _("缺少类型（休 或 班）")
    kind = parts[1].lower()
    if kind not in HOLIDAY_WORDS and kind not in MAKEUP_WORDS:
        return _("类型“%(kind)s”无法识别（应为 休 或 班）") % {"kind": parts[1]}
    return None


def schedule_text(schedule: OfficialYear | None) -> str:
    """The text for a schedule, consecutive days of one kind and name joined into ranges."""
    if schedule is None:
        return ""
    days = sorted([(d, "休", n) for d, n in schedule.holidays.items()]
                  + [(d, "班", n) for d, n in schedule.makeup.items()])
    lines: list[str] = []
    start = prev = None
    current: tuple[str, str] | None = None
    for day, kind, name in days:
        if prev is not None and current == (kind, name) and day == prev + timedelta(days=1):
            prev = day
            continue
        if start is not None and current is not None:
            lines.append(_format(start, prev, *current))
        start = prev = day
        current = (kind, name)
    if start is not None and current is not None:
        lines.append(_format(start, prev, *current))
    return "\n".join(lines)


def _format(first: date, last: date | None, kind: str, name: str) -> str:
    dates = first.isoformat() if last in (None, first) else f"{first.isoformat()}..{last.isoformat()}"
    return f"{dates} {kind} {name}".rstrip()
