"""Writes of the RMA process: submitting service forms and applying events to their lines.

Every service runs in one transaction and writes one audit row; the step's effects are emitted
to the outbox (`shouhou.notify`) in the same transaction, which renders and sends them.
Transitions, guards and deadlines are the domain's (`shouhou.domain.rma`); this module only
checks who may act, locks, persists and records.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhou.cases.models import Case, CaseType
from shouhou.core.models import User
from shouhou.core.scoping import scoped
from shouhou.core.services import audit_record
from shouhou.domain import rma
from shouhou.domain.errors import Forbidden, IllegalEvent, Invalid, NotFound, ShouhouError
from shouhou.notify.models import Event
from shouhou.notify.services import emit
from shouhou.registry import services as registry_services
from shouhou.registry.models import Dealer, Unit, UnitStatus, normalize_serial
from shouhou.rma import tracking_sheets
from shouhou.rma.models import (
    DRAFT,
    OPEN_STATES,
    Charge,
    DeadlineKind,
    DeadlineRecord,
    OrderLine,
    OrderSource,
    Quote,
    QuoteStatus,
    RepairRecord,
    RmaNumber,
    ServiceOrder,
    Shipment,
    ShipmentDirection,
    ShipmentKind,
)
from shouhou.rma.policy import policy_current, rma_policy, work_calendar
from shouhou.rma.service_form import (
    FormError,
    check_service_form,
    describe_with_row,
    error_field,
    topology_kind,
)
from shouhou.rma.services_receipts import receipt_take_over, receipt_waiting_for
from shouhou.workdays import clock

log = logging.getLogger(__name__)


# Notices that carry a PDF (rendered after commit by `shouhou.rma.documents.render`).
DOCUMENT_KINDS = frozenset({"return_authorisation", "quote", "repair_tracking_sheet"})


# --- who acts ------------------------------------------------------------------------------------


def actor_role(actor: Any) -> str:
    """The domain role of a user: "dealer" for a dealer's user, "staff" for vendor staff.

    Raises Forbidden for anybody else (an account without a role may not touch orders).
    """
    if getattr(actor, "dealer_id", None) is not None:
        return "dealer"
    if getattr(actor, "is_vendor_staff", False):
        return "staff"
    raise Forbidden(_("您的账号没有处理服务单的权限。"))


# --- forms --------------------------------------------------------------------------------------


def _aware_past(value: datetime, *, now: datetime, field: str) -> datetime:
    if timezone.is_naive(value):
        raise Invalid(_("时间须包含时区"), field=field)
    if value > now:
        raise Invalid(_("时间不能晚于当前时间"), field=field)
    return value


@transaction.atomic
def order_submit(
    *,
    dealer: Dealer,
    actor: User,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    return_address: str = "",
    lines: Sequence[Mapping[str, Any]],
    submitted_at: datetime | None = None,
    reported_at: datetime | None = None,
    case_number: str = "",
    source: str = OrderSource.WEB,
    topology_required: bool = True,
    draft: ServiceOrder | None = None,
    now: datetime | None = None,
) -> ServiceOrder:
    """Submit a complete service form; every line starts in review (due in 1 WD).

    `lines` are mappings with `serial` (or `unit`), `fault`, `advance_requested`,
    `advance_reason` and `topology` (an uploaded image or PDF). `submitted_at` (staff only, not
    in the future) dates a form that arrived earlier; `reported_at` (the case's opening time)
    is the coverage date, default `submitted_at`. `draft` turns a saved draft into the order.

    Raises Invalid listing every problem (`errors`), Forbidden for a dealer submitting for
    another dealer or dating its own form.
    """
    now = now or timezone.now()
    role = actor_role(actor)
    if role == "dealer":
        if actor.dealer_id != dealer.pk:
            raise Forbidden(_("只能为本代理商提交服务单。"))
        if submitted_at is not None:
            raise Forbidden(_("只有客服人员可以指定提交时间。"))
    if draft is not None and (draft.dealer_id != dealer.pk or not draft.is_draft):
        raise Invalid(_("该草稿已提交或不属于此代理商。"), field="draft")
    at = _aware_past(submitted_at, now=now, field="submitted_at") if submitted_at else now
    case = _case_of(case_number, actor=actor, dealer=dealer)
    if case is not None and reported_at is None:
        reported_at = case.opened_at  # the fault was first reported when the case was opened
    reported = _aware_past(reported_at, now=now, field="reported_at") if reported_at else at
    cal = work_calendar()
    # A draft's lines keep the diagrams uploaded with it, by serial.
    old_topologies = {ln.serial: ln.topology for ln in draft.lines.all() if ln.topology} if draft else {}
    form = check_service_form(
        dealer=dealer, contact_name=contact_name, contact_phone=contact_phone, return_address=return_address,
        contact_email=contact_email, lines=lines, reported_on=cal.local(reported).date(),
        topology_required=topology_required, exclude_order=draft, stored_topologies=frozenset(old_topologies),
    )
    if form.errors:
        raise form_invalid(form.errors)
    checked = form.lines
    order = draft or ServiceOrder(dealer=dealer)
    order.contact_name = contact_name.strip()
    order.contact_phone = contact_phone.strip()
    order.contact_email = contact_email.strip()
    order.return_address = return_address.strip()
    order.case = case
    order.reported_at = reported
    order.submitted_at = at
    order.submitted_by = actor
    order.source = source
    order.save()
    if draft is not None:
        draft.lines.all().delete()
    created = []
    for position, item in enumerate(checked, start=1):
        step = rma.submit(coverage=item.coverage, at=at, now=now, calendar=cal, policy=rma_policy(),
                          advance=item.advance_requested)
        line = OrderLine(order=order, position=position, unit=item.unit, serial=item.unit.serial, fault=item.fault,
                         advance_requested=item.advance_requested, advance_reason=item.advance_reason,
                         coverage=item.coverage)
        line.apply(step)
        if item.topology is not None:
            line.topology.save(_topology_name(item.topology), item.topology, save=False)
        elif item.unit.serial in old_topologies:
            line.topology = old_topologies[item.unit.serial]
        _line_insert(line, row=position)
        _deadline_open(line, started_at=at)
        created.append(line)
    audit_record(order, "order.submitted", actor=actor, data={
        "submitted_at": at.isoformat(), "reported_at": reported.isoformat(), "source": str(source),
        "case": case.number if case else None, "on_behalf_of_dealer": role == "staff",
        "lines": [{"id": ln.pk, "serial": ln.serial, "coverage": ln.coverage, "advance": ln.advance_requested,
                   "due": ln.due_at.isoformat() if ln.due_at else None} for ln in created],
    })
    return order


def _case_of(number: str, *, actor: User, dealer: Dealer) -> Case | None:
    """The case NUMBER names, as ACTOR may see it and about DEALER's unit; raises Invalid otherwise."""
    number = number.strip().upper()
    if not number:
        return None
    case = scoped(actor, Case).filter(number=number).exclude(case_type=CaseType.COMPLAINT).first()
    if case is None or case.dealer_id not in (None, dealer.pk):
        raise Invalid(_("服务案例 %(number)s 不存在。") % {"number": number}, field="case")
    return case
def form_invalid(errors: list[FormError]) -> Invalid:
    """The service form's problems as one Invalid: texts for people (`errors`, "第 N 行：…"), field
    paths and the structured problems (`problems`: row, field, code, params) for programs."""
    return Invalid("；".join(describe_with_row(e) for e in errors), reason="form_incomplete",
                   field=error_field(errors[0]), errors=[describe_with_row(e) for e in errors],
                   fields=[error_field(e) for e in errors],
                   problems=[{"row": e.row, "field": e.field, "code": e.code, "params": dict(e.params)}
                             for e in errors])


def _line_insert(line: OrderLine, *, row: int) -> None:
    """Insert a submitted line; a unit that got an open line meanwhile (a form submitted at the
    same moment) is refused like the form check refuses it, by the database's guard."""
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError:
        other = (OrderLine.objects.filter(unit=line.unit_id, state__in=OPEN_STATES).exclude(order=line.order_id)
                 .values_list("order__number", flat=True).first())
        if other is None and not OrderLine.objects.filter(unit=line.unit_id, state__in=OPEN_STATES).exists():
            raise
        error = FormError(row, "serial", "in_service", {"serial": line.serial, "number": other or ""})
        raise form_invalid([error]) from None


def _topology_name(upload: File) -> str:
    return f"topology.{topology_kind(upload).replace('jpeg', 'jpg')}"


@transaction.atomic
def order_save_draft(
    *,
    dealer: Dealer,
    actor: User,
    order: ServiceOrder | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    return_address: str = "",
    lines: Sequence[Mapping[str, Any]] = (),
    source: str = OrderSource.WEB,
) -> ServiceOrder:
    """Save an incomplete form to finish later (nothing is checked but ownership and files).

    Lines are replaced by `lines`; a serial of the dealer's is linked to its unit. Submit it
    with `order_submit(..., draft=order)`. Raises Forbidden, Invalid (a bad topology file).
    """
    if actor_role(actor) == "dealer" and actor.dealer_id != dealer.pk:
        raise Forbidden(_("只能为本代理商保存服务单。"))
    if order is not None and (order.dealer_id != dealer.pk or not order.is_draft):
        raise Invalid(_("该草稿已提交或不属于此代理商。"), field="draft")
    order = order or ServiceOrder(dealer=dealer)
    order.contact_name, order.contact_phone = contact_name.strip(), contact_phone.strip()
    order.contact_email, order.return_address = contact_email.strip(), return_address.strip()
    order.source = source
    order.save()
    kept = {ln.serial: ln.topology for ln in order.lines.all() if ln.topology}
    order.lines.all().delete()
    serials = [normalize_serial(str(raw.get("serial") or "")) for raw in lines]
    units = {u.serial: u for u in Unit.objects.filter(serial__in=[s for s in serials if s], dealer=dealer)}
    for position, (raw, serial) in enumerate(zip(lines, serials, strict=True), start=1):
        line = OrderLine(order=order, position=position, serial=serial, unit=units.get(serial), state=DRAFT,
                         fault=str(raw.get("fault") or "").strip(),
                         advance_requested=raw.get("advance_requested") is True,
                         advance_reason=str(raw.get("advance_reason") or "").strip())
        topology = raw.get("topology")
        if topology:
            line.topology.save(_topology_name(topology), topology, save=False)
        elif serial in kept:
            line.topology = kept[serial]
        line.save()
    audit_record(order, "order.draft_saved", actor=actor, data={"lines": len(lines)})
    return order


@transaction.atomic
def line_topology_attach(*, line: OrderLine, actor: User, upload: File) -> OrderLine:
    """Attach the topology diagram of a draft's line (the API's draft-then-attach flow).

    Raises Forbidden (another dealer's), Invalid (not a draft, or not a PNG/JPEG/PDF up to 10 MB).
    """
    if actor_role(actor) == "dealer" and line.order.dealer_id != actor.dealer_id:
        raise Forbidden(_("只能为本代理商的服务单上传文件。"))
    if not line.is_draft:
        raise Invalid(_("只能为草稿上传配置拓扑图；已提交的服务单请联系售后服务中心。"), reason="not_draft",
                      field="topology")
    line.topology.save(_topology_name(upload), upload, save=False)
    line.save(update_fields=["topology"])
    audit_record(line.order, "order.topology_attached", actor=actor, data={"line": line.pk, "serial": line.serial})
    return line


def order_submit_draft(*, order: ServiceOrder, actor: User, topology_required: bool = True,
                       source: str = OrderSource.API) -> ServiceOrder:
    """Submit a saved draft as it stands (its header, lines and attached diagrams). Raises as
    ``order_submit``."""
    lines = [{"serial": ln.serial, "fault": ln.fault, "advance_requested": ln.advance_requested,
              "advance_reason": ln.advance_reason} for ln in order.lines.order_by("position")]
    return order_submit(dealer=order.dealer, actor=actor, contact_name=order.contact_name,
                        contact_phone=order.contact_phone, contact_email=order.contact_email,
                        return_address=order.return_address,
                        case_number=order.case.number if order.case_id else "", lines=lines,
                        source=source, topology_required=topology_required, draft=order)


# --- events on a line ------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, str):
        return str(value)  # StrEnum members become plain strings
    return value


# Which deadline a clock is, by the state it runs in.
_DEADLINE_KINDS: dict[str, str] = {
    rma.State.SUBMITTED: DeadlineKind.REVIEW,
    rma.State.ADVANCE_APPROVED: DeadlineKind.SHIP_ADVANCE,
    rma.State.AWAITING_RETURN: DeadlineKind.FAULTY_RETURN,
    rma.State.RECEIVED: DeadlineKind.INSPECT,
    rma.State.INSPECTED: DeadlineKind.SETTLE,
    rma.State.QUOTING: DeadlineKind.CONTACT,
    rma.State.QUOTED: DeadlineKind.QUOTE_ANSWER,
    rma.State.REPAIRING: DeadlineKind.SHIP,
    rma.State.REPAIRED: DeadlineKind.SHIP,
    rma.State.REPLACING: DeadlineKind.SHIP,
    rma.State.RETURNING: DeadlineKind.RETURN,
    rma.State.SCRAPPING: DeadlineKind.RETURN,
}


def _deadline_open(line: OrderLine, *, started_at: datetime) -> DeadlineRecord | None:
    if line.due_at is not None:
        party, due = "vendor", line.due_at
    elif line.dealer_due_at is not None:
        party, due = "dealer", line.dealer_due_at
    else:
        return None
    return DeadlineRecord.objects.create(
        line=line, kind=_DEADLINE_KINDS.get(line.state, DeadlineKind.SHIP), party=party,
        started_at=min(started_at, due), due_at=due,
    )


def _deadlines_follow(line: OrderLine, *, at: datetime) -> None:
    """Close the open deadline when this step stopped or moved its clock; open the new one.

    A step that keeps the clock (a repair done within the same shipping deadline, a charge)
    leaves the record open: the deadline is met by the step that stops it.
    """
    current = DeadlineRecord.objects.filter(line=line, met_at__isnull=True).first()
    due, party = (line.due_at, "vendor") if line.due_at else (line.dealer_due_at, "dealer")
    started = min(line.clock_started_at or at, due) if due is not None else None
    # The same clock only when it also started at the same time: an advance approval's "ship in
    # 1 WD" can fall on the review's own due time, and must not be shown under the review's label
    # (an inspection keeps the receipt's clock, and its record).
    if current is not None and current.due_at == due and current.party == party and current.started_at == started:
        return
    if current is not None:
        current.met_at = at
        current.late = at > current.due_at
        current.save(update_fields=["met_at", "late"])
    _deadline_open(line, started_at=line.clock_started_at or at)


def _allocate_number(order: ServiceOrder, *, at: datetime) -> str:
    """The next RMA number of the approval's year, gap-free: the year's row is locked until commit."""
    year = clock.localtime(at).year
    RmaNumber.objects.bulk_create([RmaNumber(year=year, last=0)], ignore_conflicts=True)
    counter = RmaNumber.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"RMA{year}-{counter.last:06d}"


def _reference(line: OrderLine) -> str:
    return f"{line.order.number or line.order_id} / {line.position}"


def _unit_follows(line: OrderLine, step: rma.Step, *, actor: User) -> None:
    """Keep the unit's registry status in step with where it physically is, through the
    registry's services (so each move is on the unit's own history).

    At the centre from receipt; back in the field once shipped back or repaired; scrapped when
    the dealer chose scrapping. A unit that was replaced stays `replaced`.
    """
    unit = line.unit
    if unit is None or unit.status == UnitStatus.REPLACED:
        return
    E = rma.Event
    arrived = step.event == E.RECEIVE or (step.event == E.APPROVE and step.line.state is rma.State.RECEIVED)
    if arrived and unit.status != UnitStatus.IN_REPAIR:
        registry_services.unit_receive(unit=unit, actor=actor, reference=_reference(line))
    elif step.event in (E.SHIP_REPAIRED, E.SHIP_BACK):
        registry_services.unit_ship_back(unit=unit, actor=actor, reference=_reference(line))
    elif step.event == E.CLOSE and line.scrap and unit.status != UnitStatus.SCRAPPED:
        registry_services.unit_scrap(unit=unit, actor=actor, reference=_reference(line))


def _write_records(line: OrderLine, step: rma.Step, *, actor: User) -> dict[str, Any]:
    """The event's own records (quote, shipment, repair, charge); returns extra audit data."""
    event, at, data = step.event, step.at, step.data
    E = rma.Event
    extra: dict[str, Any] = {}
    if event in (E.APPROVE, E.APPROVE_ADVANCE) and line.order.number is None:
        order = ServiceOrder.objects.select_for_update().get(pk=line.order_id)
        if order.number is None:  # another line of the order may have been approved meanwhile
            order.number = _allocate_number(order, at=at)
            order.save(update_fields=["number"])
            extra["number"] = order.number
        line.order = order
    elif event == E.INSPECT:
        line.components = _jsonable(list(data.get("components") or []))
    elif event == E.SEND_QUOTE:
        line.quotes.filter(status=QuoteStatus.SENT).update(status=QuoteStatus.SUPERSEDED)
        # Each option its own total (an item naming no option counts for every option).
        totals = rma.quote_totals(data["items"], [str(o) for o in step.line.quote_options])
        valid_until = step.line.dealer_due_at
        assert valid_until is not None  # noqa: S101  (an invariant, for the type checker)
        quote = Quote.objects.create(
            line=line, items=_jsonable(data["items"]), total=max(totals.values(), default=data["total"]),
            totals=_jsonable(totals), options=_jsonable(step.line.quote_options),
            valid_days=data["valid_days"] or rma_policy().quote_valid_days, valid_until=valid_until,
            sent_at=at, sent_by=actor, policy_version=policy_current(),
        )
        extra["quote"] = quote.pk
    elif event in (E.CONFIRM_QUOTE, E.DECLINE_QUOTE):
        confirmed = event == E.CONFIRM_QUOTE
        quote = line.quotes.filter(status=QuoteStatus.SENT).first()
        if quote is not None:
            quote.status = QuoteStatus.CONFIRMED if confirmed else QuoteStatus.DECLINED
            quote.choice = str(data["choice"]) if confirmed else ""
            quote.scrap = bool(data.get("scrap", False))
            quote.answered_at = at
            # A confirmation by mail from the dealer's own address has no user behind it.
            quote.answered_by = actor if actor.pk else None
            if confirmed and quote.choice in (quote.totals or {}):
                quote.total = Decimal(quote.totals[quote.choice])  # the dealer's choice picks the total
                extra["total"] = str(quote.total)
            quote.save(update_fields=["status", "choice", "scrap", "answered_at", "answered_by", "total"])
    elif event in (E.SHIP_TO_CENTRE, E.SHIP_REPLACEMENT, E.SHIP_REPAIRED, E.SHIP_BACK):
        kind = {E.SHIP_TO_CENTRE: ShipmentKind.FAULTY, E.SHIP_REPLACEMENT: ShipmentKind.REPLACEMENT,
                E.SHIP_REPAIRED: ShipmentKind.REPAIRED, E.SHIP_BACK: ShipmentKind.BACK}[event]
        direction = ShipmentDirection.TO_CENTRE if event == E.SHIP_TO_CENTRE else ShipmentDirection.TO_DEALER
        serial = ""
        if event == E.SHIP_REPLACEMENT:
            assert line.unit is not None  # noqa: S101  (an invariant, for the type checker)
            replacement = registry_services.unit_replace(
                original=line.unit, serial=str(data["replacement_serial"]), dealer=line.order.dealer, actor=actor,
                on=clock.localtime(at).date(), reference=_reference(line),
                other_model_reason=str(data.get("other_model_reason") or ""))
            line.replacement_unit = replacement
            serial = replacement.serial
            extra["replacement_unit"] = replacement.pk
        shipment = Shipment.objects.create(line=line, direction=direction, kind=kind, carrier=data["carrier"],
                                           tracking=data["tracking"], shipped_at=at, replacement_serial=serial,
                                           created_by=actor)
        extra["shipment"] = shipment.pk
    elif event == E.COMPLETE_REPAIR:
        record = RepairRecord.objects.create(line=line, parts=_jsonable(data["parts"]), technician=actor,
                                             result=data["result"], completed_at=at)
        extra["repair"] = record.pk
    elif event == E.CHARGE:
        charge = Charge.objects.create(line=line, amount=data["amount"], reason=data["reason"], created_at=at,
                                       created_by=actor)
        extra["charge"] = charge.pk
    return extra


def _local(value: datetime | None) -> str:
    return clock.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def line_notice_data(line: OrderLine) -> dict[str, Any]:
    """What every notice about LINE carries: how to name it and where to open it."""
    from django.urls import reverse

    order = line.order
    return {"number": order.number or "", "order_id": order.pk, "position": line.position, "serial": line.serial,
            "due": _local(line.due_at), "dealer_due": _local(line.dealer_due_at),
            "portal_url": reverse("portal_order", args=[order.pk]), "staff_url": reverse("rma_order", args=[order.pk])}


def _document_url(name: str, line: OrderLine, kind: str) -> str:
    from django.urls import reverse

    return f"{reverse(name, args=[line.order_id, kind])}?line={line.pk}"


def _queue_notices(line: OrderLine, step: rma.Step, *, on_site: bool = False) -> list[Event]:
    """Emit the step's effects as events (`rma.<effect>`); notify words and sends them.

    Quotes and refusals link the policy texts they rest on (the quote's own version).
    """
    created = []
    for effect in step.effects:
        kind = str(effect)
        data = {**line_notice_data(line), **_jsonable(step.data), "advance": line.path == "advance_replacement",
                "faulty_return_wd": rma_policy().faulty_return_wd, "on_site": on_site}
        if effect in (rma.Effect.QUOTE, rma.Effect.REJECTION_NOTICE):
            data.update(_policy_link(line, quoted=effect == rma.Effect.QUOTE))
        document = kind if kind in DOCUMENT_KINDS else ""
        if kind == rma.Effect.SHIPMENT_NOTICE and rma.sheet_due(step.line):
            # The unit leaves for the dealer: the latest 返修跟踪单, with this shipment, goes along.
            document = "repair_tracking_sheet"
        if document:
            data["portal_document_url"] = _document_url("portal_order_document", line, document)
            data["staff_document_url"] = _document_url("rma_order_document", line, document)
        event = emit(f"rma.{kind}", data=data, dealer=line.order.dealer, obj=line, thread=line.order.number or "",
                     document=document)
        if event is not None:
            created.append(event)
            if event.document:
                transaction.on_commit(lambda pk=event.pk: _enqueue_document(pk))
    return created


def _policy_link(line: OrderLine, *, quoted: bool) -> dict[str, Any]:
    from django.conf import settings
    from django.urls import reverse

    version = None
    if quoted:
        quote = line.quotes.filter(status=QuoteStatus.SENT).select_related("policy_version").first()
        version = quote.policy_version if quote is not None else None
    version = version or policy_current()
    if version is None:
        return {}
    url = f"{settings.BASE_URL}{reverse('policy_public')}?{urlencode({'v': version.version})}"
    return {"policy_version": version.version, "policy_url": url}


def _enqueue_document(event_id: int) -> None:
    from shouhou.notify.tasks import event_attach_document

    try:
        event_attach_document.enqueue(event_id=event_id)
    except Exception:  # the sender renders it when it sends, and the order page renders on demand
        log.exception("could not queue the document of event %s", event_id)


@transaction.atomic
def line_apply(
    *,
    line: OrderLine,
    event: str,
    actor: User,
    version: int | None,
    at: datetime | None = None,
    fields: Mapping[str, object] | None = None,
    now: datetime | None = None,
) -> OrderLine:
    """Apply EVENT with its FIELDS to LINE at AT (default now), as ACTOR; returns the saved line.

    Locks the line, checks the actor's role and the version, runs the domain step, writes the
    event's records, deadline records, one audit row and the outbox notices.

    Raises NotFound (another dealer's line), Forbidden (a role that may not apply the event),
    StaleVersion (`version` is not the line's), IllegalEvent (not allowed in the state, naming
    the allowed ones), Invalid (bad fields, `at` in the future or before the previous step).
    """
    now = now or timezone.now()
    role = actor_role(actor)
    locked = (OrderLine.objects.select_for_update(of=("self",))
              .select_related("order", "unit").filter(pk=line.pk).first())
    if locked is None or (role == "dealer" and locked.order.dealer_id != actor.dealer_id):
        raise NotFound(_("没有找到该记录。"))
    if locked.is_draft:
        raise IllegalEvent(_("服务单尚未提交。"), allowed=[])
    if not rma.actor_may(role, event, state=locked.state):
        raise Forbidden(_("您的角色不能执行此操作（%(event)s）。") % {"event": event})
    snapshot = locked.snapshot()
    # A unit that arrived without an approved form is already here: approval takes it over.
    receipt = receipt_waiting_for(locked) if event == rma.Event.APPROVE else None
    if receipt is not None:
        snapshot = replace(snapshot, on_site=True)
    step = rma.apply(snapshot, event, at=at, now=now, calendar=work_calendar(), policy=rma_policy(),
                     version=version, fields=fields)
    changed = locked.apply(step)
    extra = _write_records(locked, step, actor=actor)
    if receipt is not None:
        receipt_take_over(receipt, line=locked, at=step.at)
        extra["receipt"] = receipt.pk
    _unit_follows(locked, step, actor=actor)
    if step.event == rma.Event.SHIP_REPLACEMENT:
        changed.append("replacement_unit")
    elif step.event == rma.Event.INSPECT:
        changed.append("components")
    locked.save(update_fields=changed)
    _deadlines_follow(locked, at=step.at)
    notes = _queue_notices(locked, step, on_site=receipt is not None)
    tracking_sheets.sheet_queue(locked)
    audit_record(locked, f"line.{step.event}", actor=actor, data={
        **_jsonable(step.data),
        **extra,
        "at": step.at.isoformat(),
        "state": locked.state,
        "path": locked.path,
        "due": locked.due_at.isoformat() if locked.due_at else None,
        "dealer_due": locked.dealer_due_at.isoformat() if locked.dealer_due_at else None,
        "version": locked.version,
        "on_behalf_of_dealer": role == "staff" and step.event in rma.DEALER_EVENTS,
        "events": [n.pk for n in notes],
    })
    return locked


def line_apply_many(*, lines: Sequence[OrderLine], event: str, actor: User, at: datetime | None = None,
                    fields: Mapping[str, object] | None = None) -> list[OrderLine | ShouhouError]:
    """Apply one event to several lines (bulk review in the queue), each in its own transaction.

    Returns, per line, the saved line or the error that stopped it; never raises for one line.
    """
    results: list[OrderLine | ShouhouError] = []
    for line in lines:
        try:
            results.append(line_apply(line=line, event=event, actor=actor, version=None, at=at, fields=fields))
        except ShouhouError as exc:
            results.append(exc)
    return results
