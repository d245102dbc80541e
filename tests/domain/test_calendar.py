"""WorkCalendar: hand-checked deadlines (DESIGN §2) and properties over 2004–2026."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shouhou.domain.calendar import (
    DayKind,
    DayRow,
    WorkCalendar,
    china_calendar,
    load_day_rows,
    official_years_from_rows,
    parse_official_schedules,
)
from shouhou.domain.errors import Invalid

SH = ZoneInfo("Asia/Shanghai")
CAL = china_calendar()


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


# ------------------------------------------------------------------ hand-checked
def test_national_day_2025_example_from_design() -> None:
    assert CAL.due(at(2025, 9, 30), 3) == at(2025, 10, 11, 18, 30)
    assert CAL.due(at(2025, 9, 30), 3).isoformat() == "2025-10-11T18:30:00+08:00"


def test_spring_festival_2026_due_on_make_up_saturday() -> None:
    assert CAL.due(at(2026, 2, 13), 1) == at(2026, 2, 14, 18, 30)
    assert CAL.kind(date(2026, 2, 14)) is DayKind.MAKEUP
    assert CAL.kind(date(2026, 2, 28)) is DayKind.MAKEUP
    assert all(CAL.kind(date(2026, 2, d)) is DayKind.HOLIDAY for d in range(15, 24))
    assert CAL.due(at(2026, 2, 14), 1) == at(2026, 2, 24, 18, 30)


def test_labour_day_2024_sunday_make_up_day() -> None:
    assert date(2024, 4, 28).weekday() == 6
    assert CAL.kind(date(2024, 4, 28)) is DayKind.MAKEUP
    assert CAL.name(date(2024, 4, 28)) == "劳动节"
    assert CAL.add_working_days(date(2024, 4, 27), 1) == date(2024, 4, 28)
    assert CAL.add_working_days(date(2024, 4, 28), 1) == date(2024, 4, 29)
    assert CAL.add_working_days(date(2024, 4, 30), 1) == date(2024, 5, 6)


def test_event_late_utc_counts_from_the_shanghai_date() -> None:
    event = datetime(2025, 9, 29, 23, 0, tzinfo=UTC)  # 2025-09-30 07:00 in Shanghai
    assert CAL.due(event, 3) == at(2025, 10, 11, 18, 30)
    assert CAL.due(event.replace(hour=15), 3) == CAL.due(at(2025, 9, 29, 23), 3)


def test_ordinary_sunday_is_rest_and_saturday_working_under_mon_sat() -> None:
    assert CAL.kind(date(2025, 3, 9)) is DayKind.REST
    assert CAL.kind(date(2025, 3, 8)) is DayKind.WORKING
    assert CAL.add_working_days(date(2025, 3, 7), 2) == date(2025, 3, 10)


def test_weekly_pattern_is_configurable() -> None:
    mon_fri = WorkCalendar(weekdays=range(5), official=parse_official_schedules())
    assert not mon_fri.is_working_day(date(2025, 3, 8))
    assert mon_fri.is_working_day(date(2025, 9, 28))  # make-up Sunday


def test_due_zero_is_close_of_the_same_or_next_working_day() -> None:
    assert CAL.due(at(2025, 9, 30, 9), 0) == at(2025, 9, 30, 18, 30)
    assert CAL.due(at(2025, 9, 30, 20), 0) == at(2025, 9, 30, 18, 30)
    assert CAL.due(at(2025, 10, 3), 0) == at(2025, 10, 9, 18, 30)
    assert CAL.add_working_days(date(2025, 10, 3), 0) == date(2025, 10, 9)


def test_naive_datetime_is_rejected_with_a_clear_message() -> None:
    with pytest.raises(Invalid, match="naive datetime 2025-09-30T10:00:00"):
        CAL.due(datetime(2025, 9, 30, 10), 1)
    with pytest.raises(Invalid):
        CAL.in_business_hours(datetime(2025, 9, 30, 10))


@pytest.mark.parametrize("n", [-1, 1.0, "3", True, 100_001])
def test_bad_working_day_counts_are_rejected(n: object) -> None:
    with pytest.raises(Invalid):
        CAL.due(at(2025, 9, 30), n)  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        CAL.add_working_days(date(2025, 9, 30), n)  # type: ignore[arg-type]


def test_company_days_override_official_ones() -> None:
    cal = CAL.with_company_days(off={date(2025, 10, 11): "公司调休"}, on={date(2025, 10, 8): "售后值班"})
    assert cal.kind(date(2025, 10, 11)) is DayKind.COMPANY_OFF
    assert cal.kind(date(2025, 10, 8)) is DayKind.COMPANY_ON
    assert cal.name(date(2025, 10, 8)) == "售后值班"
    assert cal.due(at(2025, 9, 30), 3) == at(2025, 10, 10, 18, 30)  # Oct 8, 9, 10
    assert CAL.due(at(2025, 9, 30), 3) == at(2025, 10, 11, 18, 30)  # the original is unchanged
    assert cal.version != CAL.version


def test_company_day_cannot_be_both_off_and_on() -> None:
    with pytest.raises(Invalid, match="both off and on"):
        CAL.with_company_days(off=[date(2025, 5, 6)], on=[date(2025, 5, 6)])
    with pytest.raises(Invalid, match="both off and on"):
        WorkCalendar(company_off=[date(2025, 5, 6)], company_on=[date(2025, 5, 6)])


def test_a_later_company_entry_replaces_an_earlier_one() -> None:
    cal = CAL.with_company_days(off=[date(2025, 5, 6)]).with_company_days(on=[date(2025, 5, 6)])
    assert cal.kind(date(2025, 5, 6)) is DayKind.COMPANY_ON


def test_year_without_schedule_is_provisional() -> None:
    assert CAL.is_complete(2026)
    assert not CAL.is_complete(2027)
    assert CAL.provisional(date(2027, 3, 1))
    assert CAL.provisional(at(2027, 3, 1))
    assert not CAL.provisional(date(2026, 3, 1))
    # A New Year period may begin in late December: those days wait for the 2027 notice.
    assert CAL.provisional(date(2026, 12, 29))
    info = CAL.due_info(at(2027, 1, 4), 3)
    assert info.provisional
    assert info.due == CAL.due(at(2027, 1, 4), 3) == at(2027, 1, 7, 18, 30)  # weekly pattern
    assert not CAL.due_info(at(2026, 6, 1), 3).provisional
    assert CAL.due_info(at(2026, 12, 22), 6).provisional  # lands in 2027


def test_adding_2027_changes_2027_deadlines_only() -> None:
    cal = CAL.with_official_year(
        2027,
        holidays={date(2027, 1, 1): "元旦", date(2027, 1, 2): "元旦", date(2027, 1, 3): "元旦"},
        makeup={date(2026, 12, 27): "元旦"},  # a Sunday in the 2027 notice: an invented example
        notice="国务院办公厅关于2027年部分节假日安排的通知",
    )
    assert cal.is_complete(2027)
    assert not cal.due_info(at(2027, 1, 1), 1).provisional
    assert cal.due(at(2026, 12, 31), 1) == at(2027, 1, 4, 18, 30)
    assert CAL.due(at(2026, 12, 31), 1) == at(2027, 1, 1, 18, 30)
    assert cal.kind(date(2026, 12, 27)) is DayKind.MAKEUP
    for day in (at(2026, 2, 13), at(2026, 9, 30), at(2026, 6, 1)):
        assert cal.due(day, 3) == CAL.due(day, 3)
    assert cal.version != CAL.version
    assert cal.with_official_year(2027, holidays={}).due(at(2026, 12, 31), 1) == at(2027, 1, 1, 18, 30)


def test_official_year_validation() -> None:
    with pytest.raises(Invalid, match="both a holiday and a make-up day"):
        CAL.with_official_year(2027, holidays={date(2027, 2, 6): "春节"}, makeup={date(2027, 2, 6): "春节"})
    with pytest.raises(Invalid, match="outside the 2027 schedule"):
        CAL.with_official_year(2027, holidays={date(2026, 6, 1): "x"})
    with pytest.raises(Invalid, match="two official schedules"):
        CAL.with_official_year(2027, holidays={date(2026, 12, 31): "x"}).with_official_year(
            2026, holidays={date(2026, 12, 31): "y"}
        )


def test_warnings_name_a_missing_holiday_period() -> None:
    cal = CAL.with_official_year(
        2027,
        holidays={date(2027, 2, 6) + timedelta(days=i): "春节" for i in range(8)}
        | {date(2027, 1, 1): "元旦", date(2027, 4, 5): "清明节", date(2027, 5, 1): "劳动节"}
        | {date(2027, 6, 9): "端午节", date(2027, 9, 15): "中秋节"},
        makeup={date(2027, 2, 20): "春节"},
    )
    warnings = cal.official_year_warnings(2027)
    assert len(warnings) == 1 and "国庆节" in warnings[0]
    assert CAL.official_year_warnings(2025) == []
    assert CAL.official_year_warnings(2027) == ["2027: no official schedule"]


def test_business_hours_and_next_opening() -> None:
    assert CAL.in_business_hours(at(2025, 9, 30, 10, 15))
    assert not CAL.in_business_hours(at(2025, 9, 30, 10, 14))
    assert not CAL.in_business_hours(at(2025, 9, 30, 18, 30))
    assert not CAL.in_business_hours(at(2025, 10, 3, 12))
    inside = at(2025, 9, 30, 12)
    assert CAL.next_opening(inside) is inside
    assert CAL.next_opening(at(2025, 9, 30, 8)) == at(2025, 9, 30, 10, 15)
    assert CAL.next_opening(at(2025, 9, 30, 19)) == at(2025, 10, 9, 10, 15)
    assert CAL.next_opening(datetime(2025, 9, 30, 11, 0, tzinfo=UTC)) == at(2025, 10, 9, 10, 15)


def test_business_hours_are_configurable() -> None:
    cal = WorkCalendar(opens=time(9), closes=time(17, 30))
    assert cal.due(at(2025, 3, 7), 1) == at(2025, 3, 8, 17, 30)
    with pytest.raises(Invalid):
        WorkCalendar(opens=time(18), closes=time(9))


def test_working_days_between_is_exclusive_start_inclusive_end() -> None:
    assert CAL.working_days_between(date(2025, 9, 30), date(2025, 10, 11)) == 3
    assert CAL.working_days_between(date(2025, 10, 11), date(2025, 9, 30)) == -3
    assert CAL.working_days_between(date(2025, 10, 1), date(2025, 10, 8)) == 0
    assert CAL.working_days_in(date(2025, 10, 1), date(2025, 10, 11)) == [
        date(2025, 10, 9),
        date(2025, 10, 10),
        date(2025, 10, 11),
    ]


def test_far_dates_use_the_weekly_pattern() -> None:
    assert CAL.add_working_days(date(2150, 1, 1), 5) == date(2150, 1, 7)  # Sun 1/5 skipped
    assert CAL.add_working_days(date(1950, 1, 7), 1) == date(1950, 1, 9)
    assert CAL.working_days_between(date(1980, 1, 1), date(2150, 1, 1)) > 0


def test_china_calendar_is_cached_and_complete_2004_to_2026() -> None:
    assert china_calendar() is CAL
    assert CAL.official_years == tuple(range(2004, 2027))
    assert (CAL.opens, CAL.closes, CAL.tz.key) == (time(10, 15), time(18, 30), "Asia/Shanghai")
    assert CAL.official_year(2025).number == "国办发明电〔2024〕12号"  # type: ignore[union-attr]
    assert CAL.official_year(2026).number == "国办发明电〔2025〕7号"  # type: ignore[union-attr]
    assert CAL.version == china_calendar().version


def test_2020_spring_festival_extension_is_applied() -> None:
    assert CAL.kind(date(2020, 2, 2)) is DayKind.HOLIDAY
    assert CAL.kind(date(2020, 2, 1)) is DayKind.HOLIDAY  # was a make-up day before the extension
    assert CAL.is_working_day(date(2020, 2, 3))


def test_load_day_rows_accepts_english_and_chinese_kinds() -> None:
    text = "date,kind,name\n2027-02-06,休,春节\n2027-02-20,班,春节\n2027-03-01,company_off,年会\n"
    rows = load_day_rows(text)
    assert rows == [
        DayRow(date(2027, 2, 6), DayKind.HOLIDAY, "春节"),
        DayRow(date(2027, 2, 20), DayKind.MAKEUP, "春节"),
        DayRow(date(2027, 3, 1), DayKind.COMPANY_OFF, "年会"),
    ]
    [schedule] = official_years_from_rows(rows)
    assert schedule.year == 2027 and schedule.makeup == {date(2027, 2, 20): "春节"}
    cal = CAL.with_rows(rows)
    assert cal.kind(date(2027, 3, 1)) is DayKind.COMPANY_OFF and cal.is_complete(2027)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-02-06,weekend,x\n", "line 1: kind 'weekend'"),
        ("date,kind\n2027-02-30,休\n", "line 2: '2027-02-30' is not a date"),
        ("2027-02-06,休\n2027-02-06,班\n", "line 2: 2027-02-06 already given on line 1"),
    ],
)
def test_load_day_rows_names_the_bad_line(text: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        load_day_rows(text)


def test_parse_rejects_malformed_schedules() -> None:
    with pytest.raises(Invalid):
        parse_official_schedules(
            "[[schedule]]\nyear = 2027\nperiods = [{ name = 'x', off = [2027-01-02] }]\n"
        )
    with pytest.raises(Invalid):
        parse_official_schedules("not toml = = =")


# ------------------------------------------------------------------ properties
events = st.datetimes(
    min_value=datetime(2004, 1, 1), max_value=datetime(2026, 12, 31, 23, 59), timezones=st.just(SH)
)
utc_events = st.datetimes(
    min_value=datetime(2003, 12, 31), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
counts = st.integers(min_value=0, max_value=30)


@settings(max_examples=300)
@given(event=st.one_of(events, utc_events), n=counts)
def test_due_is_close_of_a_working_day_n_working_days_after(event: datetime, n: int) -> None:
    due = CAL.due(event, n)
    local_day = event.astimezone(SH).date()
    assert due.tzinfo is SH and due.timetz() == time(18, 30, tzinfo=SH)
    assert CAL.is_working_day(due.date())
    if n >= 1:
        assert due.date() > local_day
        assert CAL.working_days_between(local_day, due.date()) == n
        # nothing earlier would do: the day before the due day has fewer than n
        assert CAL.working_days_between(local_day, due.date() - timedelta(days=1)) == n - 1
    else:
        assert due.date() == CAL.add_working_days(local_day, 0)
        assert due.date() >= local_day
        assert CAL.working_days_between(local_day, due.date() - timedelta(days=1)) <= 0


@settings(max_examples=200)
@given(event=events, n=st.integers(min_value=0, max_value=29))
def test_more_working_days_mean_a_later_deadline(event: datetime, n: int) -> None:
    if n >= 1:
        assert CAL.due(event, n + 1) > CAL.due(event, n)
    else:  # N=0 on a day off already means "the next working day", the same as N=1
        same = CAL.due(event, 1) == CAL.due(event, 0)
        assert same is not CAL.is_working_day(event.date())


@settings(max_examples=200)
@given(a=events, b=events, n=counts)
def test_a_later_event_never_gets_an_earlier_deadline(a: datetime, b: datetime, n: int) -> None:
    early, late = sorted((a, b))
    assert CAL.due(early, n) <= CAL.due(late, n)


@settings(max_examples=100)
@given(event=events.map(lambda e: e.replace(tzinfo=None)), n=counts)
def test_naive_input_is_always_rejected(event: datetime, n: int) -> None:
    with pytest.raises(Invalid, match="naive"):
        CAL.due(event, n)


@settings(max_examples=200)
@given(day=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)), n=counts)
def test_add_working_days_matches_a_day_by_day_walk(day: date, n: int) -> None:
    walk, left = day, n
    if n == 0:
        while not CAL.is_working_day(walk):
            walk += timedelta(days=1)
    while left:
        walk += timedelta(days=1)
        left -= CAL.is_working_day(walk)
    assert CAL.add_working_days(day, n) == walk


def test_working_days_past_the_last_representable_date_are_invalid_not_an_index_error():
    from datetime import date as _date

    from shouhou.domain.calendar import china_calendar
    from shouhou.domain.errors import Invalid as _Invalid

    cal = china_calendar()
    with pytest.raises(_Invalid) as caught:
        cal.add_working_days(_date(9999, 12, 31), 5)
    assert caught.value.as_dict()["reason"] == "date_out_of_range"
