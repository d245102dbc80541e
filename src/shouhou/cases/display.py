"""Case targets as badges, in the look of the service-order deadlines (`rma/_due.html`):
"剩 45 分钟", "剩 2 个工作日", red "已超时 1 小时 10 分" when overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shouhou.domain.calendar import WorkCalendar
from shouhou.domain.cases import business_minutes_between


@dataclass(frozen=True)
class Target:
    at: datetime
    text: str
    css: str
    provisional: bool = False
    dealer: bool = False


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(h)s 小时 %(m)s 分") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)s 小时") % {"h": hours}
    return _("%(m)s 分钟") % {"m": rest}


def target_of(at: datetime, *, met_at: datetime | None, now: datetime, cal: WorkCalendar) -> Target:
    """The badge of a target due AT, met at MET_AT (or not yet) as seen at NOW.

    Time left counts business hours only, so "剩 30 分钟" at closing means 30 minutes after the
    next opening; beyond a working day it is given in working days, as service orders are.
    """
    if met_at is not None:
        late = met_at > at
        return Target(at, _("已超时完成") if late else _("按时完成"), "due overdue" if late else "due met")
    if now > at:
        overdue = int(business_minutes_between(cal, at, now))
        return Target(at, _("已超时 %(t)s") % {"t": _hours(overdue)} if overdue else _("已超时"), "due overdue")
    minutes = int(business_minutes_between(cal, now, at))
    days = cal.working_days_between(cal.local(now).date(), cal.local(at).date())
    if days >= 2:
        return Target(at, ngettext("剩 %(n)s 个工作日", "剩 %(n)s 个工作日", days) % {"n": days}, "due")
    return Target(at, _("剩 %(t)s") % {"t": _hours(minutes)}, "due soon" if minutes <= 60 else "due")
