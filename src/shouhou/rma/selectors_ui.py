"""Reads of the RMA pages (queue, order page, receiving, portal), through the dealer scoping layer.

`line_rows` turns lines into what a page shows (deadline badge in working days, allowed events
for the viewer) with a fixed number of queries, whatever the number of lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shouhou.core.models import AuditEvent
from shouhou.core.scoping import scoped
from shouhou.domain import rma
from shouhou.domain.calendar import WorkCalendar
from shouhou.domain.regions import code_prefix
from shouhou.registry.models import normalize_serial
from shouhou.rma.models import (
    DRAFT,
    FINAL_STATES,
    OPEN_STATES,
    DeadlineRecord,
    OrderLine,
    Receipt,
    ServiceOrder,
    Shipment,
    ShipmentDirection,
)
from shouhou.rma.policy import work_calendar
from shouhou.rma.selectors import provisional

# Lines the receiving desk may receive (the domain's guard of `receive`).
RECEIVABLE_STATES = (rma.State.APPROVED.value, rma.State.AWAITING_RETURN.value, rma.State.IN_TRANSIT.value)
# Lines where the next move is the dealer's (the portal's "to do").
DEALER_MOVE_STATES = tuple(s.value for s, party in rma.WHOSE_MOVE.items() if party == "dealer")


@dataclass
class Due:
    """A deadline as a badge: "剩 2 个工作日", or red "已超期 1 个工作日"."""

    at: datetime
    text: str
    css: str
    provisional: bool
    dealer: bool
    working_days: int


def due_of(line: OrderLine, *, now: datetime, cal: WorkCalendar) -> Due | None:
    at = line.due_at or line.dealer_due_at
    if at is None:
        return None
    today = cal.local(now).date()
    day = cal.local(at).date()
    if now > at:
        late = cal.working_days_between(day, today)
        overdue = ngettext("已超期 %(n)s 个工作日", "已超期 %(n)s 个工作日", late) % {"n": late}
        text = overdue if late > 0 else _("已超期")
        css, left = "due overdue", -late
    else:
        left = cal.working_days_between(today, day)
        text = _("今日到期") if left <= 0 else ngettext("剩 %(n)s 个工作日", "剩 %(n)s 个工作日", left) % {"n": left}
        css = "due soon" if left <= 1 else "due"
    is_provisional = provisional(cal, line)
    if is_provisional:
        css += " provisional"
    return Due(at=at, text=text, css=css, provisional=is_provisional, dealer=line.due_at is None,
               working_days=left)


@dataclass
class LineRow:
    line: OrderLine
    due: Due | None
    allowed: tuple[str, ...]
    whose_move: str
    extra: dict[str, Any] = field(default_factory=dict)


def line_rows(lines: list[OrderLine], *, role: str, now: datetime, cal: WorkCalendar) -> list[LineRow]:
    rows = []
    for line in lines:
        if line.is_draft:
            rows.append(LineRow(line, None, (), "dealer"))
            continue
        snap = line.snapshot()
        rows.append(LineRow(line, due_of(line, now=now, cal=cal),
                            tuple(str(e) for e in rma.allowed_for(snap, role)), rma.whose_move(snap)))
    return rows


def end_of_day(now: datetime, cal: WorkCalendar | None = None) -> datetime:
    """Local midnight after NOW: "due today" is a deadline before it."""
    cal = cal or work_calendar()
    return datetime.combine(cal.local(now).date() + timedelta(days=1), time.min, cal.tz)


QUEUE_SORT = (F("due_at").asc(nulls_last=True), F("dealer_due_at").asc(nulls_last=True), "id")


def line_search(user: Any, *, state: str = "", path: str = "", overdue: bool | str = False, dealer: str = "",
                model: str = "", q: str = "", due: str = "", now: datetime | None = None,
                cal: WorkCalendar | None = None, first: date | None = None, last: date | None = None,
                by: str = "", region: str = "") -> QuerySet[OrderLine]:
    """Submitted lines USER may see for the staff queue, most urgent deadline first.

    `state` "" means every open state, "all" every state; `q` is a serial or an RMA number.
    `overdue` True (or "1") is a passed deadline of either party, "vendor" or "dealer" one
    party's; `due` "today" is a vendor deadline still to meet before today's close.
    FIRST..LAST (local dates, either may be None) bound the report date, or with BY "shipped"
    the shipment to the dealer, with BY "due" a deadline's due time (how the reports count);
    `region` a province or city code of the dealer.
    """
    now = now or timezone.now()
    cal = cal or work_calendar()
    if first is not None or last is not None:
        bounds: dict[str, datetime] = {}
        if first is not None:
            bounds["gte"] = datetime.combine(first, time.min, cal.tz)
        if last is not None:
            bounds["lt"] = datetime.combine(last + timedelta(days=1), time.min, cal.tz)
        if by == "shipped":
            qs_in = {f"shipped_at__{k}": v for k, v in bounds.items()}
            within = Q(Exists(Shipment.objects.filter(line=OuterRef("pk"), direction=ShipmentDirection.TO_DEALER,
                                                      **qs_in)))
        elif by == "due":
            qs_in = {f"due_at__{k}": v for k, v in bounds.items()}
            within = Q(Exists(DeadlineRecord.objects.filter(line=OuterRef("pk"), **qs_in)))
        else:
            within = Q(**{f"order__reported_at__{k}": v for k, v in bounds.items()})
    else:
        within = Q()
    qs = scoped(user, OrderLine).exclude(state=DRAFT)
    if state == "all":
        pass
    elif state == "final":
        qs = qs.filter(state__in=FINAL_STATES)
    elif state:
        qs = qs.filter(state__in=state.split(","))
    else:
        qs = qs.filter(state__in=OPEN_STATES)
    if path:
        qs = qs.filter(path__in=path.split(","))
    if overdue == "vendor":
        qs = qs.filter(due_at__lt=now)
    elif overdue == "dealer":
        qs = qs.filter(dealer_due_at__lt=now)
    elif overdue:
        qs = qs.filter(Q(due_at__lt=now) | Q(dealer_due_at__lt=now))
    if due == "today":
        qs = qs.filter(due_at__gte=now, due_at__lt=end_of_day(now, cal))
    if dealer:
        qs = qs.filter(order__dealer__code=dealer)
    if model:
        qs = qs.filter(unit__product_model__code=model)
    if region:
        qs = qs.filter(order__dealer__region_code__startswith=code_prefix(region))
    qs = qs.filter(within)
    if q:
        term = q.strip()
        qs = qs.filter(Q(serial__startswith=normalize_serial(term)) | Q(order__number__iexact=term)
                       | Q(order__number__endswith=term.upper()))
    return qs.select_related("order", "order__dealer", "order__submitted_by", "unit__product_model").order_by(
        *QUEUE_SORT)


def receivable_line(user: Any, serial: str) -> OrderLine | None:
    """The authorised line of SERIAL waiting for its unit, or None."""
    return (scoped(user, OrderLine).filter(serial=normalize_serial(serial), state__in=RECEIVABLE_STATES)
            .select_related("order", "order__dealer", "unit__product_model").order_by("id").first())


def received_today(user: Any, *, now: datetime, cal: WorkCalendar) -> list[OrderLine]:
    today = cal.local(now).date()
    start = datetime.combine(today, datetime.min.time(), cal.tz)
    return list(scoped(user, OrderLine).filter(received_at__gte=start)
                .select_related("order", "order__dealer", "unit__product_model").order_by("-received_at", "-id"))


def unit_history(order: ServiceOrder, lines: list[OrderLine]) -> dict[int, list[OrderLine]]:
    """Other service lines of each line's unit (staff only: they may span dealers)."""
    unit_ids = [ln.unit_id for ln in lines if ln.unit_id]
    history: dict[int, list[OrderLine]] = {}
    if not unit_ids:
        return history
    for other in (OrderLine.objects.filter(unit_id__in=unit_ids).exclude(order=order).exclude(state=DRAFT)
                  .select_related("order").order_by("-id")):
        history.setdefault(other.unit_id, []).append(other)
    return history


def order_timeline(user: Any, order: ServiceOrder, lines: list[OrderLine]) -> QuerySet[AuditEvent]:
    """The audit events of ORDER and its lines that USER may see, oldest first."""
    line_ids = [str(ln.pk) for ln in lines]
    return scoped(user, AuditEvent).filter(
        Q(object_type=ServiceOrder._meta.label_lower, object_id=str(order.pk))
        | Q(object_type=OrderLine._meta.label_lower, object_id__in=line_ids)
    ).select_related("actor").order_by("at", "id")


# --- unannounced receipts -----------------------------------------------------------------------------


def receipt_search(user: Any, *, status: str = "", dealer: str = "", q: str = "",
                   unmatched: bool = False) -> QuerySet[Receipt]:
    """Unannounced receipts USER may see, oldest waiting first (the one waiting longest on top)."""
    qs = scoped(user, Receipt)
    if status:
        qs = qs.filter(status=status)
    if dealer:
        qs = qs.filter(dealer__code=dealer)
    if unmatched:
        qs = qs.filter(unit__isnull=True)
    if q.strip():
        term = q.strip()
        qs = qs.filter(Q(serial__startswith=normalize_serial(term)) | Q(tracking__iexact=term))
    return qs.select_related("dealer", "unit__product_model", "line__order", "received_by").order_by(
        "received_at", "id")


def receipt_waited(receipt: Receipt, *, now: datetime, cal: WorkCalendar) -> int:
    """Working days the parcel has waited for its form: from arrival to the take-over, or to today."""
    end = receipt.taken_over_at or now
    return max(0, cal.working_days_between(cal.local(receipt.received_at).date(), cal.local(end).date()))


def receipt_waiting_for_serial(user: Any, serial: str) -> Receipt | None:
    """The receipt of SERIAL still waiting for its form, for the receiving desk."""
    return (scoped(user, Receipt).filter(serial=normalize_serial(serial), status="awaiting_form")
            .order_by("id").first())
