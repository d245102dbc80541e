"""Background work of inbound mail (django-tasks; run by `shouhou worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def mail_fetch() -> dict[str, int]:
    """Fetch new messages from IMAP_URL once (queued periodically by `shouhou serve`)."""
    from django.conf import settings

    from shouhou.mail.imap import fetch

    result = fetch(settings.IMAP_URL)
    return {"taken": result.taken, "duplicates": result.duplicates, "refused": result.refused}
