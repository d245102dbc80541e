"""The report figures on a hand-checked data set (see conftest), for staff and for each dealer."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from shouhou.domain.reports import Period, Step
from shouhou.reports import selectors
from shouhou.reports.selectors import Filters

NOV = Filters(Period(date(2025, 11, 1), date(2025, 11, 30)))


def _steps(tallies) -> dict[str, tuple[int, int, int]]:
    return {t.step.value: (t.met, t.late, t.open_overdue) for t in tallies}


def test_deadlines_per_step_for_staff(november, manager) -> None:
    steps = _steps(selectors.deadlines_report(manager, NOV, now=timezone.now()))
    assert steps == {
        Step.REVIEW: (2, 1, 1),  # A1 and A2 met, B1 late, A3 still open
        Step.SHIP_ADVANCE: (0, 0, 0),
        Step.CONTACT: (1, 1, 0),  # A2 inspected on time; A1's replacement left after its deadline
        Step.SHIP_REPLACEMENT: (0, 0, 0),
        Step.SHIP_REPAIR: (1, 0, 0),  # A2 repaired and shipped on time
        Step.FAULTY_RETURN: (0, 0, 0),
    }


def test_a_dealer_sees_only_its_own_deadlines(november, alice, bob) -> None:
    alice_steps = _steps(selectors.deadlines_report(alice, NOV, now=timezone.now()))
    assert alice_steps[Step.REVIEW] == (2, 0, 1)
    bob_steps = _steps(selectors.deadlines_report(bob, NOV, now=timezone.now()))
    assert bob_steps[Step.REVIEW] == (0, 1, 0)
    assert bob_steps[Step.CONTACT] == (0, 0, 0)


def test_the_dealer_filter_narrows_staff_figures(november, manager) -> None:
    f = Filters(NOV.period, dealer="GD-B02")
    assert _steps(selectors.deadlines_report(manager, f, now=timezone.now()))[Step.REVIEW] == (0, 1, 0)


def test_deadlines_per_week_label_weeks_by_their_monday(november, manager) -> None:
    weeks = selectors.deadlines_by(manager, NOV, now=timezone.now(), unit="week")
    # Reviews fall due Nov 4–6 (week of Nov 3); inspections Nov 8 and 10; the repair Nov 18.
    assert [w.start for w in weeks] == [date(2025, 11, 3), date(2025, 11, 10), date(2025, 11, 17)]
    first = _steps(weeks[0].steps)
    assert first[Step.REVIEW] == (2, 1, 1)
    assert first[Step.CONTACT] == (0, 1, 0)  # A1's, due Sat Nov 8
    assert _steps(weeks[1].steps)[Step.CONTACT] == (1, 0, 0)  # A2's, due Mon Nov 10
    months = selectors.deadlines_by(manager, NOV, now=timezone.now(), unit="month")
    assert [m.start for m in months] == [date(2025, 11, 1)]


def test_turnaround_in_working_days_per_path(november, manager) -> None:
    rows = {t.path: (t.lines, t.median, t.p90) for t in selectors.turnaround(manager, NOV)}
    assert rows == {"free_replacement": (1, 6, 6), "free_repair": (1, 7, 7)}


def test_backlog_by_state_and_who_owes_the_overdue(november, manager, bob) -> None:
    now = timezone.now()
    backlog = selectors.backlog(manager, NOV, now=now)
    by = {(r["state"], r["path"]): r["count"] for r in backlog.by_state_path}
    assert by == {("shipped", "free_replacement"): 1, ("shipped", "free_repair"): 1, ("submitted", None): 1,
                  ("approved", None): 1}
    assert backlog.open == 4
    assert [ln.serial for ln in backlog.overdue] == ["RPA3"]
    assert (backlog.overdue_vendor, backlog.overdue_dealer) == (1, 0)
    assert selectors.backlog(bob, NOV, now=now).open == 1


def test_dealer_figures(november, manager, alice) -> None:
    rows = {d.code: d for d in selectors.dealers(manager, NOV, now=timezone.now())}
    a, b = rows["GX-A01"], rows["GD-B02"]
    assert (a.orders, a.lines, a.first_time_complete, a.complete_rate) == (3, 3, 3, 100.0)
    assert a.review_hours == 18.0  # (5 h + 31 h) / 2
    assert b.review_hours == 48.0
    assert a.complaints == 0
    mine = selectors.dealers(alice, NOV, now=timezone.now())
    assert [d.code for d in mine] == ["GX-A01"]
    assert mine[0].complaints is None  # a dealer never sees complaints about itself


def test_quality_by_model_and_failing_components(november, manager) -> None:
    [q] = selectors.quality_by_model(manager, NOV)
    assert (q.model, q.reported, q.inspected, q.no_fault_found, q.repeats) == ("SN-S200", 4, 2, 0, 0)
    assert selectors.failing_components(manager, NOV) == [
        {"model": "SN-S200", "component": "主板", "count": 2}, {"model": "SN-S200", "component": "内存", "count": 1}]


def test_return_rate_by_model_and_ship_month(november, manager) -> None:
    f = Filters(Period(date(2024, 1, 1), date(2025, 12, 31)))
    rows = [(r["model"], r["month"], r["shipped"], r["returned"], r["rate"])
            for r in selectors.return_rates(manager, f)]
    # Shipped 2024-03: RPA2 (returned). Shipped 2025-10: RPA1, RPA3, RPB1 (returned), SPARE1 (not).
    assert rows == [("SN-S200", date(2024, 3, 1), 1, 1, 100.0), ("SN-S200", date(2025, 10, 1), 4, 3, 75.0)]


@pytest.mark.parametrize("unit", ["week", "month"])
def test_deadline_buckets_take_one_aggregate_query(november, manager, django_assert_num_queries, unit) -> None:
    from shouhou.rma.policy import work_calendar

    work_calendar()  # built once; inside a test transaction it then checks its version (one query)
    assert manager.is_vendor_staff  # the user's roles, read once per request
    with django_assert_num_queries(2):
        selectors.deadlines_by(manager, NOV, now=timezone.now(), unit=unit)


def test_a_unit_back_within_ninety_days_is_a_repeat_return(november, staff_api, manager) -> None:
    from tests.reports.conftest import _order, _steps, t

    order, line = november["a3"]
    _steps(staff_api, order, line, [("reject", t(6, 10), {"reason": "非本公司产品"})])
    _order(staff_api, "RPA3", t(20, 10))  # 15 days after its first report
    [q] = selectors.quality_by_model(manager, NOV)
    assert (q.reported, q.repeats) == (5, 1)
    assert [ln.serial for ln in selectors.repeat_rows(manager, NOV)] == ["RPA3"]
    later = Filters(Period(date(2025, 11, 19), date(2025, 11, 30)))
    assert [m.repeats for m in selectors.quality_by_model(manager, later)] == [1]  # the earlier report is outside
