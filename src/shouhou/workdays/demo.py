"""The calendar's part of the default policy pack (SETUP_STEPS) and of the demo (DEMO_STEPS)."""

from __future__ import annotations

from datetime import date
from typing import TextIO

DEMO_COMPANY_DAYS = [
    (date(2026, 12, 31), "company_off", "公司年会", "全员参加年会，售后暂停一天"),
    (date(2027, 1, 10), "company_on", "年终盘点", "周日加班盘点备件库"),
]


def ensure_calendar_settings() -> None:
    """The vendor's defaults: Mon–Sat, 10:15–18:30, Asia/Shanghai (an edited row is kept)."""
    from shouhou.workdays.services import calendar_settings_ensure

    calendar_settings_ensure()


def load_demo_company_days(out: TextIO) -> None:
    """A couple of company days; a date that already has one is left alone (idempotent)."""
    from shouhou.workdays.models import CompanyDay
    from shouhou.workdays.services import company_day_save

    added = 0
    for day, kind, name, note in DEMO_COMPANY_DAYS:
        if not CompanyDay.objects.filter(date=day).exists():
            company_day_save(actor=None, day=day, kind=kind, name=name, note=note)
            added += 1
    if added:
        out.write(f"演示公司日 / demo company days: {added}\n")
