"""The managers' part of the home page: this month's deadlines met per step and the backlog,
with a link to the full dashboard. Three queries; shown to managers and admins only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shouhou.core.dashboard import Panel
from shouhou.core.roles import Role
from shouhou.domain.reports import Period
from shouhou.reports import selectors
from shouhou.reports.figures import step_labels
from shouhou.rma.policy import work_calendar

PANEL_DAYS = 30


def panel(user: Any, now: datetime) -> Panel | None:
    if not user.has_role(Role.MANAGER, Role.ADMIN):
        return None
    today = work_calendar().local(now).date()
    f = selectors.Filters(Period(today.fromordinal(today.toordinal() - PANEL_DAYS + 1), today))
    labels = step_labels()
    steps = [(labels[t.step], t) for t in selectors.deadlines_report(user, f, now=now) if t.total]
    backlog = selectors.backlog(user, f, now=now)
    return Panel("reports/panel.html", {"report_steps": steps, "report_backlog": backlog, "report_days": PANEL_DAYS})
