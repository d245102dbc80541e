"""Targets as badges: time left in business hours or working days, red once passed."""

from __future__ import annotations

from shouhou.cases.display import target_of
from shouhou.domain.calendar import china_calendar

from .conftest import at

CAL = china_calendar()


def test_time_left_counts_business_hours_only():
    due = at("2025-10-09 10:45")
    assert target_of(due, met_at=None, now=at("2025-09-30 18:00"), cal=CAL).text == "剩 1 小时"
    assert target_of(due, met_at=None, now=at("2025-09-30 18:20"), cal=CAL).css == "due soon"
    assert target_of(at("2025-10-11 18:30"), met_at=None, now=at("2025-09-30 12:00"), cal=CAL).text == "剩 3 个工作日"


def test_passed_targets_are_red_even_after_hours():
    due = at("2025-10-14 18:30")
    late = target_of(due, met_at=None, now=at("2025-10-14 22:00"), cal=CAL)
    assert (late.text, late.css) == ("已超时", "due overdue")
    later = target_of(due, met_at=None, now=at("2025-10-15 11:25"), cal=CAL)
    assert (later.text, later.css) == ("已超时 1 小时 10 分", "due overdue")


def test_met_targets_say_whether_in_time():
    due = at("2025-10-14 18:30")
    assert target_of(due, met_at=at("2025-10-14 18:00"), now=at("2025-10-20 10:00"), cal=CAL).text == "按时完成"
    assert target_of(due, met_at=at("2025-10-15 10:00"), now=at("2025-10-20 10:00"), cal=CAL).css == "due overdue"
