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


def team_addresses() -> dict[str, str]:
    """Mail address → team key, from ``SHOUHOU_TEAM_ADDRESSES=support@vendor.cn=support,...``
    (lower-cased addresses; entries without both parts are ignored)."""
    out: dict[str, str] = {}
    for entry in (getattr(settings, "TEAM_ADDRESSES", "") or "").replace("，", ",").split(","):
        address, _sep, key = entry.strip().rpartition("=")
        if address.strip() and "@" in address and key.strip():
            out[address.strip().lower()] = key.strip()
    return out


def team_for_recipients(recipients: list[str]) -> str:
    """The key of the active team the first of RECIPIENTS that is a team address belongs to, else ""
    (a mapping naming no active team is skipped, so the mail still becomes a case)."""
    from shouhou.cases.models import Team

    mapping = team_addresses()
    keys = [mapping[a.strip().lower()] for a in recipients if a.strip().lower() in mapping]
    active = set(Team.objects.filter(key__in=keys, active=True).values_list("key", flat=True)) if keys else set()
    return next((k for k in keys if k in active), "")
