"""Writes of inbound mail: one ingestion path for the pipe and IMAP, and what staff do with a message.

`mail_ingest(raw=…, source=…)` decides what one message becomes (DESIGN §6 "Mail", docs/mail.md):

1. too large → refused, only its headers kept (EX_DATAERR, so the MTA tells the sender);
2. not a message (no sender) → nothing stored (EX_DATAERR);
3. a Message-ID already taken → nothing new (a redelivery or a second fetch);
4. a delivery status notification → the failed addresses are marked failing in the outbox;
5. our own mail, or an automatic one (Auto-Submitted other than "no", Precedence bulk/junk/list,
   mailer-daemon/postmaster) is never answered and never acts; it is still threaded when it threads;
6. a reply that threads to a service order or a case (number in the subject, else a Message-ID the
   outbox sent in In-Reply-To/References) lands on its timeline, and confirms an order's quote when
   it is a confirmation (DESIGN §6) from an address registered for the order's dealer;
7. a known dealer's mail with a service-form xlsx → a draft order, or a reply (through the outbox)
   listing every problem;
8. an unknown sender → a service case (channel email) in the triage queue;
9. anything else waits in the inbound queue ("unmatched") for staff.

Everything a message causes is written in one transaction with the message itself.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhou.cases.models import Case, CaseType
from shouhou.core.models import User
from shouhou.core.services import audit_record
from shouhou.domain.errors import Invalid, NotFound, ShouhouError
from shouhou.mail import decode, quoting
from shouhou.mail.models import InboundMessage, InboundSource, InboundStatus, ReplyState
from shouhou.notify.models import Message as OutboundMessage
from shouhou.notify.services import Address, address_mark_failing, emit
from shouhou.registry.models import Dealer
from shouhou.rma import xlsx_form
from shouhou.rma.models import LineState, OrderLine, OrderSource, ServiceOrder

log = logging.getLogger(__name__)

EX_OK, EX_DATAERR, EX_TEMPFAIL = 0, 65, 75
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
HEADER_PEEK_BYTES = 64 * 1024

ORDER_NUMBER = re.compile(r"\[\s*(RMA\d{4}-\d{3,9})\s*\]", re.IGNORECASE)
CASE_NUMBER = re.compile(r"\[\s*(C\d{4}-\d{3,9})\s*\]", re.IGNORECASE)
ROBOT_LOCALPARTS = frozenset({"mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply", "donotreply"})


@dataclass(frozen=True)
class IngestResult:
    message: InboundMessage | None
    status: str
    exit_code: int
    duplicate: bool = False


def max_bytes() -> int:
    return int(getattr(settings, "MAIL_MAX_BYTES", DEFAULT_MAX_BYTES))


def mail_ingest(*, raw: bytes, source: str = InboundSource.PIPE, now: datetime | None = None) -> IngestResult:
    """Take one RFC 822 message; returns what it became and the sysexits code for the MTA.

    Database errors propagate (the caller maps them to EX_TEMPFAIL, so the MTA retries); an
    unusable message gives EX_DATAERR and stores nothing.
    """
    now = now or timezone.now()
    if len(raw) > max_bytes():
        return _refuse_oversized(raw, source=source, now=now)
    try:
        decoded = decode.parse(raw)
    except decode.Unusable as exc:
        log.warning("inbound message refused as unusable: %s", exc)
        return IngestResult(None, "unusable", EX_DATAERR)
    existing = InboundMessage.objects.filter(message_id=decoded.message_id).only("pk", "status").first()
    if existing is not None:
        return IngestResult(existing, existing.status, EX_OK, duplicate=True)
    try:
        message = _take(decoded, raw, source=source, now=now)
    except IntegrityError:
        # Another process took the same Message-ID between our check and our insert.
        existing = InboundMessage.objects.filter(message_id=decoded.message_id).only("pk", "status").first()
        if existing is None:
            raise
        return IngestResult(existing, existing.status, EX_OK, duplicate=True)
    return IngestResult(message, message.status, EX_OK)


def _refuse_oversized(raw: bytes, *, source: str, now: datetime) -> IngestResult:
    head = raw[:HEADER_PEEK_BYTES].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    try:
        decoded = decode.parse(head + b"\n\n")
    except decode.Unusable:
        log.warning("inbound message of %s bytes refused: too large and no sender", len(raw))
        return IngestResult(None, "unusable", EX_DATAERR)
    log.warning("inbound message %s from %s refused: %s bytes, limit %s", decoded.message_id,
                decoded.from_address, len(raw), max_bytes())
    if decoded.message_id.endswith("@no-message-id.invalid>"):
        decoded.message_id = decode.synthetic_message_id(raw)
    with transaction.atomic():
        message, created = InboundMessage.objects.get_or_create(message_id=decoded.message_id, defaults={
            "received_at": now, "source": source, "from_address": decoded.from_address,
            "from_name": decoded.from_name, "subject": decoded.subject, "headers": decoded.headers,
            "size": len(raw), "raw": None, "status": InboundStatus.REFUSED, "reason": "too_large",
            "detail": {"limit": max_bytes()}, "auto": True})
        if created:
            audit_record(message, "mail.refused", actor=None, data={"reason": "too_large", "size": len(raw),
                                                                    "from": decoded.from_address})
    return IngestResult(message, InboundStatus.REFUSED, EX_DATAERR)


# --- deciding ------------------------------------------------------------------------------------
def _own_addresses() -> set[str]:
    own = set()
    for value in (settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL, getattr(settings, "MAIL_OWN_ADDRESSES", "")):
        for part in str(value).split(","):
            _name, addr = decode.address_of(part)
            if addr:
                own.add(addr)
    return own


def loop_reason(decoded: decode.Decoded) -> str:
    """Why a message must never be answered ("" when it may be): auto-submitted, bulk, robot or ours."""
    local = decoded.from_address.split("@", 1)[0]
    keys = decoded.message.keys() if decoded.message is not None else []
    if decoded.from_address in _own_addresses() or any(k.lower().startswith("x-shouhou") for k in keys):
        return "own_message"
    if decoded.auto_submitted and decoded.auto_submitted != "no":
        return "auto_submitted"
    if decoded.precedence in {"bulk", "junk", "list"}:
        return "precedence"
    if local in ROBOT_LOCALPARTS or not decoded.from_address:
        return "robot_sender"
    if decoded.message is not None and (decoded.message.get("X-Autoreply") or decoded.message.get("List-Id")):
        return "auto_submitted"
    return ""


def dealer_addresses(dealer: Dealer) -> set[str]:
    """Every address registered for DEALER: its own, its copies and its active users'."""
    found = {dealer.email.strip().lower()} if dealer.email else set()
    found |= {a.strip().lower() for a in dealer.cc_emails.split(",") if "@" in a}
    found |= {e.lower() for e in User.objects.filter(dealer=dealer, is_active=True).exclude(email="")
              .values_list("email", flat=True)}
    return found


def sender_dealer(address: str) -> tuple[Dealer | None, User | None]:
    """The active dealer ADDRESS is registered for (and the user, when it is a user's), or (None, None)."""
    if not address:
        return None, None
    # Most senders are nobody's: two narrow lookups (ids only) before any object is loaded.
    hit = (User.objects.filter(email__iexact=address, is_active=True, dealer__isnull=False, dealer__active=True)
           .values_list("pk", flat=True).first())
    if hit is not None:
        user = User.objects.select_related("dealer").get(pk=hit)
        return user.dealer, user
    # The dealer's own address, or one of its copies (a comma-separated text: confirm the match exactly).
    for pk, email, cc in Dealer.objects.filter(Q(email__iexact=address) | Q(cc_emails__icontains=address),
                                               active=True).values_list("pk", "email", "cc_emails"):
        if address in {email.strip().lower()} | {a.strip().lower() for a in cc.split(",")}:
            return Dealer.objects.get(pk=pk), None
    return None, None


def _stand_in(dealer: Dealer, address: str) -> User:
    """The actor for a dealer's registered address that is no user's: recorded by its address."""
    return User(username=address[:150], name=_("%(dealer)s（邮件 %(address)s）") % {
        "dealer": dealer.name, "address": address}, dealer=dealer)


def _by_number(number: str) -> tuple[ServiceOrder | None, Case | None]:
    if ORDER_NUMBER.fullmatch(f"[{number}]"):
        return ServiceOrder.objects.select_related("dealer").filter(number__iexact=number).first(), None
    if CASE_NUMBER.fullmatch(f"[{number}]"):
        return None, Case.objects.filter(number__iexact=number).first()
    return None, None


def thread_of(decoded: decode.Decoded) -> tuple[ServiceOrder | None, Case | None, str, str]:
    """(order, case, number, how) a message threads to: by the number in its subject, else by a
    Message-ID the outbox sent named in In-Reply-To/References. ``how`` is "subject", "references"
    or ""; ``number`` is the number found even when nothing carries it (any more)."""
    found = ORDER_NUMBER.search(decoded.subject) or CASE_NUMBER.search(decoded.subject)
    number = found.group(1).upper() if found else ""
    if number:
        order, case = _by_number(number)
        if order is not None or case is not None:
            return order, case, number, "subject"
    ids = [*decoded.in_reply_to, *reversed(decoded.references)]
    if ids:
        threads = dict(OutboundMessage.objects.filter(message_id__in=ids).exclude(event__thread="")
                       .values_list("message_id", "event__thread"))
        for mid in ids:
            if mid in threads:
                order, case = _by_number(threads[mid])
                if order is not None or case is not None:
                    return order, case, threads[mid], "references"
    return None, None, number, ""


@transaction.atomic
def _take(decoded: decode.Decoded, raw: bytes, *, source: str, now: datetime) -> InboundMessage:
    text = quoting.strip_quoted(decoded.body)
    message = InboundMessage(
        message_id=decoded.message_id, received_at=now, source=source, from_address=decoded.from_address,
        from_name=decoded.from_name, subject=decoded.subject, headers=decoded.headers, text=text[:20000],
        attachments=[a.summary() for a in decoded.attachments], size=len(raw), raw=raw,
        status=InboundStatus.UNMATCHED,
    )
    if decoded.is_dsn:
        return _bounce(message, decoded, now=now)
    loop = loop_reason(decoded)
    message.auto = bool(loop)
    if loop == "own_message":
        message.status, message.reason = InboundStatus.IGNORED, loop
        message.save()
        audit_record(message, "mail.ignored", actor=None, data={"reason": loop})
        return message
    sender, sender_user = sender_dealer(decoded.from_address)
    message.dealer = sender
    order, case, number, how = thread_of(decoded)
    if order is not None:
        return _threaded(message, decoded, order=order, how=how, loop=loop, now=now)
    if case is not None:
        return _threaded_case(message, case=case, how=how, loop=loop)
    if number.startswith("C"):
        # A case number nobody has: staff look at it.
        message.case_number, message.reason = number, "unknown_case"
    elif loop:
        message.status, message.reason = InboundStatus.IGNORED, loop
    elif sender is not None and _form_attachments(decoded):
        return _service_form(message, decoded, dealer=sender, user=sender_user)
    elif sender is None:
        opened = _open_case(message, decoded)
        if opened is not None:
            return opened
    else:
        message.reason = "known_dealer"
    message.save()
    audit_record(message, f"mail.{message.status}", actor=None, data={
        "reason": message.reason, "from": message.from_address, "subject": message.subject})
    return message


def _bounce(message: InboundMessage, decoded: decode.Decoded, *, now: datetime) -> InboundMessage:
    failures = decode.failed_recipients(decoded)
    message.status, message.auto = InboundStatus.BOUNCE, True
    message.reason = "dsn_failed" if failures else "dsn_other"
    message.detail = {"failed": [{"address": a, "diagnostic": d[:500]} for a, d in failures]}
    message.save()
    for address, diagnostic in failures:
        # The outbox stops mailing the address until staff clear it on its address list.
        address_mark_failing(address=address[:254], reason=diagnostic or "bounce")
    audit_record(message, "mail.bounce", actor=None, data={"failed": [a for a, _d in failures]})
    return message


def _threaded(message: InboundMessage, decoded: decode.Decoded, *, order: ServiceOrder, how: str, loop: str,
              now: datetime) -> InboundMessage:
    message.order = order
    message.dealer_id = order.dealer_id
    message.status, message.reason = InboundStatus.THREADED, f"by_{how}"
    confirmed: list[dict[str, Any]] = []
    confirm = None if loop else quoting.confirmation(decoded.body)
    if confirm is not None:
        registered = decoded.from_address in dealer_addresses(order.dealer)
        if not registered:
            message.reason = "confirmation_from_unregistered_address"
        else:
            confirmed, why = _confirm_quotes(order, confirm, decoded.from_address)
            if confirmed:
                message.status, message.reason = InboundStatus.QUOTE_CONFIRMED, "confirmed"
            else:
                message.reason = why
    elif loop:
        message.reason = loop
    message.detail = {"lines": confirmed} if confirmed else {}
    message.save()
    data = {"inbound": message.pk, "from": message.from_address, "subject": message.subject,
            "text": message.text[:2000], "result": message.status, "code": message.reason,
            "attachments": [a["name"] for a in message.attachments], "lines": confirmed}
    _on_order_timeline(order, message.from_address, data, actor=None)
    return message


def _on_order_timeline(order: ServiceOrder, address: str, data: dict[str, Any], *, actor: User | None) -> None:
    """Put a mail on ORDER's timeline; the dealer sees it only when it came from one of its addresses."""
    if address in dealer_addresses(order.dealer):
        audit_record(order, "mail.reply_received", actor=actor, data=data)
    else:
        # Mail from an address the dealer never registered is for staff only.
        audit_record(None, "mail.reply_received", actor=actor, data=data, object_type=order._meta.label_lower,
                     object_id=order.pk)


def _threaded_case(message: InboundMessage, *, case: Case, how: str, loop: str) -> InboundMessage:
    message.case, message.case_number, message.dealer_id = case, case.number, case.dealer_id or message.dealer_id
    message.status, message.reason = InboundStatus.THREADED, loop or f"by_{how}"
    message.save()
    # The case's timeline is its audit trail.
    audit_record(case, "mail.reply_received", actor=None, data={
        "inbound": message.pk, "from": message.from_address, "subject": message.subject,
        "text": message.text[:2000], "attachments": [a["name"] for a in message.attachments]})
    return message


INTAKE_USERNAME = "mail-intake"


def intake_user() -> User:
    """The account cases opened by mail are recorded as created by: customer service, unable to sign in."""
    from django.contrib.auth.models import Group

    from shouhou.core.roles import Role

    user, created = User.objects.get_or_create(username=INTAKE_USERNAME, defaults={
        "name": _("邮件收件"), "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=Role.CUSTOMER_SERVICE)[0])
    return user


def _open_case(message: InboundMessage, decoded: decode.Decoded) -> InboundMessage | None:
    """A case in the triage queue for an unknown sender's mail; None (the message stays unmatched)
    when the case service refuses it (e.g. an address it does not accept)."""
    from shouhou.cases.policy import team_for_recipients
    from shouhou.cases.services import Reporter, case_open

    subject = message.subject.strip() or _("（无主题）")
    # Mail sent to a team's address (SHOUHOU_TEAM_ADDRESSES) opens the case for that team.
    team = team_for_recipients(decoded.to)
    try:
        case = case_open(actor=intake_user(), channel="email", case_type=CaseType.FAULT,
                         subject=subject[:200], description=message.text, team=team,
                         reporter=Reporter(name=message.from_name[:100], email=message.from_address))
    except ShouhouError as exc:
        log.info("no case for inbound %s: %s", message.message_id, exc)
        message.reason = "case_refused"
        message.detail = {"error": exc.as_dict()}
        return None
    message.case, message.case_number = case, case.number
    message.status, message.reason = InboundStatus.CASE_OPENED, "unknown_sender"
    message.save()
    audit_record(case, "mail.case_opened", actor=None, data={"inbound": message.pk, "from": message.from_address})
    return message


def _confirm_quotes(order: ServiceOrder, confirm: quoting.Confirmation, address: str
                    ) -> tuple[list[dict[str, Any]], str]:
    """Confirm the open quote of every quoted line of ORDER the reply's choice fits; ([], why) else."""
    from shouhou.rma.services import line_apply

    lines = list(OrderLine.objects.filter(order=order, state=LineState.QUOTED).order_by("position"))
    if not lines:
        return [], "no_open_quote"
    user = User.objects.filter(email__iexact=address, dealer=order.dealer, is_active=True).first()
    actor = user or _stand_in(order.dealer, address)
    done: list[dict[str, Any]] = []
    for line in lines:
        choice = confirm.choice_among(list(line.quote_options or []))
        if choice is None:
            return [], "option_missing"
        try:
            saved = line_apply(line=line, event="confirm_quote", actor=actor, version=None,
                               fields={"choice": choice})
        except ShouhouError as exc:
            log.info("mail confirmation of line %s refused: %s", line.pk, exc)
            return [], f"refused_{exc.code}"
        done.append({"line": saved.pk, "choice": choice, "due": saved.due_at.isoformat() if saved.due_at else None})
    return done, ""


def _form_attachments(decoded: decode.Decoded) -> list[decode.Attachment]:
    return [a for a in decoded.attachments if a.claimed == "xlsx" or a.kind == "xlsx"]


def _service_form(message: InboundMessage, decoded: decode.Decoded, *, dealer: Dealer,
                  user: User | None) -> InboundMessage:
    from shouhou.rma.services import order_save_draft

    errors: list[str] = []
    parsed = None
    forms = _form_attachments(decoded)
    for attachment in forms:
        if attachment.kind != "xlsx":
            errors.append(_("附件 %(name)s 不是 Excel（.xlsx）文件，请使用下载的模板。") % {"name": attachment.name})
            continue
        try:
            form = xlsx_form.parse(io.BytesIO(attachment.data), size=attachment.size, dealer=dealer)
        except ValueError as exc:
            errors.append(_("附件 %(name)s：%(problem)s") % {"name": attachment.name, "problem": str(exc)})
            continue
        errors.extend(form.errors)
        parsed = parsed or form
    if len(forms) > 1 and not errors:
        errors.append(_("一封邮件只能附一份服务单，请分开发送。"))
    if errors or parsed is None:
        message.status, message.reason = InboundStatus.FORM_REFUSED, "form_incomplete"
        message.reply = {"event": "mail.reply", "to": message.from_address, "errors": errors}
        message.reply_state = ReplyState.QUEUED
        message.save()
        # The outbox renders the answer in the sender's language and threads it to their message; the
        # key keeps a second delivery of the same mail from being answered twice.
        event = emit("mail.reply", dealer=dealer,
                     users=[user] if user is not None and user.email else [],
                     addresses=[] if user is not None and user.email else [Address(message.from_address)],
                     data={"original_subject": message.subject, "items": errors, "in_reply_to": message.message_id},
                     key=f"mail.reply:{message.message_id}"[:100])
        if event is not None:
            message.reply["notify_event"] = event.pk
            message.save(update_fields=["reply"])
        audit_record(message, "mail.form_refused", actor=None, data={"errors": errors, "from": message.from_address})
        return message
    header = parsed.header
    order = order_save_draft(dealer=dealer, actor=user or _stand_in(dealer, message.from_address),
                             contact_name=header.get("contact_name", ""),
                             contact_phone=header.get("contact_phone", ""),
                             contact_email=header.get("contact_email", "") or message.from_address,
                             return_address=header.get("return_address", ""), lines=parsed.lines,
                             source=OrderSource.EMAIL)
    message.order = order
    message.status, message.reason = InboundStatus.ORDER_DRAFTED, "form_valid"
    message.save()
    audit_record(order, "mail.order_drafted", actor=None, data={"inbound": message.pk, "from": message.from_address,
                                                                "lines": len(parsed.lines)})
    return message


# --- for other apps and for staff -----------------------------------------------------------
@transaction.atomic
def inbound_assign(*, message: InboundMessage, order_number: str, actor: User) -> InboundMessage:
    """Put an unmatched message on the timeline of the service order NUMBER (staff).

    Raises NotFound for an unknown number, Invalid for a message that is already threaded.
    """
    locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if locked.order_id is not None or locked.status not in (InboundStatus.UNMATCHED, InboundStatus.FORM_REFUSED):
        raise Invalid(_("该邮件已归档，不能再关联服务单。"), field="order")
    order = ServiceOrder.objects.filter(number__iexact=order_number.strip()).first()
    if order is None:
        raise NotFound(_("服务单 %(number)s 不存在。") % {"number": order_number.strip()}, field="order")
    locked.order, locked.dealer_id = order, order.dealer_id
    locked.status, locked.reason = InboundStatus.THREADED, "by_staff"
    locked.handled_at, locked.handled_by = timezone.now(), actor
    locked.save(update_fields=["order", "dealer", "status", "reason", "handled_at", "handled_by"])
    _on_order_timeline(order, locked.from_address, {
        "inbound": locked.pk, "from": locked.from_address, "subject": locked.subject, "text": locked.text[:2000],
        "result": locked.status, "code": locked.reason}, actor=actor)
    return locked


@transaction.atomic
def inbound_mark_handled(*, message: InboundMessage, actor: User, note: str) -> InboundMessage:
    """Close an open message of the queue with a note (staff). Raises Invalid when it is not open."""
    locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if locked.status not in (InboundStatus.UNMATCHED, InboundStatus.FORM_REFUSED):
        raise Invalid(_("该邮件不在待处理队列中。"), field="status")
    if not note.strip():
        raise Invalid(_("请填写处理说明。"), field="note")
    locked.status, locked.handled_at, locked.handled_by = InboundStatus.HANDLED, timezone.now(), actor
    locked.detail = {**locked.detail, "note": note.strip()[:2000]}
    locked.save(update_fields=["status", "handled_at", "handled_by", "detail"])
    audit_record(locked, "mail.handled", actor=actor, data={"note": note.strip()[:2000]})
    return locked
