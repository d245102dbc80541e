"""Reads of the working-day calendar: the one the rest of the product computes deadlines with.

``calendar()`` is the shipped official data, with stored years replacing or extending it, plus
company days and the stored settings. Building one takes a few queries and ~50 ms (the domain
precomputes its working-day table), so each process caches it keyed by the stored version.

Cache trade-off: outside a transaction a cached calendar is trusted for ``CHECK_SECONDS`` (5 s)
before the version is read again (one indexed single-row query), so another process's change is
seen within 5 s; the process that saves a change drops its cache at once. Inside a transaction
(every write that stores a deadline) the version is re-read on every call, so stored deadlines
always come from the committed calendar, never from a copy up to 5 s old.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouhou.domain.calendar import (
    DayKind,
    DueInfo,
    OfficialYear,
    WorkCalendar,
    china_calendar,
)
from shouhou.workdays.models import CalendarSettings, CompanyDay, CompanyDayKind, OfficialDay, OfficialDayKind
from shouhou.workdays.models import OfficialYear as StoredYear

CHECK_SECONDS = 5.0

KIND_LABELS: dict[str, Any] = {
    DayKind.WORKING: gettext_lazy("工作日"),
    DayKind.REST: gettext_lazy("休息日"),
    DayKind.HOLIDAY: gettext_lazy("法定节假日"),
    DayKind.MAKEUP: gettext_lazy("调休上班"),
    DayKind.COMPANY_OFF: gettext_lazy("公司休息"),
    DayKind.COMPANY_ON: gettext_lazy("公司上班"),
}
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@dataclass(frozen=True)
class _Cached:
    key: tuple[int, datetime | None]
    calendar: WorkCalendar
    checked: float


_cached: _Cached | None = None
_build_lock = threading.Lock()


def calendar() -> WorkCalendar:
    """The product's working-day calendar (stored configuration over the shipped data)."""
    global _cached
    cached = _cached
    fresh_enough = cached is not None and time.monotonic() - cached.checked < CHECK_SECONDS
    if cached is not None and fresh_enough and not _in_transaction():
        return cached.calendar
    key = _version_key()
    if cached is not None and cached.key == key:
        _cached = _Cached(key, cached.calendar, time.monotonic())
        return cached.calendar
    with _build_lock:  # one build per process when many threads notice the change at once
        cached = _cached
        if cached is not None and cached.key == key:
            return cached.calendar
        built = build_calendar()
        _cached = _Cached(key, built, time.monotonic())
        return built


def calendar_tz() -> ZoneInfo:
    """The calendar's time zone without a query while the cached calendar is fresh.

    Local time is read on every page and every coverage lookup; a change of zone reaches other
    processes within CHECK_SECONDS, like the rest of the calendar (this process clears its cache
    when it saves the settings).
    """
    cached = _cached
    if cached is not None and time.monotonic() - cached.checked < CHECK_SECONDS:
        return cached.calendar.tz
    return calendar().tz


def _in_transaction() -> bool:
    return transaction.get_connection().in_atomic_block


def calendar_cache_clear() -> None:
    global _cached
    _cached = None


def _version_key() -> tuple[int, datetime | None]:
    row = CalendarSettings.objects.filter(pk=CalendarSettings.SINGLETON_PK).values_list(
        "version", "changed_at").first()
    return (row[0], row[1]) if row else (0, None)


def calendar_settings() -> CalendarSettings:
    """The stored settings, or an unsaved row with the defaults when none is stored yet."""
    return CalendarSettings.objects.filter(pk=CalendarSettings.SINGLETON_PK).first() or CalendarSettings(
        pk=CalendarSettings.SINGLETON_PK)


def stored_years() -> dict[int, OfficialYear]:
    """Admin-entered official schedules as domain objects, by year."""
    years = {y.pk: y for y in StoredYear.objects.all()}
    holidays: dict[int, dict[date, str]] = {pk: {} for pk in years}
    makeup: dict[int, dict[date, str]] = {pk: {} for pk in years}
    for year_id, day, kind, name in OfficialDay.objects.values_list("official_year_id", "date", "kind", "name"):
        (holidays if kind == OfficialDayKind.HOLIDAY else makeup)[year_id][day] = name
    return {
        y.year: OfficialYear(y.year, holidays[pk], makeup[pk], notice=y.notice, number=y.number, url=y.url)
        for pk, y in years.items()
    }


def build_calendar(*, official: dict[int, OfficialYear] | None = None,
                   company: list[CompanyDay] | None = None,
                   settings_row: CalendarSettings | None = None) -> WorkCalendar:
    """A fresh calendar from the database (no cache); arguments replace what would be read.

    Raises ``Invalid`` when the stored data contradicts itself (the services refuse such saves).
    """
    row = settings_row or calendar_settings()
    entered = stored_years() if official is None else official
    shipped = china_calendar()
    schedules = {y: shipped.official_year(y) for y in shipped.official_years}
    schedules.update(entered)
    days = list(CompanyDay.objects.all()) if company is None else company
    return WorkCalendar(
        weekdays=row.weekdays,
        official=[s for s in schedules.values() if s is not None],
        company_off={d.date: d.name for d in days if d.kind == CompanyDayKind.COMPANY_OFF},
        company_on={d.date: d.name for d in days if d.kind == CompanyDayKind.COMPANY_ON},
        opens=row.opens,
        closes=row.closes,
        tz=row.time_zone,
    )


def due_info(at: datetime, n: int) -> DueInfo:
    """Deadline for "within N working days of ``at``" by the stored calendar, and if provisional."""
    return calendar().due_info(at, n)


def due(at: datetime, n: int) -> datetime:
    return calendar().due(at, n)


# ----------------------------------------------------------------------------- month and years
def month_days(year: int, month: int, *, cal: WorkCalendar | None = None) -> list[dict[str, Any]]:
    """Each day of a month: {"date", "kind", "name", "working"} (the CLI and API JSON shape)."""
    cal = cal or calendar()
    first = date(year, month, 1)
    days = []
    day = first
    while day.month == month:
        kind = cal.kind(day)
        days.append({"date": day, "kind": str(kind), "name": cal.name(day),
                     "working": cal.is_working_day(day)})
        day = date.fromordinal(day.toordinal() + 1)
    return days


def missing_years(cal: WorkCalendar, first: date, last: date) -> list[int]:
    """Years without an official schedule that a span from ``first`` to ``last`` depends on."""
    years = [y for y in range(first.year, last.year + 1) if not cal.is_complete(y)]
    if not years and cal.provisional(last):  # late December, next year's notice missing
        years = [last.year + 1]
    return years


@dataclass(frozen=True)
class YearSummary:
    year: int
    source: str  # "shipped", "entered" (new year) or "replaced" (entered over a shipped year)
    holidays: int
    makeup: int
    notice: str
    number: str
    warnings: list[str]


def year_summaries(cal: WorkCalendar | None = None) -> list[YearSummary]:
    """Every year with official data, newest first, with its source and plausibility warnings."""
    cal = cal or calendar()
    entered = set(StoredYear.objects.values_list("year", flat=True))
    shipped = set(china_calendar().official_years)
    result = []
    for year in reversed(cal.official_years):
        schedule = cal.official_year(year)
        assert schedule is not None  # noqa: S101  (an invariant, for the type checker)
        source = "shipped" if year not in entered else ("replaced" if year in shipped else "entered")
        result.append(YearSummary(year, source, len(schedule.holidays), len(schedule.makeup),
                                  schedule.notice, schedule.number, year_warnings(cal, year)))
    return result


_NO_PERIOD = re.compile(r"^(\d+): no (.+) period \(every schedule (\d+)–(\d+) has one\)$")
_NO_MAKEUP = re.compile(r"^(\d+): no make-up working days")


def year_warnings(cal: WorkCalendar, year: int) -> list[str]:
    """The domain's plausibility warnings for ``year``, in the UI language."""
    result = []
    for text in cal.official_year_warnings(year):
        if match := _NO_PERIOD.match(text):
            result.append(_("%(year)s 年没有“%(name)s”假期（%(first)s–%(last)s 年的安排都有），请核对。") % {
                "year": match[1], "name": match[2], "first": match[3], "last": match[4]})
        elif _NO_MAKEUP.match(text):
            result.append(_("%(year)s 年没有调休上班日（多数年份都有），请核对。") % {"year": year})
        else:
            result.append(text)
    return result


def service_hours_text(cal: WorkCalendar | None = None) -> str:
    """The business hours for public pages, e.g. "周一至周六 10:15–18:30": the calendar's weekly
    pattern and opening hours, the same ones case pickup times are computed with."""
    from django.utils.translation import pgettext

    from shouhou.workdays.models import WEEKDAY_NAMES as NAMES

    cal = cal or calendar()
    days = sorted(cal.weekdays)
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        text = _("%(first)s至%(last)s") % {"first": NAMES[days[0]], "last": NAMES[days[-1]]}
    else:
        text = pgettext("list separator", "、").join(str(NAMES[d]) for d in days)
    return _("%(days)s %(opens)s–%(closes)s") % {
        "days": text, "opens": cal.opens.strftime("%H:%M"), "closes": cal.closes.strftime("%H:%M")}
