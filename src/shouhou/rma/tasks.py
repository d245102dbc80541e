"""Background tasks of the RMA process (django-tasks; run by `shouhou worker`).

The worker has no scheduler: run the sweep periodically with `shouhou rma sweep` from cron or
a systemd timer, e.g. every 15 minutes during the day::

    */15 7-20 * * *  shouhou rma sweep        # crontab of the service user, same environment

or enqueue it for the worker with `shouhou rma sweep --enqueue`.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django_tasks import task


@task()
def deadlines_sweep() -> dict[str, int]:
    """Reminders on the due day and escalations after every deadline (idempotent)."""
    from shouhou.rma.sweep import deadlines_sweep_run

    result = deadlines_sweep_run()
    return {"reminders": result.reminders, "escalations": result.escalations}


@task()
def notification_attach_document(notification_id: int) -> bool:
    """Render the PDF of a notice (quote, return authorisation, repair tracking sheet) and attach it.

    Rendered by `shouhou.rma.documents.render(kind, line)`. Returns whether a document was attached
    (False when the notice is gone or already has one, so a repeated task changes nothing).
    """
    return attach_document(notification_id)


def attach_document(notification_id: int) -> bool:
    from shouhou.rma.models import Notification

    note = Notification.objects.select_related("line", "line__order").filter(pk=notification_id).first()
    if note is None or note.attachment or note.line is None:
        return False
    from shouhou.rma import documents

    pdf = documents.render(note.kind, note.line)
    name = f"{note.kind}-{note.line.order.number or note.line.order_id}-{note.line.position}.pdf"
    note.attachment.save(name, ContentFile(pdf), save=False)
    note.save(update_fields=["attachment"])
    return True
