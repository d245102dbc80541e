"""Background work of inbound mail (django-tasks; run by `shouhou worker`)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from shouhou.core.bootstrap import Periodic


@task()
def mail_fetch() -> dict[str, int]:
    """Fetch new messages from IMAP_URL once (queued periodically by `shouhou serve`)."""
    from django.conf import settings

    from shouhou.mail.imap import fetch

    result = fetch(settings.IMAP_URL)
    return {"taken": result.taken, "duplicates": result.duplicates, "refused": result.refused}


def register_periodic(settings: Any, periodic: list[Periodic]) -> None:
    """`shouhou serve` polls the mailbox every IMAP_POLL_SECONDS when IMAP_URL is set (production may
    run `shouhou mail fetch` from cron instead; docs/mail.md)."""
    if getattr(settings, "IMAP_URL", "") and not any(job.name == "mail.fetch" for job in periodic):
        periodic.append(Periodic("mail.fetch", settings.IMAP_POLL_SECONDS, mail_fetch.enqueue))
