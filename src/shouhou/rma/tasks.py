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
