"""Coverage rules of DESIGN §2: boundaries, month-end clamping, chains, monotonicity."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shouhou.domain.coverage import (
    STATUS_LABELS,
    Coverage,
    CoverageStatus,
    Terms,
    UnitDates,
    add_months,
    coverage_on,
    original_dates,
)
from shouhou.domain.errors import Invalid

S = date(2024, 3, 10)
TERMS = Terms(replacement_days=15, warranty_months=12)
DATES = UnitDates(shipped_on=S)
REPLACEMENT_END = date(2024, 3, 24)
WARRANTY_END = date(2025, 3, 9)


def cover(day: date, *, dates: UnitDates = DATES, terms: Terms = TERMS) -> Coverage:
    return coverage_on(dates=dates, terms=terms, day=day)


# add_months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 5, 31), -3, date(2024, 2, 29)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize("year", [1900, 2000, 2023, 2024, 9998])
def test_add_months_clamps_to_the_calendars_last_day_in_every_month(year: int) -> None:
    for months in range(12):
        expected_day = calendar.monthrange(year, months + 1)[1]
        assert add_months(date(year, 1, 31), months) == date(year, months + 1, expected_day)


def test_add_months_outside_the_calendar_raises_value_error() -> None:
    with pytest.raises(ValueError):
        add_months(date(9999, 12, 1), 1)


# boundaries of the replacement period


def test_first_day_is_in_replacement_with_the_whole_period_left() -> None:
    result = cover(S)
    assert result.status == CoverageStatus.REPLACEMENT
    assert result.days_left == 15


def test_last_day_of_replacement_period_is_start_plus_r_minus_one() -> None:
    result = cover(REPLACEMENT_END)
    assert result.replacement_end == REPLACEMENT_END
    assert result.status == CoverageStatus.REPLACEMENT
    assert result.days_left == 1


def test_day_after_replacement_period_is_in_warranty() -> None:
    result = cover(REPLACEMENT_END + timedelta(days=1))
    assert result.status == CoverageStatus.WARRANTY
    assert result.days_left == (WARRANTY_END - REPLACEMENT_END).days


# boundaries of the warranty


def test_day_before_warranty_end_is_in_warranty_with_two_days_left() -> None:
    result = cover(WARRANTY_END - timedelta(days=1))
    assert (result.status, result.days_left) == (CoverageStatus.WARRANTY, 2)


def test_last_day_of_warranty_is_start_plus_w_months_minus_one_day() -> None:
    result = cover(WARRANTY_END)
    assert result.warranty_end == WARRANTY_END
    assert (result.status, result.days_left) == (CoverageStatus.WARRANTY, 1)


def test_day_after_warranty_end_is_out_of_warranty_without_days_left() -> None:
    result = cover(WARRANTY_END + timedelta(days=1))
    assert result.status == CoverageStatus.OUT_OF_WARRANTY
    assert result.days_left is None


def test_the_dates_are_reported_with_every_status() -> None:
    result = cover(date(2030, 1, 1))
    assert (result.warranty_start, result.replacement_end, result.warranty_end) == (
        S,
        REPLACEMENT_END,
        WARRANTY_END,
    )


# month-end clamping of the warranty end


def test_warranty_from_jan_31_for_one_month_ends_on_feb_28_in_a_leap_year() -> None:
    result = cover(date(2024, 2, 1), dates=UnitDates(shipped_on=date(2024, 1, 31)), terms=Terms(0, 1))
    assert result.warranty_end == date(2024, 2, 28)


def test_warranty_from_feb_29_for_twelve_months_ends_on_feb_27() -> None:
    result = cover(date(2024, 3, 1), dates=UnitDates(shipped_on=date(2024, 2, 29)), terms=Terms(0, 12))
    assert result.warranty_end == date(2025, 2, 27)


def test_warranty_from_feb_29_for_four_years_ends_on_feb_28() -> None:
    result = cover(date(2024, 3, 1), dates=UnitDates(shipped_on=date(2024, 2, 29)), terms=Terms(0, 48))
    assert result.warranty_end == date(2028, 2, 28)


def test_warranty_from_dec_31_for_two_months_ends_on_feb_28_in_a_leap_year() -> None:
    result = cover(date(2024, 1, 1), dates=UnitDates(shipped_on=date(2023, 12, 31)), terms=Terms(0, 2))
    assert result.warranty_end == date(2024, 2, 28)


# discontinuation


def test_model_discontinued_before_warranty_end_still_covers_the_warranty() -> None:
    terms = Terms(15, 12, discontinued_on=date(2024, 6, 1))
    assert cover(WARRANTY_END, terms=terms).status == CoverageStatus.WARRANTY
    assert cover(WARRANTY_END + timedelta(days=1), terms=terms).status == CoverageStatus.DISCONTINUED


def test_model_discontinued_after_warranty_end_is_out_of_warranty_until_that_day() -> None:
    discontinued_on = WARRANTY_END + timedelta(days=30)
    terms = Terms(15, 12, discontinued_on=discontinued_on)
    before = cover(discontinued_on - timedelta(days=1), terms=terms)
    assert before.status == CoverageStatus.OUT_OF_WARRANTY
    on = cover(discontinued_on, terms=terms)
    assert (on.status, on.days_left) == (CoverageStatus.DISCONTINUED, None)


# R = 0 and W = 0


def test_no_replacement_period_starts_in_warranty() -> None:
    result = cover(S, terms=Terms(0, 12))
    assert result.replacement_end == S - timedelta(days=1)
    assert result.status == CoverageStatus.WARRANTY


def test_no_warranty_is_out_of_warranty_from_the_first_day() -> None:
    result = cover(S, terms=Terms(0, 0))
    assert result.warranty_end == S - timedelta(days=1)
    assert (result.status, result.days_left) == (CoverageStatus.OUT_OF_WARRANTY, None)


def test_replacement_period_longer_than_warranty_goes_straight_to_out_of_warranty() -> None:
    terms = Terms(replacement_days=40, warranty_months=1)
    assert cover(S + timedelta(days=39), terms=terms).status == CoverageStatus.REPLACEMENT
    assert cover(S + timedelta(days=40), terms=terms).status == CoverageStatus.OUT_OF_WARRANTY


# warranty start


def test_sale_date_overrides_shipping_date() -> None:
    dates = UnitDates(shipped_on=date(2024, 1, 5), sold_on=S)
    assert cover(S, dates=dates).warranty_start == S


def test_shipping_date_starts_the_warranty_when_the_sale_is_not_recorded() -> None:
    assert cover(S, dates=UnitDates(shipped_on=S, sold_on=None)).warranty_start == S


def test_sale_date_alone_starts_the_warranty() -> None:
    assert cover(S, dates=UnitDates(shipped_on=None, sold_on=S)).warranty_start == S


def test_unit_never_shipped_has_no_coverage() -> None:
    with pytest.raises(Invalid, match="never shipped"):
        cover(S, dates=UnitDates(shipped_on=None, sold_on=None))


def test_day_before_the_warranty_start_is_invalid() -> None:
    with pytest.raises(Invalid, match="not yet sold") as info:
        cover(S - timedelta(days=1))
    assert info.value.status == 422
    assert info.value.extra == {"day": "2024-03-09", "warranty_start": "2024-03-10"}


def test_day_between_shipping_and_sale_is_invalid() -> None:
    dates = UnitDates(shipped_on=date(2024, 1, 5), sold_on=S)
    with pytest.raises(Invalid, match="not yet sold"):
        cover(date(2024, 2, 1), dates=dates)


def test_sale_before_shipping_is_invalid() -> None:
    with pytest.raises(Invalid, match="sold before it was shipped"):
        UnitDates(shipped_on=S, sold_on=S - timedelta(days=1))


# terms


@pytest.mark.parametrize("bad", [-1, 1.5, True, None])
def test_terms_reject_anything_but_whole_numbers_of_zero_or_more(bad: object) -> None:
    with pytest.raises(Invalid):
        Terms(replacement_days=bad, warranty_months=12)  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        Terms(replacement_days=15, warranty_months=bad)  # type: ignore[arg-type]


def test_unit_overrides_replace_only_the_given_periods() -> None:
    model = Terms(15, 12, discontinued_on=date(2026, 1, 1))
    assert model.with_overrides(warranty_months=36) == Terms(15, 36, discontinued_on=date(2026, 1, 1))
    assert model.with_overrides(replacement_days=0) == Terms(0, 12, discontinued_on=date(2026, 1, 1))
    assert model.with_overrides() == model


def test_periods_past_the_end_of_the_calendar_are_invalid() -> None:
    with pytest.raises(Invalid, match="end of the calendar"):
        cover(date(9999, 1, 1), dates=UnitDates(shipped_on=date(9999, 1, 1)), terms=Terms(0, 12))


# labels


def test_every_status_has_a_chinese_label() -> None:
    assert set(STATUS_LABELS) == set(CoverageStatus)
    assert STATUS_LABELS[CoverageStatus.REPLACEMENT] == "包换期内"
    assert cover(WARRANTY_END).label == "保修期内"


def test_status_values_are_the_api_strings() -> None:
    assert [s.value for s in CoverageStatus] == ["replacement", "warranty", "out_of_warranty", "discontinued"]
    assert CoverageStatus.OUT_OF_WARRANTY == "out_of_warranty"


# replacement chains


def test_replacement_unit_keeps_the_start_of_the_original_unit() -> None:
    replaced = {"C": "B", "B": "A"}
    dates = {
        "A": UnitDates(shipped_on=date(2023, 5, 1), sold_on=date(2023, 6, 1)),
        "B": UnitDates(shipped_on=date(2023, 9, 1)),
        "C": UnitDates(shipped_on=date(2024, 2, 1)),
    }
    original = original_dates("C", replaced_unit=replaced.get, dates_of=dates.__getitem__)
    assert original == dates["A"]
    assert cover(date(2024, 3, 1), dates=original).warranty_start == date(2023, 6, 1)


def test_original_unit_is_its_own_chain() -> None:
    dates = {"A": DATES}
    assert original_dates("A", replaced_unit=lambda unit: None, dates_of=dates.__getitem__) == DATES


def test_replacement_chain_that_loops_is_invalid() -> None:
    replaced = {"A": "B", "B": "A"}
    with pytest.raises(Invalid, match="loops"):
        original_dates("A", replaced_unit=replaced.get, dates_of=lambda unit: DATES)


# properties

ORDER = {
    CoverageStatus.REPLACEMENT: 0,
    CoverageStatus.WARRANTY: 1,
    CoverageStatus.OUT_OF_WARRANTY: 2,
    CoverageStatus.DISCONTINUED: 3,
}
starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
terms_st = st.builds(
    Terms,
    replacement_days=st.integers(0, 400),
    warranty_months=st.integers(0, 72),
    discontinued_on=st.none() | st.dates(min_value=date(1999, 1, 1), max_value=date(2050, 12, 31)),
)


@given(start=starts, terms=terms_st, offsets=st.lists(st.integers(0, 8000), min_size=2, max_size=8))
def test_status_never_goes_back_over_time(start: date, terms: Terms, offsets: list[int]) -> None:
    dates = UnitDates(shipped_on=start)
    statuses = [cover(start + timedelta(days=n), dates=dates, terms=terms).status for n in sorted(offsets)]
    ranks = [ORDER[s] for s in statuses]
    assert ranks == sorted(ranks)


@given(start=starts, terms=terms_st)
def test_status_changes_exactly_after_each_end(start: date, terms: Terms) -> None:
    dates = UnitDates(shipped_on=start)
    first = cover(start, dates=dates, terms=terms)
    r_end, w_end = first.replacement_end, first.warranty_end
    assert r_end == start + timedelta(days=terms.replacement_days - 1)
    assert w_end == add_months(start, terms.warranty_months) - timedelta(days=1)
    for day in (r_end - timedelta(days=1), r_end, r_end + timedelta(days=1)):
        if day >= start:
            in_replacement = cover(day, dates=dates, terms=terms).status == CoverageStatus.REPLACEMENT
            assert in_replacement == (day <= r_end)
    for day in (w_end - timedelta(days=1), w_end, w_end + timedelta(days=1)):
        if day >= start and day > r_end:
            in_warranty = cover(day, dates=dates, terms=terms).status == CoverageStatus.WARRANTY
            assert in_warranty == (day <= w_end)


@given(start=starts, terms=terms_st, offset=st.integers(0, 8000))
def test_days_left_runs_to_the_end_of_the_current_period(start: date, terms: Terms, offset: int) -> None:
    day = start + timedelta(days=offset)
    result = cover(day, dates=UnitDates(shipped_on=start), terms=terms)
    if result.status == CoverageStatus.REPLACEMENT:
        assert result.days_left == (result.replacement_end - day).days + 1 >= 1
    elif result.status == CoverageStatus.WARRANTY:
        assert result.days_left == (result.warranty_end - day).days + 1 >= 1
    else:
        assert result.days_left is None
        after = terms.discontinued_on is not None and terms.discontinued_on <= day
        assert (result.status == CoverageStatus.DISCONTINUED) == after


@given(start=starts, months=st.integers(0, 240))
def test_add_months_keeps_the_day_or_clamps_to_the_last_day_of_the_month(start: date, months: int) -> None:
    end_plus_one = add_months(start, months)
    assert (end_plus_one.year * 12 + end_plus_one.month) - (start.year * 12 + start.month) == months
    clamped = end_plus_one.day < start.day and (end_plus_one + timedelta(days=1)).day == 1
    assert end_plus_one.day == start.day or clamped


@given(shipped=starts, gap=st.integers(0, 400), terms=terms_st)
def test_sale_date_wins_over_shipping_date(shipped: date, gap: int, terms: Terms) -> None:
    sold = shipped + timedelta(days=gap)
    result = cover(sold, dates=UnitDates(shipped_on=shipped, sold_on=sold), terms=terms)
    assert result.warranty_start == sold
