"""The sender: claims due messages, delivers them (email, robots, SMS) and records the outcome.

Runs in the task worker (`outbox_send`), queued after every commit that wrote messages and
every minute by `shouhou serve` (cron: `shouhou notify send`). Any number of senders may run:
each claims a batch with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises
writers anyway), marks it `sending` with a lease, and counts the try at once.

- Delivered: `sent`, marked in groups of `MARK_EVERY` as the server accepts them, so a killed
  worker leaves only the few delivered since the last mark unmarked (never more than its batch).
- Email is built here and handed to a `MailPipe`: one SMTP session in a thread of its own.
- Failed: back to `pending` after ``retry * 2**(tries-1)`` seconds (capped at 6 hours); after
  `NOTIFY_MAX_TRIES` tries, or at once for a permanent refusal (a 5xx from the mail server, an
  unknown robot), `failed`, and admins get an inbox notice (`notify.delivery_failed`).
- A worker killed while a message is `sending`: once the lease ends the message is claimed
  again and sent with the same Message-ID; see docs/mail.md.
"""

from __future__ import annotations

import email.policy
import logging
import queue
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from shouhou.notify import documents
from shouhou.notify.models import Message, MessageState, Transport
from shouhou.notify.render import Overrides, Rendered, link_for, overrides_for, render_message
from shouhou.notify.transports import robots, sms
from shouhou.notify.transports.email import DeliveryError, Mailer, mailer

log = logging.getLogger(__name__)

BATCH = 200
# Delivered messages are marked sent in groups of this many: one UPDATE per group instead of per
# message. A worker killed mid-group leaves at most this many to be sent again (same Message-IDs).
MARK_EVERY = 10
SWITCH_INTERVAL = 0.0002  # seconds; see outbox_send_run
CRLF = email.policy.compat32.clone(linesep="\r\n")  # smtplib sends bytes as they are: lines end in CRLF
MAX_BACKOFF = timedelta(hours=6)


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(tries: int) -> timedelta:
    base = timedelta(seconds=settings.NOTIFY_RETRY_SECONDS)
    return min(base * (2 ** min(max(tries - 1, 0), 20)), MAX_BACKOFF)  # 2**20 minutes: past any cap


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
    """The RFC 5322 bytes of an email: text and HTML alternatives, the event's PDF attached.

    Built with the standard library's MIME classes and `Header` (encoded words folded from the
    header name on), about four times faster than the `EmailMessage` API for the same bytes.
    """
    event = message.event
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(rendered.text, "plain", "utf-8"))
    body.attach(MIMEText(rendered.html, "html", "utf-8"))
    mail = body
    if event.attachment:
        mail = MIMEMultipart("mixed")
        mail.attach(body)
        with event.attachment.open("rb") as fh:
            pdf = MIMEApplication(fh.read(), "pdf")
        pdf.add_header("Content-Disposition", "attachment", filename=event.attachment.name.rsplit("/", 1)[-1])
        mail.attach(pdf)
    mail["Subject"] = Header(rendered.subject, "utf-8", header_name="Subject")
    mail["From"] = sender
    mail["To"] = message.address
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = message.message_id
    mail["Auto-Submitted"] = "auto-generated"
    mail["X-Auto-Response-Suppress"] = "All"
    mail["X-Shouhou-Event"] = event.name
    if event.thread:
        mail["X-Shouhou-Thread"] = event.thread
    reply_to = (event.data or {}).get("in_reply_to")
    if reply_to:
        mail["In-Reply-To"] = reply_to
        mail["References"] = reply_to
    return mail.as_bytes(policy=CRLF)


def _prepare(message: Message, overrides: Overrides) -> Rendered:
    """Attach the event's document if it has none yet, then render; raises DeliveryError."""
    event = message.event
    if event.document and not event.attachment:
        try:
            documents.event_attach_document(event)
        except Exception as exc:  # a renderer bug must not stop the batch
            raise DeliveryError(f"document: {type(exc).__name__}: {exc}"[:500]) from exc
    return render_message(message, overrides)


def _post(message: Message, rendered: Rendered) -> None:
    """Deliver a robot or SMS message; raises DeliveryError."""
    if message.transport == Transport.ROBOT:
        robots.post(message.channel, rendered, link_for(message.event, message))
    elif message.transport == Transport.SMS:
        sms.gateway(message.channel).send(phone=message.address, number=message.event.thread,
                                          title=rendered.subject)


class MailPipe:
    """One SMTP session in a thread of its own, fed with ready-made messages.

    The caller renders and builds the next messages while this thread waits for the server's
    replies (the socket releases the GIL), so building costs little wall time. Outcomes come back
    in order through `outcomes`; the caller records them in the database (one connection, its own).
    """

    DONE = object()

    def __init__(self, sender: str) -> None:
        self.sender = sender
        self.todo: queue.Queue[Any] = queue.Queue(maxsize=64)
        self.outcomes: queue.Queue[tuple[Message, DeliveryError | None]] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="smtp-sender", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        mail: Mailer = mailer()
        down: DeliveryError | None = None  # the server could not be reached: the rest wait too
        try:
            while (item := self.todo.get()) is not self.DONE:
                message, data = item
                if down is not None:
                    self.outcomes.put((message, down))
                    continue
                try:
                    mail.send(sender=self.sender, recipient=message.address, data=data,
                              message_id=message.message_id)
                except DeliveryError as exc:
                    down = exc if exc.connect else None
                    self.outcomes.put((message, exc))
                    continue
                except Exception as exc:  # noqa: BLE001  (any failure is this message's outcome, retried)
                    self.outcomes.put((message, DeliveryError(f"{type(exc).__name__}: {exc}"[:500])))
                    continue
                self.outcomes.put((message, None))
        finally:
            mail.close()

    def put(self, message: Message, data: bytes) -> None:
        self.todo.put((message, data))

    def close(self) -> None:
        self.todo.put(self.DONE)
        self.thread.join()


def _mark_sent(ids: list[int], now: datetime) -> None:
    if ids:
        Message.objects.filter(pk__in=ids).update(state=MessageState.SENT, sent_at=now, claimed_until=None,
                                                  last_error="")
        ids.clear()


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
    # The display name as an encoded word (售后服务 → =?utf-8?b?…?=), once for the whole run.
    sender_header = formataddr((Header(name, "utf-8").encode(), address)) if address else sender
    pipe: MailPipe | None = None
    # The sending thread wakes on every SMTP reply and needs the GIL for a moment; with the default
    # 5 ms switch interval it waits behind the rendering thread each time (bench/README.md, "Email out").
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    sent: list[int] = []  # delivered, not yet marked: at most MARK_EVERY at any time
    done = 0

    def clock() -> datetime:
        return now or timezone.now()

    def record(message: Message, error: DeliveryError | None) -> None:
        if error is None:
            sent.append(message.pk)
            result.sent += 1
            if len(sent) >= MARK_EVERY:
                _mark_sent(sent, clock())
        else:
            _failed(message, error, clock(), result)

    def drain(*, wait: int = 0) -> None:
        """Record what the pipe has finished; with WAIT, block until that many more are in."""
        assert pipe is not None  # noqa: S101  (an invariant, for the type checker)
        for _ in range(wait):
            record(*pipe.outcomes.get())
        while True:
            try:
                record(*pipe.outcomes.get_nowait())
            except queue.Empty:
                return

    try:
        while limit is None or done < limit:
            batch = _claim(clock(), min(BATCH, (limit - done) if limit else BATCH))
            if not batch:
                break
            overrides = overrides_for({m.event.name for m in batch})
            in_pipe = 0
            for message in batch:
                try:
                    rendered = _prepare(message, overrides)
                    if message.transport != Transport.EMAIL:
                        _post(message, rendered)
                        record(message, None)
                        continue
                    data = _email_bytes(message, rendered, sender_header)
                except DeliveryError as exc:
                    record(message, exc)
                    continue
                pipe = pipe or MailPipe(sender_header)
                pipe.put(message, data)
                in_pipe += 1
                before = result.sent + result.failed + result.retrying
                drain()
                in_pipe -= result.sent + result.failed + result.retrying - before
            if pipe is not None:
                drain(wait=in_pipe)
            _mark_sent(sent, clock())
            done += len(batch)
    finally:
        if pipe is not None:
            pipe.close()
            drain()
        _mark_sent(sent, clock())
        sys.setswitchinterval(switch_interval)
    return result
