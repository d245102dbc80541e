"""The cases' part of the dashboard: a member of staff's own cases (首问负责制 makes them theirs).

Counts of owned open cases, of those past a target and of new cases nobody has accepted, in
one aggregate query; the owner's most urgent cases in one more, when there are any.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from shouhou.cases.display import target_of
from shouhou.cases.models import OPEN_STATUSES, Case, CaseStatus
from shouhou.cases.policy import work_calendar
from shouhou.cases.selectors import team_counts
from shouhou.core.dashboard import Panel

URGENT_ROWS = 8


def panel(user: Any, now: datetime) -> Panel | None:
    if not getattr(user, "is_vendor_staff", False):
        return None
    late = Q(resolution_due__lt=now) | Q(first_responded_at__isnull=True, first_response_due__lt=now)
    figures = Case.objects.filter(status__in=OPEN_STATUSES).aggregate(
        mine=Count("pk", filter=Q(owner=user)),
        mine_late=Count("pk", filter=Q(owner=user) & late),
        unaccepted=Count("pk", filter=Q(status=CaseStatus.NEW)),
    )
    urgent = list(Case.objects.filter(owner=user, status__in=OPEN_STATUSES).order_by("resolution_due")
                  [:URGENT_ROWS]) if figures["mine"] else []
    cal = work_calendar() if urgent else None
    rows = [{"case": c, "resolution": target_of(c.resolution_due, met_at=None, now=now, cal=cal)}  # type: ignore[arg-type]
            for c in urgent]
    base = reverse("case_list")
    teams = [{"team": t, "count": n, "url": reverse("case_team_queue") + "?team=" + t.key}
             for t, n in team_counts(user)]
    return Panel("cases/dashboard.html", {
        "teams": teams,
        "figures": figures, "rows": rows, "mine_url": reverse("case_mine"),
        "late_url": reverse("case_mine") + "?overdue=1", "new_url": base + "?status=new",
    })
