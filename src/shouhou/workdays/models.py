"""The stored working-day calendar: settings, admin-entered official years, company days.

The shipped official schedules (shouhou/domain/data) are the base; a stored OfficialYear replaces
the shipped schedule of its year or adds a year. Every change goes through shouhou.workdays.services,
which bumps CalendarSettings.version so each process rebuilds its cached calendar.
"""

from __future__ import annotations

from datetime import time

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shouhou.domain.calendar import DEFAULT_TZ

DEFAULT_WEEKDAYS = "012345"  # Monday … Saturday; 0 is Monday as in date.weekday()
WEEKDAY_LABELS = ("一", "二", "三", "四", "五", "六", "日")
# The same days for display, translatable: full names, and the column heads of the month view.
WEEKDAY_NAMES = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))
WEEKDAY_HEADS = (pgettext_lazy("weekday", "一"), pgettext_lazy("weekday", "二"), pgettext_lazy("weekday", "三"),
                 pgettext_lazy("weekday", "四"), pgettext_lazy("weekday", "五"), pgettext_lazy("weekday", "六"),
                 pgettext_lazy("weekday", "日"))


class CalendarSettings(models.Model):
    """The one row of calendar settings (pk 1) and the version every cached calendar is keyed by."""

    SINGLETON_PK = 1

    working_weekdays = models.CharField(
        _("每周工作日"), max_length=7, default=DEFAULT_WEEKDAYS,
        help_text=_("星期几上班：0 为周一 … 6 为周日，如 012345 表示周一至周六。"),
    )
    opens = models.TimeField(_("上班时间"), default=time(10, 15))
    closes = models.TimeField(_("下班时间"), default=time(18, 30),
                              help_text=_("期限截止于第 N 个工作日的下班时间。"))
    time_zone = models.CharField(_("时区"), max_length=64, default=DEFAULT_TZ)
    version = models.PositiveIntegerField(_("版本"), default=1)
    # Part of the cache key with `version`: a change rolled back never reuses its timestamp, so a
    # calendar built inside that transaction cannot be mistaken for a later change's.
    changed_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("日历设置")
        verbose_name_plural = _("日历设置")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="workdays_settings_singleton"),
            models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="workdays_settings_opens_before_closes"),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(int(c) for c in self.working_weekdays)


class OfficialYear(models.Model):
    """An official schedule entered by an admin (e.g. next year's, when the State Council publishes it)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    notice = models.CharField(_("通知标题"), max_length=200, blank=True)
    number = models.CharField(_("文号"), max_length=100, blank=True)
    url = models.URLField(_("原文链接"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("法定节假日安排")
        verbose_name_plural = _("法定节假日安排")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class OfficialDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    MAKEUP = "makeup", _("调休上班")


class OfficialDay(models.Model):
    """One date of an entered official schedule: a holiday or a make-up working day."""

    official_year = models.ForeignKey(OfficialYear, on_delete=models.CASCADE, related_name="days",
                                      verbose_name=_("年份"))
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=OfficialDayKind.choices)
    name = models.CharField(_("节日"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("法定节假日")
        verbose_name_plural = _("法定节假日")
        ordering = ["date"]
        constraints = [
            # One date is in one schedule once: never both a holiday and a make-up day.
            models.UniqueConstraint(fields=["date"], name="workdays_official_day_unique_date"),
            models.CheckConstraint(condition=Q(kind__in=["holiday", "makeup"]), name="workdays_official_day_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.name}"


class CompanyDayKind(models.TextChoices):
    COMPANY_OFF = "company_off", _("公司休息")
    COMPANY_ON = "company_on", _("公司上班")


class CompanyDay(models.Model):
    """A company-specific day off or on; it overrides the official schedule and the weekly pattern."""

    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=12, choices=CompanyDayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("公司休息/上班日")
        verbose_name_plural = _("公司休息/上班日")
        ordering = ["date"]
        constraints = [
            # A date is either off or on, never both.
            models.UniqueConstraint(fields=["date"], name="workdays_company_day_unique_date"),
            models.CheckConstraint(condition=Q(kind__in=["company_off", "company_on"]),
                                   name="workdays_company_day_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
