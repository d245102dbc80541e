"""Units that arrive without an approved form (DESIGN §2): approval takes the unit over.

Dates are counted by hand on the official 2025 schedule: National Day Oct 1–8 off, Sat Oct 11
a make-up working day (and a Saturday anyway in the Mon–Sat week).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shouhou.domain import rma
from shouhou.domain.calendar import china_calendar
from shouhou.domain.errors import IllegalEvent
from shouhou.domain.rma import Effect, Event, Path, State

CAL = china_calendar()
SHANGHAI = ZoneInfo("Asia/Shanghai")


def t(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


def _submitted(coverage: str = "replacement", at: str = "2025-09-29 10:00") -> rma.Line:
    return rma.submit(coverage=coverage, at=t(at), now=t(at), calendar=CAL).line


def test_approving_an_on_site_unit_makes_it_received_with_inspection_due_from_approval() -> None:
    line = replace(_submitted(), on_site=True)
    step = rma.approve(line, at=t("2025-09-30 15:00"), now=t("2025-09-30 15:00"), calendar=CAL)
    # Approved Tue Sep 30; Oct 1–8 are holidays → Thu Oct 9, Fri Oct 10, Sat Oct 11 → 18:30.
    assert step.line.state is State.RECEIVED
    assert step.line.path is None
    assert step.line.received_at == t("2025-09-30 15:00")
    assert step.line.clock_started_at == t("2025-09-30 15:00")
    assert step.line.due_at == t("2025-10-11 18:30")
    assert step.line.dealer_due_at is None
    assert Effect.RETURN_AUTHORISATION in step.effects
    assert {"state", "received_at", "due_at", "clock_started_at"} <= set(step.changed)


def test_without_a_receipt_approval_still_waits_for_the_unit() -> None:
    step = rma.approve(_submitted(), at=t("2025-09-30 15:00"), now=t("2025-09-30 15:00"), calendar=CAL)
    assert step.line.state is State.APPROVED
    assert step.line.due_at is None and step.line.received_at is None


def test_outcome_deadlines_of_a_taken_over_unit_count_from_the_approval() -> None:
    line = replace(_submitted(), on_site=True)
    approved = rma.approve(line, at=t("2025-09-30 15:00"), now=t("2025-09-30 15:00"), calendar=CAL).line
    inspected = rma.apply(approved, Event.INSPECT, at=t("2025-10-09 11:00"), now=t("2025-10-09 11:00"),
                          calendar=CAL, fault_confirmed=True, damage=[]).line
    # Free replacement ships ≤ 3 WD after "receipt", here the approval: Sat Oct 11 18:30.
    assert inspected.path is Path.FREE_REPLACEMENT
    assert inspected.due_at == t("2025-10-11 18:30")


def test_an_on_site_unit_cannot_get_an_advance_replacement() -> None:
    line = replace(_submitted(), on_site=True)
    assert Event.APPROVE_ADVANCE not in rma.allowed(line)
    with pytest.raises(IllegalEvent):
        rma.approve_advance(line, at=t("2025-09-30 15:00"), now=t("2025-09-30 15:00"), calendar=CAL, reason="x")
