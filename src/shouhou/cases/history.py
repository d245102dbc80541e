"""Cases of a unit, for the unit page's history (shouhou.registry.history)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shouhou.cases.models import Case
from shouhou.core.scoping import scoped
from shouhou.registry.history import HistoryEntry
from shouhou.registry.models import Unit


def unit_cases(user: Any, unit: Unit) -> list[HistoryEntry]:
    cases = scoped(user, Case).filter(unit=unit).order_by("-opened_at")[:50]
    name = "portal_case" if getattr(user, "dealer_id", None) is not None else "case_detail"
    return [HistoryEntry(at=c.opened_at, kind=_("服务案例"), title=f"{c.number} {c.subject}",
                         status=c.get_status_display(), url=reverse(name, args=[c.pk])) for c in cases]
