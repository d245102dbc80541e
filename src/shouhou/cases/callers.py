"""Open cases of a caller, for the hotline screen's caller panel and GET /api/v1/callers
(registered with `shouhou.registry.callers` as ``open_cases``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from shouhou.cases.models import OPEN_STATUSES, Case
from shouhou.core.scoping import scoped
from shouhou.registry.callers import PROVIDER_LIMIT, CallerItem, CallerKeys


def open_cases(user: Any, keys: CallerKeys) -> list[CallerItem]:
    """Open cases about one of the units, or reported by one of the customers or dealers on the
    line, newest first, in one query (keys: case numbers)."""
    if not (keys.unit_ids or keys.customer_ids or keys.dealer_ids):
        return []
    match = (Q(unit_id__in=keys.unit_ids) | Q(reporter_customer_id__in=keys.customer_ids)
             | Q(reporter_dealer_id__in=keys.dealer_ids))
    cases = (scoped(user, Case).filter(match, status__in=OPEN_STATUSES).order_by("-opened_at", "-id")
             .only("pk", "number", "subject")[:PROVIDER_LIMIT])
    return [CallerItem(c.number, c.subject, reverse("case_detail", args=[c.pk])) for c in cases]
