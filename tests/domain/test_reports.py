"""The report figures' logic: steps of deadline records, periods, working-day turnaround, quantiles."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shouhou.domain import reports
from shouhou.domain.calendar import china_calendar
from shouhou.domain.errors import Invalid
from shouhou.domain.reports import Step

CAL = china_calendar()
HYP = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_ship_deadlines_split_into_replacement_and_repair_by_path() -> None:
    assert reports.step_of("ship", "free_replacement") is Step.SHIP_REPLACEMENT
    assert reports.step_of("ship", "paid_replacement") is Step.SHIP_REPLACEMENT
    assert reports.step_of("ship", "free_repair") is Step.SHIP_REPAIR
    assert reports.step_of("ship", "paid_repair") is Step.SHIP_REPAIR


def test_inspection_and_quote_contact_are_the_step_after_receipt() -> None:
    assert reports.step_of("inspect", None) is Step.CONTACT
    assert reports.step_of("contact", "quote") is Step.CONTACT


def test_the_dealers_answer_to_a_quote_is_no_tracked_step() -> None:
    assert reports.step_of("quote_answer", "quote") is None
    assert reports.step_of("return", "return_unrepaired") is None


def test_tally_lists_every_step_in_process_order_and_sums_groups() -> None:
    rows = [("review", None, 3, 1, 0), ("review", "free_repair", 1, 0, 2), ("ship", "free_repair", 0, 1, 0),
            ("quote_answer", "quote", 9, 9, 9)]
    tallies = reports.tally_steps(rows)
    assert [t.step for t in tallies] == list(Step)
    review = tallies[0]
    assert (review.met, review.late, review.open_overdue, review.total) == (4, 1, 2, 7)
    assert review.rate == round(100 * 4 / 7, 1)
    repair = next(t for t in tallies if t.step is Step.SHIP_REPAIR)
    assert (repair.met, repair.late, repair.rate) == (0, 1, 0.0)
    assert tallies[1].rate is None  # nothing fell due: no figure rather than 0 %


def test_period_defaults_to_ninety_days_ending_today() -> None:
    p = reports.period(None, "", today=date(2026, 3, 31))
    assert (p.first, p.last, p.days, p.end) == (date(2026, 1, 1), date(2026, 3, 31), 90, date(2026, 4, 1))


@pytest.mark.parametrize(("first", "last", "code"), [
    ("2026-02-30", "2026-03-01", "bad_date"),
    ("yesterday", None, "bad_date"),
    ("2026-03-02", "2026-03-01", "period_reversed"),
    ("2020-01-01", "2026-01-01", "period_too_long"),
])
def test_bad_periods_are_refused_with_a_code(first: str, last: str | None, code: str) -> None:
    with pytest.raises(Invalid) as exc:
        reports.period(first, last, today=date(2026, 3, 31))
    assert exc.value.as_dict()["code"] == code


def test_turnaround_counts_working_days_over_the_national_day_holidays() -> None:
    # Reported Tue 2025-09-30; Oct 1–8 are holidays; Oct 9, 10 and Sat 11 are the next working days.
    histogram = reports.turnaround_histogram([(date(2025, 9, 30), date(2025, 10, 11), 2),
                                              (date(2025, 9, 30), date(2025, 9, 30), 1),
                                              (date(2025, 10, 9), date(2025, 10, 10), 1)], CAL)
    assert histogram == {0: 1, 1: 1, 3: 2}


def test_median_and_p90_by_nearest_rank() -> None:
    histogram = {1: 4, 3: 4, 12: 2}  # ten lines: 1,1,1,1,3,3,3,3,12,12
    assert reports.percentile(histogram, 0.5) == 3  # the 5th value
    assert reports.percentile(histogram, 0.9) == 12  # the 9th value
    assert reports.percentile({}, 0.5) is None
    t = reports.turnaround("free_repair", histogram)
    assert (t.lines, t.median, t.p90) == (10, 3, 12)
    assert t.distribution == [("0–3", 8), ("4–5", 0), ("6–10", 0), ("11–15", 2), ("16–20", 0), ("≥21", 0)]


def test_repeat_returns_within_ninety_days_of_the_previous_report() -> None:
    days = [date(2026, 1, 1), date(2026, 3, 31), date(2026, 7, 1), date(2026, 7, 2)]
    # Mar 31 is 89 days after Jan 1 (repeat); Jul 1 is 92 after Mar 31 (not); Jul 2 is 1 day (repeat).
    assert reports.repeat_returns(days) == 2


@HYP
@given(st.dictionaries(st.integers(0, 60), st.integers(1, 50), min_size=1), st.floats(0.01, 1.0))
def test_percentile_is_a_value_of_the_histogram_with_enough_mass_below(histogram: dict[int, int], q: float) -> None:
    value = reports.percentile(histogram, q)
    assert value in histogram
    total = sum(histogram.values())
    below = sum(n for v, n in histogram.items() if v < value)
    assert below < q * total <= below + histogram[value] + 1e-9


@HYP
@given(st.lists(st.tuples(st.dates(date(2024, 1, 1), date(2026, 12, 31)), st.integers(0, 40), st.integers(1, 5)),
                max_size=20))
def test_histogram_keeps_every_line_and_inverts_adding_working_days(rows: list[tuple[date, int, int]]) -> None:
    pairs = [(d, CAL.add_working_days(d, n) if n else d, c) for d, n, c in rows]
    histogram = reports.turnaround_histogram(pairs, CAL)
    assert sum(histogram.values()) == sum(c for *_x, c in rows)
    expected: dict[int, int] = {}
    for _d, n, c in rows:
        expected[n] = expected.get(n, 0) + c
    assert histogram == expected
    assert sum(n for _label, n in reports.distribution(histogram)) == sum(histogram.values())


def test_tally_by_week_and_month_sums_days_into_their_buckets() -> None:
    rows = [(date(2025, 11, 3), "review", None, 1, 0, 0), (date(2025, 11, 9), "review", None, 0, 1, 0),
            (date(2025, 11, 10), "review", None, 0, 0, 1), (date(2025, 12, 1), "ship", "free_repair", 2, 0, 0)]
    weeks = reports.tally_by(rows, reports.week_start)
    assert [w for w, _t in weeks] == [date(2025, 11, 3), date(2025, 11, 10), date(2025, 12, 1)]
    assert (weeks[0][1][0].met, weeks[0][1][0].late) == (1, 1)  # Mon 3 and Sun 9 are one week
    months = dict(reports.tally_by(rows, reports.month_start))
    assert (months[date(2025, 11, 1)][0].total, months[date(2025, 12, 1)][4].met) == (3, 2)
