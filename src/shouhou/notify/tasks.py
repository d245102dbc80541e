"""Tasks of the outbox (django-tasks; run by `shouhou worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def outbox_send() -> dict[str, int]:
    """Send every due email, robot and SMS message (safe to run many at once)."""
    from shouhou.notify.sender import outbox_send_run

    result = outbox_send_run()
    return {"sent": result.sent, "retrying": result.retrying, "failed": result.failed}


@task()
def event_attach_document(event_id: int) -> bool:
    """Render an event's PDF ahead of sending, so the order page offers it at once."""
    from shouhou.notify.documents import event_attach_document as attach
    from shouhou.notify.models import Event

    event = Event.objects.filter(pk=event_id).first()
    return attach(event) if event is not None else False
