"""Open service orders for the caller panel (registered with shouhou.registry.callers)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from shouhou.core.scoping import scoped
from shouhou.registry.callers import PROVIDER_LIMIT, CallerItem, CallerKeys
from shouhou.rma.models import OPEN_STATES, OrderLine, ServiceOrder


def open_orders(user: Any, keys: CallerKeys) -> list[CallerItem]:
    """Submitted orders with a line still open for one of the units, or of one of the dealers on the
    line, newest first: one query (the line's unit index and the order's dealer index serve it)."""
    if not keys.unit_ids and not keys.dealer_ids:
        return []
    lines = OrderLine.objects.filter(Q(unit_id__in=keys.unit_ids) | Q(order__dealer_id__in=keys.dealer_ids),
                                     state__in=OPEN_STATES)
    orders = (scoped(user, ServiceOrder).filter(pk__in=lines.values("order_id"), submitted_at__isnull=False)
              .order_by("-submitted_at", "-id").only("pk", "number")[:PROVIDER_LIMIT])
    return [CallerItem(o.pk, o.number or f"#{o.pk}", reverse("rma_order", args=[o.pk])) for o in orders]
