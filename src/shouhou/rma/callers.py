"""Open service orders for the caller panel (registered with shouhou.registry.callers)."""

from __future__ import annotations

import functools
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import reverse
from django.utils.translation import gettext as _

from shouhou.registry.callers import PROVIDER_LIMIT, CallerItem, CallerKeys
from shouhou.rma.models import OPEN_STATES, OrderLine, ServiceOrder


@functools.cache
def _sql() -> str:
    orders, lines = ServiceOrder._meta.db_table, OrderLine._meta.db_table
    return (f"SELECT o.id, o.number FROM {orders} o WHERE o.submitted_at IS NOT NULL AND o.id IN ("  # noqa: S608  (table names from the models)
            f"SELECT l.order_id FROM {lines} l WHERE l.state IN ({', '.join(['%s'] * len(OPEN_STATES))})"
            " AND (l.unit_id IN ({units})"
            f" OR l.order_id IN (SELECT d.id FROM {orders} d WHERE d.dealer_id IN ({{dealers}}))))"
            f" ORDER BY o.submitted_at DESC, o.id DESC LIMIT {PROVIDER_LIMIT}")


def _placeholders(values: tuple[int, ...]) -> str:
    return ", ".join(["%s"] * len(values)) if values else "NULL"


def open_orders(user: Any, keys: CallerKeys) -> list[CallerItem]:
    """Submitted orders with a line still open for one of the units, or of one of the dealers on the
    line, newest first, in one query (the line's unit index and the order's dealer index serve it).

    Caller lookups are for vendor staff, who see every order (shouhou.core.scoping), so the query
    has no dealer filter; anyone else gets nothing."""
    if not getattr(user, "is_vendor_staff", False) or not (keys.unit_ids or keys.dealer_ids):
        return []
    sql = _sql().format(units=_placeholders(keys.unit_ids), dealers=_placeholders(keys.dealer_ids))
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, [*OPEN_STATES, *keys.unit_ids, *keys.dealer_ids])
        rows = cursor.fetchall()
    # An order gets its number when it is approved; before that staff know it by its id.
    return [CallerItem(pk, number or _("待审核服务单 #%(id)s") % {"id": pk}, reverse("rma_order", args=[pk]))
            for pk, number in rows]
