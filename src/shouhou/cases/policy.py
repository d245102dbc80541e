"""Where cases take their calendar and targets from (one function each, as rma.policy)."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

from shouhou.domain import cases
from shouhou.domain.calendar import WorkCalendar


def work_calendar() -> WorkCalendar:
    """The product's calendar: its business hours are the case pickup hours."""
    from shouhou.workdays.selectors import calendar

    return calendar()


def case_targets() -> Mapping[cases.CaseType, cases.TargetPolicy]:
    """Targets per case type: the defaults of DESIGN §2, overridden by the setting
    ``SHOUHOU_CASE_TARGETS = {"complaint": {"first_response_minutes": 30, ...}}``."""
    overrides = getattr(settings, "SHOUHOU_CASE_TARGETS", None) or {}
    return {t: cases.TargetPolicy(**overrides.get(t.value, {})) for t in cases.CaseType}
