"""Calendar pages: the month view for all staff; years, import, company days and settings for
admins and managers."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from shouhou.core.access import role_required, staff_required
from shouhou.core.models import User
from shouhou.core.roles import Role
from shouhou.domain.calendar import DayKind
from shouhou.domain.errors import Invalid
from shouhou.workdays import clock, selectors, services
from shouhou.workdays.forms import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarSettingsForm,
    CompanyDayForm,
    ImportConfirmForm,
    ImportUploadForm,
    YearScheduleForm,
)
from shouhou.workdays.models import WEEKDAY_HEADS, WEEKDAY_NAMES, CompanyDay
from shouhou.workdays.schedule_text import schedule_text

EDITORS = (Role.ADMIN, Role.MANAGER)


def _month_param(text: str) -> tuple[int, int]:
    if not text:
        today = clock.today()
        return today.year, today.month
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not FIRST_YEAR - 100 <= int(match[1]) <= LAST_YEAR + 100 or not 1 <= int(match[2]) <= 12:
        raise Invalid(_("月份格式错误：%(text)s（应为 YYYY-MM，如 2025-10）") % {"text": text})
    return int(match[1]), int(match[2])


def _cell_label(kind: str, name: str) -> str:
    if kind == DayKind.HOLIDAY:
        return name or _("法定节假日")
    if kind == DayKind.MAKEUP:
        return _("调休上班")
    if kind == DayKind.COMPANY_OFF:
        return name or _("公司休息")
    if kind == DayKind.COMPANY_ON:
        return name or _("公司上班")
    if kind == DayKind.REST:
        return _("休息")
    return ""


@staff_required
def calendar_month(request: HttpRequest) -> HttpResponse:
    year, month = _month_param(request.GET.get("month", ""))
    cal = selectors.calendar()
    today = clock.today()
    days = selectors.month_days(year, month, cal=cal)
    cells: list[dict[str, object] | None] = [None] * days[0]["date"].weekday()
    for d in days:
        cells.append({**d, "label": _cell_label(d["kind"], d["name"]), "today": d["date"] == today,
                      "makeup_name": d["name"] if d["kind"] == DayKind.MAKEUP else ""})
    cells += [None] * (-len(cells) % 7)
    weeks = [cells[i:i + 7] for i in range(0, len(cells), 7)]
    first = date(year, month, 1)
    prev_month = first - timedelta(days=1)
    next_month = first + timedelta(days=32)
    settings_row = selectors.calendar_settings()
    user: User = request.user  # type: ignore[assignment]
    context = {
        "year": year, "month": month, "weeks": weeks, "weekday_labels": WEEKDAY_HEADS,
        "prev": f"{prev_month:%Y-%m}", "next": f"{next_month:%Y-%m}", "this_month": f"{today:%Y-%m}",
        "incomplete": not cal.is_complete(year),
        "working_count": sum(1 for d in days if d["working"]),
        "weekdays_text": pgettext("list separator", "、").join(str(WEEKDAY_NAMES[i]) for i in sorted(cal.weekdays)),
        "opens": cal.opens, "closes": cal.closes, "version": settings_row.version,
        "may_edit": user.has_role(*EDITORS),
        "kinds": [(k.value, selectors.KIND_LABELS[k]) for k in DayKind],
    }
    return render(request, "workdays/month.html", context)


@role_required(*EDITORS)
def calendar_years(request: HttpRequest) -> HttpResponse:
    cal = selectors.calendar()
    summaries = selectors.year_summaries(cal)
    this_year = clock.today().year
    missing = [y for y in (this_year, this_year + 1) if not cal.is_complete(y)]
    if request.GET.get("year"):
        try:
            year = int(request.GET["year"])
        except ValueError:
            year = 0
        if FIRST_YEAR <= year <= LAST_YEAR:
            return redirect("calendar_year_edit", year=year)
        messages.error(request, _("年份应在 %(first)s–%(last)s 之间。") % {"first": FIRST_YEAR, "last": LAST_YEAR})
    return render(request, "workdays/years.html", {"summaries": summaries, "missing": missing,
                                                    "suggested": this_year + 1})


@role_required(*EDITORS)
def calendar_year_edit(request: HttpRequest, year: int) -> HttpResponse:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid(_("年份应在 %(first)s–%(last)s 之间。") % {"first": FIRST_YEAR, "last": LAST_YEAR})
    cal = selectors.calendar()
    schedule = cal.official_year(year)
    entered = selectors.stored_years().get(year)
    preview = None
    if request.method == "POST":
        form = YearScheduleForm(request.POST, year=year)
        if form.is_valid():
            if "save" in request.POST:
                result = services.official_year_save(
                    actor=request.user, year=year, holidays=form.holidays, makeup=form.makeup,  # type: ignore[arg-type]
                    notice=form.cleaned_data["notice"], number=form.cleaned_data["number"],
                    url=form.cleaned_data["url"])
                messages.success(request, _("%(year)s 年的安排已保存（日历版本 %(v)s）。") % {
                    "year": year, "v": result.version})
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect("calendar_years")
            preview = _preview_rows(form.holidays, form.makeup)
    else:
        initial = {"days": schedule_text(schedule)}
        if schedule is not None:
            initial |= {"notice": schedule.notice, "number": schedule.number, "url": schedule.url}
        form = YearScheduleForm(initial=initial, year=year)
    return render(request, "workdays/year_edit.html", {
        "year": year, "form": form, "preview": preview, "schedule": schedule, "entered": entered is not None,
        "shipped": schedule is not None and entered is None,
        "warnings": form.warnings if request.method == "POST" else selectors.year_warnings(cal, year)
        if schedule else [],
    })


def _preview_rows(holidays: dict[date, str], makeup: dict[date, str]) -> list[dict[str, object]]:
    """The parsed schedule as periods (consecutive days of one kind and name), in date order."""
    days = sorted([(d, "holiday", n) for d, n in holidays.items()] + [(d, "makeup", n) for d, n in makeup.items()])
    rows: list[dict[str, object]] = []
    for day, kind, name in days:
        last = rows[-1] if rows else None
        if last and last["kind"] == kind and last["name"] == name and last["last"] == day - timedelta(days=1):
            last["last"] = day
            last["count"] = int(last["count"]) + 1  # type: ignore[call-overload]
        else:
            rows.append({"first": day, "last": day, "kind": kind, "name": name, "count": 1})
    return rows


@require_POST
@role_required(*EDITORS)
def calendar_year_delete(request: HttpRequest, year: int) -> HttpResponse:
    services.official_year_delete(actor=request.user, year=year)  # type: ignore[arg-type]
    messages.success(request, _("已删除录入的 %(year)s 年安排。") % {"year": year})
    return redirect("calendar_years")


@role_required(*EDITORS)
def calendar_import(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "payload" in request.POST:
        confirm = ImportConfirmForm(request.POST)
        if confirm.is_valid():
            result = services.calendar_import(actor=request.user, rows=confirm.rows, year=confirm.year,  # type: ignore[arg-type]
                                              source=confirm.name)
            messages.success(request, _("已导入：法定安排 %(years)s 年，公司日 %(n)s 个（日历版本 %(v)s）。") % {
                "years": "、".join(map(str, result.years)) or "—", "n": result.company_days, "v": result.version})
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect("calendar_years")
        messages.error(request, " ".join(confirm.errors.get("payload", [])))
        form = ImportUploadForm()
    elif request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            plan = form.plan
            return render(request, "workdays/import.html", {
                "form": form, "plan": plan, "payload": form.payload(),
                "rows": [{"date": r.date, "kind": str(r.kind), "label": selectors.KIND_LABELS[r.kind], "name": r.name}
                         for r in form.rows],
                "years": [{"year": y, "holidays": len(s.holidays), "makeup": len(s.makeup),
                           "replaces": plan.replaces.get(y)} for y, s in plan.years.items()],
            })
    else:
        form = ImportUploadForm()
    return render(request, "workdays/import.html", {"form": form, "plan": None})


@role_required(*EDITORS)
def company_days(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CompanyDayForm(request.POST)
        if form.is_valid():
            day = services.company_day_save(actor=request.user, day=form.cleaned_data["date"],  # type: ignore[arg-type]
                                            kind=form.cleaned_data["kind"], name=form.cleaned_data["name"],
                                            note=form.cleaned_data["note"])
            messages.success(request, _("已添加 %(day)s。") % {"day": day})
            return redirect("company_days")
    else:
        form = CompanyDayForm()
    page = Paginator(CompanyDay.objects.order_by("-date"), 50).get_page(request.GET.get("page"))
    return render(request, "workdays/company_days.html", {"form": form, "page": page,
                                                           "today": clock.today()})


@role_required(*EDITORS)
def company_day_edit(request: HttpRequest, pk: int) -> HttpResponse:
    company_day = get_object_or_404(CompanyDay, pk=pk)
    if request.method == "POST":
        form = CompanyDayForm(request.POST, instance=company_day)
        if form.is_valid():
            services.company_day_save(actor=request.user, day=form.cleaned_data["date"],  # type: ignore[arg-type]
                                      kind=form.cleaned_data["kind"], name=form.cleaned_data["name"],
                                      note=form.cleaned_data["note"], company_day=company_day)
            messages.success(request, _("已保存 %(day)s。") % {"day": company_day})
            return redirect("company_days")
    else:
        form = CompanyDayForm(instance=company_day)
    return render(request, "workdays/company_day_edit.html", {"form": form, "company_day": company_day})


@require_POST
@role_required(*EDITORS)
def company_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    company_day = get_object_or_404(CompanyDay, pk=pk)
    services.company_day_delete(actor=request.user, company_day=company_day)  # type: ignore[arg-type]
    messages.success(request, _("已删除 %(day)s。") % {"day": company_day})
    return redirect("company_days")


@role_required(*EDITORS)
def calendar_settings(request: HttpRequest) -> HttpResponse:
    row = selectors.calendar_settings()
    if request.method == "POST":
        form = CalendarSettingsForm(request.POST)
        if form.is_valid():
            services.calendar_settings_update(actor=request.user, weekdays=set(form.cleaned_data["weekdays"]),  # type: ignore[arg-type]
                                              opens=form.cleaned_data["opens"], closes=form.cleaned_data["closes"],
                                              time_zone=form.cleaned_data["time_zone"])
            messages.success(request, _("日历设置已保存。"))
            return redirect("calendar_month")
    else:
        form = CalendarSettingsForm(initial={"weekdays": sorted(row.weekdays), "opens": row.opens,
                                             "closes": row.closes, "time_zone": row.time_zone})
    return render(request, "workdays/settings.html", {"form": form, "row": row})
