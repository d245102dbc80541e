"""Reads of service orders and lines, always through the dealer scoping layer.

`line_view` is THE shape of a line for the API and the pages (DESIGN §6 LINE): one place
computes `due`, `dealer_due`, `overdue`, `allowed` for the caller and `due_provisional`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from shouhou.core.scoping import get_for, scoped
from shouhou.domain import rma
from shouhou.domain.calendar import WorkCalendar
from shouhou.rma.models import DRAFT, OPEN_STATES, OrderLine, ServiceOrder, TrackingSheet
from shouhou.rma.policy import work_calendar
from shouhou.workdays import clock


def viewer_role(user: Any) -> str:
    """The role `allowed` is computed for: "dealer" for a dealer's user, else "staff"."""
    return "dealer" if getattr(user, "dealer_id", None) is not None else "staff"


def order_get_for(user: Any, pk: int) -> ServiceOrder:
    """One order USER may see, with its lines; raises NotFound (also for another dealer's)."""
    qs = ServiceOrder.objects.select_related("dealer", "case").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position")))
    return get_for(user, qs, pk=pk)


def line_get_for(user: Any, *, order_id: int, line_id: int) -> OrderLine:
    """One line of ORDER_ID that USER may see; raises NotFound."""
    return get_for(user, OrderLine.objects.select_related("order"), pk=line_id, order_id=order_id)


def sheet_get_for(user: Any, *, order_id: int, line_id: int, version: int) -> TrackingSheet:
    """One stored version of a line's 返修跟踪单 that USER may see; raises NotFound."""
    return get_for(user, TrackingSheet.objects.select_related("line__order"), line_id=line_id,
                   line__order_id=order_id, version=version)


def order_list(
    *,
    user: Any,
    state: str | None = None,
    path: str | None = None,
    overdue: bool | None = None,
    dealer: str | None = None,
    model: str | None = None,
    submitted: bool = True,
    now: datetime | None = None,
) -> QuerySet[ServiceOrder]:
    """Orders USER may see, newest first, having a line that matches every filter given.

    `state`/`path` are line values (comma-separated for several), `overdue` a live deadline
    passed at NOW, `dealer` a dealer code, `model` a product model code. Drafts are left out
    unless `submitted` is False.
    """
    now = now or timezone.now()
    lines = Q()
    if state:
        lines &= Q(lines__state__in=state.split(","))
    if path:
        lines &= Q(lines__path__in=path.split(","))
    if model:
        lines &= Q(lines__unit__product_model__code=model)
    late = Q(lines__due_at__lt=now) | Q(lines__dealer_due_at__lt=now)
    if overdue is True:
        lines &= late
    qs = scoped(user, ServiceOrder).filter(submitted_at__isnull=not submitted)
    if dealer:
        qs = qs.filter(dealer__code=dealer)
    if lines:
        qs = qs.filter(pk__in=ServiceOrder.objects.filter(lines).values("pk"))
    if overdue is False:
        qs = qs.exclude(pk__in=ServiceOrder.objects.filter(late).values("pk"))
    return qs.select_related("dealer").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position"))).order_by("-submitted_at", "-id")


def line_queue(*, user: Any, states: list[str] | None = None) -> QuerySet[OrderLine]:
    """Open submitted lines USER may see, most urgent deadline first (the staff queues)."""
    qs = scoped(user, OrderLine).filter(state__in=states or OPEN_STATES).exclude(state=DRAFT)
    return qs.select_related("order", "order__dealer", "unit__product_model").order_by("due_at", "dealer_due_at",
                                                                                        "id")


@dataclass(frozen=True)
class LineView:
    """What a caller sees of a line; `as_dict()` is the API's LINE."""

    id: int
    serial: str
    coverage: str | None
    state: str
    path: str | None
    due: datetime | None
    dealer_due: datetime | None
    overdue: bool
    version: int
    allowed: tuple[str, ...]
    due_provisional: bool

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id, "serial": self.serial, "coverage": self.coverage, "state": self.state,
            "path": self.path, "due": iso(self.due), "dealer_due": iso(self.dealer_due),
            "overdue": self.overdue, "version": self.version, "allowed": list(self.allowed),
        }
        if self.due_provisional:
            data["due_provisional"] = True
        return data


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in Asia/Shanghai with its offset: 2025-10-11T18:30:00+08:00."""
    return clock.localtime(value).isoformat() if value is not None else None


def provisional(cal: WorkCalendar, line: OrderLine) -> bool:
    """Whether the live deadline counts days of a year without an official schedule yet."""
    due = line.due_at or line.dealer_due_at
    if due is None:
        return False
    start = line.clock_started_at or due
    if any(not cal.is_complete(year) for year in range(cal.local(start).year, cal.local(due).year + 1)):
        return True
    return cal.provisional(due)


def line_view(line: OrderLine, *, role: str, now: datetime, cal: WorkCalendar | None = None) -> LineView:
    if line.is_draft:
        return LineView(line.pk, line.serial, None, DRAFT, None, None, None, False, line.version, (), False)
    snap = line.snapshot()
    return LineView(
        id=line.pk, serial=line.serial, coverage=line.coverage, state=line.state, path=line.path,
        due=line.due_at, dealer_due=line.dealer_due_at, overdue=rma.overdue(snap, now), version=line.version,
        allowed=tuple(str(e) for e in rma.allowed_for(snap, role)),
        due_provisional=provisional(cal or work_calendar(), line),
    )


def order_view(order: ServiceOrder, *, role: str, now: datetime, cal: WorkCalendar) -> dict[str, Any]:
    """The API's order: {"id", "number", "dealer", "submitted_at", "lines": [LINE]}."""
    return {
        "id": order.pk,
        "number": order.number,
        "dealer": order.dealer.code,
        "submitted_at": iso(order.submitted_at),
        "lines": [line_view(ln, role=role, now=now, cal=cal).as_dict() for ln in order.lines.all()],
    }
