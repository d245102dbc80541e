"""The sender: claims due messages, delivers them (email, robots, SMS) and records the outcome.

Runs in the task worker (`outbox_send`), queued after every commit that wrote messages and
every minute by `shouhou serve` (cron: `shouhou notify send`). Any number of senders may run:
each claims a batch with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises
writers anyway), marks it `sending` with a lease, and counts the try at once.

- Delivered: `sent`, one UPDATE per message right after the server accepted it, so a killed
  worker leaves at most the message in flight unmarked.
- Failed: back to `pending` after ``retry * 2**(tries-1)`` seconds (capped at 6 hours); after
  `NOTIFY_MAX_TRIES` tries, or at once for a permanent refusal (a 5xx from the mail server, an
  unknown robot), `failed`, and admins get an inbox notice (`notify.delivery_failed`).
- A worker killed while a message is `sending`: once the lease ends the message is claimed
  again and sent with the same Message-ID; see docs/mail.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from shouhou.notify import documents
from shouhou.notify.models import Event, Message, MessageState, Transport
from shouhou.notify.render import Rendered, link_for, render_message
from shouhou.notify.transports import robots, sms
from shouhou.notify.transports.email import DeliveryError, Mailer, mailer

log = logging.getLogger(__name__)

BATCH = 200
MAX_BACKOFF = timedelta(hours=6)


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(tries: int) -> timedelta:
    base = timedelta(seconds=settings.NOTIFY_RETRY_SECONDS)
    return min(base * (2 ** max(tries - 1, 0)), MAX_BACKOFF)


def _claim(now: datetime, limit: int) -> list[Message]:
    due = (Q(state=MessageState.PENDING) | Q(state=MessageState.SENDING, claimed_until__lt=now)) & Q(
        next_try_at__lte=now)
    with transaction.atomic():
        qs = Message.objects.filter(due).exclude(transport=Transport.INBOX).order_by("next_try_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        lease = now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
        Message.objects.filter(pk__in=ids).update(state=MessageState.SENDING, claimed_until=lease,
                                                  tries=F("tries") + 1)
    return list(Message.objects.filter(pk__in=ids).select_related("event", "channel").order_by("next_try_at", "id"))


def _email_bytes(message: Message, rendered: Rendered, sender: str) -> bytes:
    event = message.event
    headers = {"Message-ID": message.message_id, "Auto-Submitted": "auto-generated",
               "X-Auto-Response-Suppress": "All", "X-Shouhou-Event": event.name}
    if event.thread:
        headers["X-Shouhou-Thread"] = event.thread
    reply_to = (event.data or {}).get("in_reply_to")
    if reply_to:
        headers["In-Reply-To"] = reply_to
        headers["References"] = reply_to
    mail = EmailMultiAlternatives(rendered.subject, rendered.text, sender, [message.address], headers=headers)
    mail.attach_alternative(rendered.html, "text/html")
    if event.attachment:
        with event.attachment.open("rb") as fh:
            mail.attach(event.attachment.name.rsplit("/", 1)[-1], fh.read(), "application/pdf")
    return mail.message().as_bytes(linesep="\r\n")


def _deliver(message: Message, mail: Mailer | None, sender: str) -> Mailer | None:
    """Deliver one message; returns the mailer (opened lazily); raises DeliveryError."""
    event = message.event
    if event.document and not event.attachment:
        try:
            documents.event_attach_document(event)
        except Exception as exc:  # a renderer bug must not stop the batch
            raise DeliveryError(f"document: {type(exc).__name__}: {exc}"[:500]) from exc
    rendered = render_message(message)
    if message.transport == Transport.EMAIL:
        mail = mail or mailer()
        mail.send(sender=sender, recipient=message.address, data=_email_bytes(message, rendered, sender),
                  message_id=message.message_id)
    elif message.transport == Transport.ROBOT:
        robots.post(message.channel, rendered, link_for(event, message))
    elif message.transport == Transport.SMS:
        sms.gateway(message.channel).send(phone=message.address, number=event.thread, title=rendered.subject)
    return mail


def _sent(message: Message, now: datetime) -> None:
    Message.objects.filter(pk=message.pk).update(state=MessageState.SENT, sent_at=now, claimed_until=None,
                                                 last_error="")


def _failed(message: Message, error: DeliveryError, now: datetime, result: SendResult) -> None:
    final = error.permanent or message.tries >= settings.NOTIFY_MAX_TRIES
    update = {"last_error": str(error)[:500], "claimed_until": None}
    if final:
        Message.objects.filter(pk=message.pk).update(state=MessageState.FAILED, **update)
        result.failed += 1
        if message.event.name != "notify.delivery_failed":
            _report_failure(message, error)
    else:
        Message.objects.filter(pk=message.pk).update(state=MessageState.PENDING,
                                                     next_try_at=now + backoff(message.tries), **update)
        result.retrying += 1
    result.errors.append(str(error))


def _report_failure(message: Message, error: DeliveryError) -> None:
    from shouhou.notify.services import emit

    with transaction.atomic():
        emit("notify.delivery_failed", data={
            "failed_event": message.event.name, "recipient": message.recipient_label, "tries": message.tries,
            "error": str(error)[:300], "message": message.pk, "staff_url": "/notify/outbox/?state=failed"},
            key=f"notify.delivery_failed:{message.pk}:{message.tries}")


def outbox_send_run(*, now: datetime | None = None, limit: int | None = None) -> SendResult:
    """Send every due message (all of them, batch after batch, or up to LIMIT); never raises for one."""
    result = SendResult()
    sender = settings.DEFAULT_FROM_EMAIL
    name, address = parseaddr(sender)
    sender_header = formataddr((name, address)) if address else sender
    mail: Mailer | None = None
    mail_down: DeliveryError | None = None  # the mail server could not be reached in this run
    done = 0
    try:
        while limit is None or done < limit:
            clock = now or timezone.now()
            batch = _claim(clock, min(BATCH, (limit - done) if limit else BATCH))
            if not batch:
                break
            for message in batch:
                if mail_down is not None and message.transport == Transport.EMAIL:
                    _failed(message, mail_down, now or timezone.now(), result)
                    continue
                try:
                    mail = _deliver(message, mail, sender_header)
                except DeliveryError as exc:
                    _failed(message, exc, now or timezone.now(), result)
                    if exc.connect:
                        mail_down = exc
                    continue
                _sent(message, now or timezone.now())
                result.sent += 1
            done += len(batch)
    finally:
        if mail is not None:
            mail.close()
    return result


def event_for_documents(object_type: str, object_ids: list[str]) -> list[Event]:
    return list(Event.objects.filter(object_type=object_type, object_id__in=object_ids).exclude(attachment=""))
