"""The public status page of an RMA (no login): RMA number + serial → state and dates.

Nothing personal is shown, and a wrong pair gets the same "not found" answer whether the number,
the serial or both are wrong. Rate-limited per IP together with the registry's public pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import pgettext

from shouhou.registry.models import normalize_serial
from shouhou.registry.views_public import _base_context, public_page
from shouhou.rma.models import PUBLIC_STATE_LABELS, OrderLine, Shipment


def _approved_at(line: OrderLine) -> datetime | None:
    from shouhou.core.models import AuditEvent

    event = (AuditEvent.objects.filter(object_type=OrderLine._meta.label_lower, object_id=str(line.pk),
                                       verb__in=("line.approve", "line.approve_advance")).order_by("at").first())
    if event is None:
        return None
    raw = (event.data or {}).get("at")
    return datetime.fromisoformat(raw) if raw else event.at


@public_page
def status(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("number", "").strip().upper()[:20]
    serial = normalize_serial(request.GET.get("serial", ""))[:64]
    context: dict[str, Any] = {**_base_context(), "number": number, "serial": serial}
    if not (number and serial):
        return render(request, "rma/status.html", context)
    line = (OrderLine.objects.select_related("order", "unit__product_model")
            .filter(order__number=number, serial=serial).first())
    if line is None:
        return render(request, "rma/status.html", {**context, "not_found": True}, status=404)
    shipped = Shipment.objects.filter(line=line, direction="to_dealer").aggregate(first=Min("shipped_at"))["first"]
    context.update({
        "line": line, "state": PUBLIC_STATE_LABELS.get(line.state, line.state),
        "model": line.unit.product_model.code if line.unit else "",
        "dates": [(pgettext("status date", "提交"), line.order.submitted_at),
                  (pgettext("status date", "审核通过"), _approved_at(line)),
                  (pgettext("status date", "签收"), line.received_at), (pgettext("status date", "发货"), shipped)],
    })
    return render(request, "rma/status.html", context)
