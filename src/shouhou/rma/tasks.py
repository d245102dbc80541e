"""Background tasks of the RMA process (django-tasks; run by `shouhou worker`).

The worker has no scheduler: run the sweep periodically with `shouhou rma sweep` from cron or
a systemd timer, e.g. every 15 minutes during the day::

    */15 7-20 * * *  shouhou rma sweep        # crontab of the service user, same environment

or enqueue it for the worker with `shouhou rma sweep --enqueue`.
"""

from __future__ import annotations

from django_tasks import task


@task()
def deadlines_sweep() -> dict[str, int]:
    """Reminders on the due day and escalations after every deadline (idempotent)."""
    from shouhou.rma.sweep import deadlines_sweep_run

    result = deadlines_sweep_run()
    return {"reminders": result.reminders, "escalations": result.escalations}


@task()
def tracking_sheet_render(line_id: int) -> int | None:
    """Render a line's 返修跟踪单 as it stands, as its next version (idempotent); returns the version."""
    from shouhou.rma.tracking_sheets import sheet_current

    sheet = sheet_current(line_id=line_id)
    return sheet.version if sheet is not None else None
