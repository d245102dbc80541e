"""Service-order lines of a unit, for the unit page's history (shouhou.registry.history)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shouhou.core.scoping import scoped
from shouhou.registry.history import HistoryEntry
from shouhou.registry.models import Unit
from shouhou.rma.models import DRAFT, OrderLine


def unit_lines(user: Any, unit: Unit) -> list[HistoryEntry]:
    lines = (scoped(user, OrderLine).filter(Q(unit=unit) | Q(replacement_unit=unit)).exclude(state=DRAFT)
             .select_related("order").order_by("-order__submitted_at")[:50])
    dealer_view = getattr(user, "dealer_id", None) is not None
    entries = []
    for line in lines:
        name = "portal_order" if dealer_view else "rma_order"
        title = _("%(number)s 第 %(position)s 行") % {
            "number": line.order.number or _("服务单 #%(id)s") % {"id": line.order_id}, "position": line.position}
        if line.replacement_unit_id == unit.pk and line.unit_id != unit.pk:
            title += _("（作为换货新机）")
        entries.append(HistoryEntry(at=line.order.submitted_at or line.order.created_at, kind=_("售后服务单"),
                                    title=title, status=line.get_state_display(),
                                    url=reverse(name, args=[line.order_id])))
    return entries
