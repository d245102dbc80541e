"""Background tasks of cases (django-tasks; run by `shouhou worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def team_cases_sweep() -> dict[str, int]:
    """Reminders and escalations of unowned team cases (idempotent)."""
    from shouhou.cases.sweep import team_cases_sweep_run

    result = team_cases_sweep_run()
    return {"reminders": result.reminders, "escalations": result.escalations}
