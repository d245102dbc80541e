"""Changes to the stored calendar. Each one: lock the settings row, check the whole resulting
calendar with the domain (which refuses a date that is both off and on, or in two schedules),
write, bump the version and append one ``calendar.changed`` audit event with the old and new
version.

Deadlines already stored on open RMA lines keep the value computed when their step started (the
RMA app stores ``due_at``); only deadlines computed after the change use the new calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhou.core.models import User
from shouhou.core.services import audit_record
from shouhou.domain.calendar import (
    WORKING_KINDS,
    DayKind,
    DayRow,
    OfficialYear,
    WorkCalendar,
    china_calendar,
)
from shouhou.domain.errors import Invalid, NotFound
from shouhou.workdays import selectors
from shouhou.workdays.models import (
    WEEKDAY_NAMES,
    CalendarSettings,
    CompanyDay,
    CompanyDayKind,
    OfficialDay,
    OfficialDayKind,
)
from shouhou.workdays.models import OfficialYear as StoredYear

# New Year periods can start in late December of the year before the notice.
LATE_DECEMBER_DAY = 25


def _locked_settings() -> CalendarSettings:
    """The settings row, created with the defaults if missing, locked until the transaction ends."""
    row, _created = CalendarSettings.objects.select_for_update().get_or_create(pk=CalendarSettings.SINGLETON_PK)
    return row


def _bump(row: CalendarSettings, *, actor: User | None, data: dict[str, Any]) -> CalendarSettings:
    old = row.version
    row.version = old + 1
    row.changed_at = timezone.now()
    row.save(update_fields=["version", "changed_at"])
    audit_record(row, "calendar.changed", actor=actor, data={**data, "old_version": old, "new_version": row.version})
    # This process sees its change at once; others within selectors.CHECK_SECONDS.
    selectors.calendar_cache_clear()
    transaction.on_commit(selectors.calendar_cache_clear)
    return row


def _summary(schedule: OfficialYear | None) -> dict[str, Any] | None:
    if schedule is None:
        return None
    return {"holidays": len(schedule.holidays), "makeup": len(schedule.makeup)}


def _diff(before: OfficialYear | None, after: OfficialYear | None) -> dict[str, list[str]]:
    """Dates whose kind or name changed, for the audit trail (capped: a year has < 60 such dates)."""
    def kinds(s: OfficialYear | None) -> dict[date, str]:
        if s is None:
            return {}
        return {**{d: f"holiday {n}" for d, n in s.holidays.items()}, **{d: f"makeup {n}" for d, n in s.makeup.items()}}

    old, new = kinds(before), kinds(after)
    return {
        "added": [f"{d.isoformat()} {new[d]}".strip() for d in sorted(set(new) - set(old))][:100],
        "removed": [f"{d.isoformat()} {old[d]}".strip() for d in sorted(set(old) - set(new))][:100],
        "changed": [f"{d.isoformat()} {old[d]} -> {new[d]}" for d in sorted(set(old) & set(new))
                    if old[d] != new[d]][:100],
    }


# ----------------------------------------------------------------------------- settings
@transaction.atomic
def calendar_settings_update(*, actor: User | None, weekdays: set[int] | frozenset[int], opens: time,
                             closes: time, time_zone: str) -> CalendarSettings:
    """Change the weekly pattern, business hours or time zone. Raises ``Invalid``."""
    row = _locked_settings()
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(_("未知时区：%(tz)s") % {"tz": time_zone}, field="time_zone") from exc
    pattern = "".join(str(d) for d in sorted(set(weekdays)))
    before = {"weekdays": row.working_weekdays, "opens": row.opens.isoformat(timespec="minutes"),
              "closes": row.closes.isoformat(timespec="minutes"), "time_zone": row.time_zone}
    candidate = CalendarSettings(pk=row.pk, working_weekdays=pattern, opens=opens, closes=closes,
                                 time_zone=time_zone)
    selectors.build_calendar(settings_row=candidate)  # the domain checks the pattern and the hours
    after = {"weekdays": pattern, "opens": opens.isoformat(timespec="minutes"),
             "closes": closes.isoformat(timespec="minutes"), "time_zone": time_zone}
    if before == after:
        return row
    row.working_weekdays, row.opens, row.closes, row.time_zone = pattern, opens, closes, time_zone
    row.save(update_fields=["working_weekdays", "opens", "closes", "time_zone"])
    changed = {k: {"old": before[k], "new": after[k]} for k in after if before[k] != after[k]}
    return _bump(row, actor=actor, data={"what": "settings", "changes": changed})


def calendar_settings_ensure() -> CalendarSettings:
    """The default policy pack: the settings row with the vendor's defaults (Mon–Sat, 10:15–18:30,
    Asia/Shanghai), created once; an existing row is left as the admin set it."""
    row, _created = CalendarSettings.objects.get_or_create(pk=CalendarSettings.SINGLETON_PK)
    return row


# ----------------------------------------------------------------------------- official years
@dataclass
class SaveResult:
    version: int
    warnings: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    company_days: int = 0


def _write_year(schedule: OfficialYear) -> None:
    stored, _created = StoredYear.objects.update_or_create(
        year=schedule.year,
        defaults={"notice": schedule.notice, "number": schedule.number, "url": schedule.url,
                  "updated_at": timezone.now()},
    )
    stored.days.all().delete()
    OfficialDay.objects.bulk_create(
        [OfficialDay(official_year=stored, date=d, kind=OfficialDayKind.HOLIDAY, name=n)
         for d, n in schedule.holidays.items()]
        + [OfficialDay(official_year=stored, date=d, kind=OfficialDayKind.MAKEUP, name=n)
           for d, n in schedule.makeup.items()]
    )


# The official week the State Council notices are written for: a make-up day (调休上班) is a
# Saturday or Sunday that becomes a working day; on Monday–Friday it would change nothing.
OFFICIAL_WEEKDAYS = range(5)


def check_official_makeup(makeup: Iterable[date]) -> None:
    """Refuse make-up days that already are working days (Monday–Friday). Raises ``Invalid``."""
    redundant = sorted(d for d in makeup if d.weekday() in OFFICIAL_WEEKDAYS)
    if redundant:
        raise Invalid(
            _("%(dates)s本来就是工作日（周一至周五），不能登记为调休上班；调休上班日只能是周六或周日。") % {
                "dates": "、".join(f"{d.isoformat()}（{WEEKDAY_NAMES[d.weekday()]}）" for d in redundant)},
            field="days", reason="makeup_on_working_day", dates=[d.isoformat() for d in redundant])


def check_company_on(*, calendar: WorkCalendar, day: date) -> None:
    """Refuse a company working day (公司上班) on a day that already is a working day by the
    official schedules and the weekly pattern. Raises ``Invalid``."""
    if calendar.official_kind(day) in WORKING_KINDS:
        raise Invalid(
            _("%(date)s（%(weekday)s）本来就是工作日，无需设为“公司上班”；公司上班只用于休息日或节假日。") % {
                "date": day.isoformat(), "weekday": WEEKDAY_NAMES[day.weekday()]},
            field="date", reason="makeup_on_working_day", date=day.isoformat())


def official_year_preview(*, year: int, holidays: dict[date, str], makeup: dict[date, str],
                          notice: str = "", number: str = "") -> tuple[WorkCalendar, list[str]]:
    """The calendar as it would be with this schedule, and its warnings. Raises ``Invalid``."""
    check_official_makeup(makeup)
    candidate = selectors.build_calendar().with_official_year(
        year, holidays=holidays, makeup=makeup, notice=notice, number=number)
    return candidate, selectors.year_warnings(candidate, year)


@transaction.atomic
def official_year_save(*, actor: User | None, year: int, holidays: dict[date, str], makeup: dict[date, str],
                       notice: str = "", number: str = "", url: str = "") -> SaveResult:
    """Store ``year``'s official schedule (replacing the shipped or a stored one).

    Raises ``Invalid`` for an empty schedule, a date both off and on, or a date that another
    year's schedule already has. Returns the warnings (e.g. no 国庆节) to show the admin.
    """
    if not holidays:
        raise Invalid(_("%(year)s 年的安排没有任何放假日期。") % {"year": year}, field="days")
    check_official_makeup(makeup)
    row = _locked_settings()
    current = selectors.build_calendar(settings_row=row)
    before = current.official_year(year)
    candidate = current.with_official_year(year, holidays=holidays, makeup=makeup, notice=notice,
                                           number=number, url=url)
    after = candidate.official_year(year)
    assert after is not None  # noqa: S101  (an invariant, for the type checker)
    _write_year(after)
    _bump(row, actor=actor, data={"what": "official_year", "year": year, "before": _summary(before),
                                  "after": _summary(after), **_diff(before, after)})
    return SaveResult(row.version, selectors.year_warnings(candidate, year), [year])


@transaction.atomic
def official_year_delete(*, actor: User | None, year: int) -> SaveResult:
    """Remove an entered schedule: the year goes back to the shipped data, or to none. Raises ``NotFound``."""
    stored = StoredYear.objects.filter(year=year).first()
    if stored is None:
        raise NotFound(_("%(year)s 年没有录入的安排。") % {"year": year})
    row = _locked_settings()
    before = selectors.build_calendar(settings_row=row).official_year(year)
    stored.delete()
    after = china_calendar().official_year(year)
    selectors.build_calendar(settings_row=row)  # the shipped year must fit with the rest again
    _bump(row, actor=actor, data={"what": "official_year_deleted", "year": year, "before": _summary(before),
                                  "after": _summary(after), **_diff(before, after)})
    return SaveResult(row.version, [], [year])


# ----------------------------------------------------------------------------- company days
@transaction.atomic
def company_day_save(*, actor: User | None, day: date, kind: str, name: str = "", note: str = "",
                     company_day: CompanyDay | None = None) -> CompanyDay:
    """Add a company day off/on, or change one. Raises ``Invalid`` when the date already has one."""
    if kind not in CompanyDayKind.values:
        raise Invalid(_("类型必须是 company_off 或 company_on。"), field="kind")
    row = _locked_settings()
    clash = CompanyDay.objects.filter(date=day).exclude(pk=getattr(company_day, "pk", None)).first()
    if clash is not None:
        raise Invalid(_("%(date)s 已设置为“%(kind)s”，一个日期不能既休息又上班。") % {
            "date": day.isoformat(), "kind": clash.get_kind_display()}, field="date")
    if kind == CompanyDayKind.COMPANY_ON:
        check_company_on(calendar=selectors.build_calendar(settings_row=row), day=day)
    before = None
    if company_day is None:
        company_day = CompanyDay(date=day, kind=kind, name=name, note=note)
    else:
        before = {"date": company_day.date.isoformat(), "kind": company_day.kind, "name": company_day.name}
        company_day.date, company_day.kind, company_day.name, company_day.note = day, kind, name, note
    company_day.save()
    _bump(row, actor=actor, data={"what": "company_day", "before": before,
                                  "after": {"date": day.isoformat(), "kind": kind, "name": name}})
    return company_day


@transaction.atomic
def company_day_delete(*, actor: User | None, company_day: CompanyDay) -> None:
    row = _locked_settings()
    before = {"date": company_day.date.isoformat(), "kind": company_day.kind, "name": company_day.name}
    company_day.delete()
    _bump(row, actor=actor, data={"what": "company_day_deleted", "before": before, "after": None})


# ----------------------------------------------------------------------------- import
@dataclass(frozen=True)
class ImportPlan:
    """What an import would do: official schedules per notice year, company days, warnings."""

    years: dict[int, OfficialYear]
    company: list[DayRow]
    warnings: list[str]
    replaces: dict[int, str]  # year -> "shipped" / "entered" (what it replaces)


def group_official_rows(rows: list[DayRow], *, year: int | None = None) -> dict[int, OfficialYear]:
    """Holiday/make-up rows grouped into schedules by notice year.

    With ``year`` every row belongs to it. Without, each row goes to its calendar year, except
    late-December rows when the file also has the next year: those start its New Year period.
    """
    official = [r for r in rows if r.kind in (DayKind.HOLIDAY, DayKind.MAKEUP)]
    years = {r.date.year for r in official}
    grouped: dict[int, tuple[dict[date, str], dict[date, str]]] = {}
    for r in official:
        notice_year = year if year is not None else r.date.year
        if year is None and r.date.month == 12 and r.date.day >= LATE_DECEMBER_DAY and r.date.year + 1 in years:
            notice_year = r.date.year + 1
        holidays, makeup = grouped.setdefault(notice_year, ({}, {}))
        (holidays if r.kind is DayKind.HOLIDAY else makeup)[r.date] = r.name
    return {y: OfficialYear(y, h, m) for y, (h, m) in sorted(grouped.items())}


def calendar_import_plan(rows: list[DayRow], *, year: int | None = None) -> ImportPlan:
    """Check an import against the current calendar without saving. Raises ``Invalid``."""
    current = selectors.build_calendar()
    years = group_official_rows(rows, year=year)
    candidate = current
    for y, schedule in years.items():
        if not schedule.holidays:
            raise Invalid(_("%(year)s 年的行中没有放假日期（只有调休上班日）。") % {"year": y})
        check_official_makeup(schedule.makeup)
        candidate = candidate.with_official_year(y, holidays=schedule.holidays, makeup=schedule.makeup)
    company = [r for r in rows if r.kind in (DayKind.COMPANY_OFF, DayKind.COMPANY_ON)]
    for r in company:
        if r.kind is DayKind.COMPANY_ON:
            check_company_on(calendar=candidate, day=r.date)
    if company:
        candidate = candidate.with_company_days(
            off={r.date: r.name for r in company if r.kind is DayKind.COMPANY_OFF},
            on={r.date: r.name for r in company if r.kind is DayKind.COMPANY_ON})
    entered = set(StoredYear.objects.filter(year__in=years).values_list("year", flat=True))
    replaces = {y: "entered" if y in entered else "shipped" for y in years if current.is_complete(y)}
    warnings = [w for y in years for w in selectors.year_warnings(candidate, y)]
    return ImportPlan(years, company, warnings, replaces)


@transaction.atomic
def calendar_import(*, actor: User | None, rows: list[DayRow], year: int | None = None,
                    source: str = "") -> SaveResult:
    """Apply imported rows: each notice year in the file replaces that year's schedule; company
    rows add or replace the company day of their date. One version bump, one audit event.

    Raises ``Invalid`` (nothing is saved) when the result would contradict itself.
    """
    row = _locked_settings()
    plan = calendar_import_plan(rows, year=year)
    current = selectors.build_calendar(settings_row=row)
    diffs: dict[str, Any] = {}
    for y, schedule in plan.years.items():
        _write_year(schedule)
        diffs[str(y)] = {"before": _summary(current.official_year(y)), "after": _summary(schedule),
                         **_diff(current.official_year(y), schedule)}
    for r in plan.company:
        CompanyDay.objects.update_or_create(date=r.date, defaults={"kind": str(r.kind), "name": r.name})
    _bump(row, actor=actor, data={"what": "import", "source": source[:200], "years": diffs,
                                  "company_days": [f"{r.date.isoformat()} {r.kind} {r.name}".strip()
                                                   for r in plan.company][:200]})
    return SaveResult(row.version, plan.warnings, sorted(plan.years), len(plan.company))
