"""Forms of the calendar pages. Each validates fully (with the domain) before a service saves."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouhou.domain.calendar import DayKind, DayRow
from shouhou.domain.errors import Invalid
from shouhou.workdays.files import read_day_rows
from shouhou.workdays.models import WEEKDAY_NAMES, CompanyDay, CompanyDayKind
from shouhou.workdays.schedule_text import parse_schedule_text
from shouhou.workdays.selectors import build_calendar
from shouhou.workdays.services import ImportPlan, calendar_import_plan, check_company_on, official_year_preview

FIRST_YEAR, LAST_YEAR = 2000, 2100
IMPORT_SALT = "shouhou.workdays.import"
IMPORT_MAX_AGE = 3600


class YearScheduleForm(forms.Form):
    notice = forms.CharField(
        label=gettext_lazy("通知标题"), max_length=200, required=False,
        widget=forms.TextInput(attrs={"placeholder": "国务院办公厅关于2027年部分节假日安排的通知"}))
    number = forms.CharField(label=gettext_lazy("文号"), max_length=100, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "国办发明电〔2026〕X号"}))
    url = forms.URLField(label=gettext_lazy("原文链接"), max_length=500, required=False, assume_scheme="https")
    days = forms.CharField(
        label=gettext_lazy("放假与调休安排（每行一段）"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace", "spellcheck": "false",
                                     "placeholder": "2027-01-01..2027-01-03 休 元旦\n2027-02-07 班 春节"}),
        help_text=gettext_lazy("每行：日期或日期范围（YYYY-MM-DD..YYYY-MM-DD）、类型（休 或 班）、节日名称。"),
    )

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        self.holidays: dict[date, str] = {}
        self.makeup: dict[date, str] = {}
        self.warnings: list[str] = []

    def clean_days(self) -> str:
        text = self.cleaned_data["days"]
        parsed = parse_schedule_text(text, year=self.year)
        if parsed.errors:
            raise forms.ValidationError(parsed.errors)
        if not parsed.holidays:
            raise forms.ValidationError(_("至少要有一行“休”（放假日期）。"))
        self.holidays, self.makeup = parsed.holidays, parsed.makeup
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.holidays:
            try:
                _cal, self.warnings = official_year_preview(
                    year=self.year, holidays=self.holidays, makeup=self.makeup,
                    notice=data.get("notice", ""), number=data.get("number", ""))
            except Invalid as exc:
                self.add_error("days", str(exc))
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件（CSV 或 xlsx）"), allow_empty_file=True)
    year = forms.IntegerField(label=gettext_lazy("通知年份（可选）"), required=False, min_value=FIRST_YEAR,
                              max_value=LAST_YEAR,
                              help_text=gettext_lazy("填写后，文件中所有放假/调休行都归入该年的安排"
                                                     "（元旦假期从上一年 12 月开始时有用）。"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        try:
            rows = read_day_rows(upload.read())
            self.plan: ImportPlan = calendar_import_plan(rows, year=data.get("year"))
        except Invalid as exc:
            raise forms.ValidationError(str(exc)) from None
        self.rows = rows
        return data

    def payload(self) -> str:
        """The checked rows, signed, so the confirm step saves exactly what was previewed."""
        return signing.dumps({"rows": [[r.date.isoformat(), str(r.kind), r.name] for r in self.rows],
                              "year": self.cleaned_data.get("year"), "name": self.cleaned_data["file"].name},
                             salt=IMPORT_SALT, compress=True)


class ImportConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)

    def clean_payload(self) -> dict[str, Any]:
        try:
            data = signing.loads(self.cleaned_data["payload"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
        except signing.BadSignature:
            raise forms.ValidationError(_("预览已过期或被改动，请重新上传文件。")) from None
        self.rows = [DayRow(date.fromisoformat(d), DayKind(k), n) for d, k, n in data["rows"]]
        self.year = data.get("year")
        self.name = data.get("name", "")
        return data


class CompanyDayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=CompanyDayKind.choices)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=50, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "公司年会"}))
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, instance: CompanyDay | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {"date": instance.date, "kind": instance.kind, "name": instance.name,
                                 "note": instance.note}
        super().__init__(*args, **kwargs)
        self.instance = instance

    def clean_date(self) -> date:
        day = self.cleaned_data["date"]
        clash = CompanyDay.objects.filter(date=day).exclude(pk=getattr(self.instance, "pk", None)).first()
        if clash is not None:
            raise forms.ValidationError(_("%(date)s 已设置为“%(kind)s”，一个日期不能既休息又上班。") % {
                "date": day.isoformat(), "kind": clash.get_kind_display()})
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == CompanyDayKind.COMPANY_ON and data.get("date"):
            try:
                check_company_on(calendar=build_calendar(), day=data["date"])
            except Invalid as exc:
                self.add_error("date", str(exc))
        return data


class CalendarSettingsForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("每周工作日"), coerce=int, widget=forms.CheckboxSelectMultiple,
        choices=list(enumerate(WEEKDAY_NAMES)))
    opens = forms.TimeField(label=gettext_lazy("上班时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(label=gettext_lazy("下班时间（期限截止时刻）"),
                             widget=forms.TimeInput(attrs={"type": "time"}))
    time_zone = forms.CharField(label=gettext_lazy("时区"), max_length=64)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens"), data.get("closes")
        if opens and closes and not opens < closes:
            raise forms.ValidationError(_("上班时间必须早于下班时间。"))
        return data
