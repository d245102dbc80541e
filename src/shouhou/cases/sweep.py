"""Reminders and escalations of unowned team cases: what `team_cases_sweep` (task) and
`shouhou cases sweep` run.

A case opened for a team waits in the team's queue with no owner. Once half the time from
pickup to its first-response target has passed (`domain.cases.team_reminder_at`), the sweep emits
`case.team_reminder`; once the target has passed, `case.team_overdue`. Both go to the `team`
audience of the notification rules: the team's members (inbox and email) and the team's group
robot, and by default the escalation also to every manager. Each event has a unique key per
case, so a second sweep (or two in parallel) sends nothing twice; accepting the case stops both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shouhou.cases.models import Case, CaseStatus
from shouhou.domain import cases as domain
from shouhou.notify.services import TeamRecipients, emit
from shouhou.workdays import clock

BATCH = 500


@dataclass
class TeamSweepResult:
    reminders: int = 0
    escalations: int = 0


def _emit(case: Case, name: str, now: datetime) -> bool:
    team = case.team
    if team is None:  # the sweep selects team cases only; a case moved off its team meanwhile is skipped
        return False
    data = {"number": case.number, "subject": case.subject, "team": team.name, "team_key": team.key,
            "due": clock.localtime(case.first_response_due).strftime("%Y-%m-%d %H:%M"),
            "staff_url": case.get_absolute_url()}
    recipients = TeamRecipients(users=tuple(team.members.filter(is_active=True)), robot=team.robot)
    return emit(name, data=data, obj=case, thread=case.number, key=f"{name}:{case.pk}", team=recipients,
                now=now) is not None


def team_cases_sweep_run(*, now: datetime | None = None) -> TeamSweepResult:
    """Remind and escalate every unowned, unanswered team case due at NOW (default: the clock)."""
    now = now or timezone.now()
    result = TeamSweepResult()
    with transaction.atomic():
        cases = list(Case.objects.select_for_update(skip_locked=True, of=("self",))
                     .select_related("team", "team__robot")
                     .filter(Q(team__isnull=False, owner__isnull=True, status=CaseStatus.NEW,
                               first_responded_at__isnull=True, pickup_at__lte=now))
                     .order_by("first_response_due")[:BATCH])
        for case in cases:
            if case.first_response_due < now:
                result.escalations += _emit(case, "case.team_overdue", now)
            elif domain.team_reminder_at(case.pickup_at, case.first_response_due) <= now:
                result.reminders += _emit(case, "case.team_reminder", now)
    return result
