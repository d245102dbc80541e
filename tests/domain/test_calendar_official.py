"""The shipped official schedules, cross-checked day by day against two independent packages.

Both packages assume a Mon–Fri week, so the day-status comparisons use our data with a Mon–Fri
pattern. Any difference not listed in a KNOWN_* table fails, and so does a listed one that has
gone away (then the table is stale and must be trimmed).
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import holidays as holidays_pkg
import pytest
from chinese_calendar.constants import Holiday
from chinese_calendar.constants import holidays as cc_holidays
from chinese_calendar.constants import workdays as cc_workdays

from shouhou.domain.calendar import DayKind, WorkCalendar, china_calendar, parse_official_schedules

FIRST, LAST = date(2004, 1, 1), date(2026, 12, 31)
SCHEDULES = parse_official_schedules()
MON_FRI = WorkCalendar(weekdays=range(5), official=SCHEDULES)
OUR_HOLIDAYS = {d: n for s in SCHEDULES for d, n in s.holidays.items()}
OUR_MAKEUP = {d: n for s in SCHEDULES for d, n in s.makeup.items()}

_JOINS_WEEKEND = "notice says only X日放假，与周末连休: the weekend it joins is no holiday (DESIGN §2)"
_SPAN = "inside the span the notice gives off; the package skips this weekend day"

# Days we count as official holidays and chinese_calendar does not. All are Saturdays or
# Sundays, so they agree on Mon–Fri working status; they matter for a Mon–Sat week.
KNOWN_CC_EXTRA_HOLIDAYS: dict[date, str] = {
    date(2011, 6, 5): _SPAN + " (端午节 6月4日至6日放假公休)",
    date(2012, 6, 23): _SPAN + " (端午节 6月22日至24日放假公休)",
    date(2015, 6, 21): _SPAN + " (端午节 6月20日放假，6月22日补休; the Sunday between)",
    date(2015, 9, 5): _SPAN + " (国发明电〔2015〕1号: 9月3日至5日调休放假，共3天)",
}

# Days chinese_calendar counts as holidays and we do not: weekends a notice only says the holiday
# joins. All are Saturdays or Sundays, so the Mon–Fri status agrees.
KNOWN_CC_MISSING_HOLIDAYS: dict[date, str] = {
    date(2019, 4, 6): _JOINS_WEEKEND + " (清明节 4月5日)",
    date(2019, 4, 7): _JOINS_WEEKEND + " (清明节 4月5日)",
    date(2019, 6, 8): _JOINS_WEEKEND + " (端午节 6月7日)",
    date(2019, 6, 9): _JOINS_WEEKEND + " (端午节 6月7日)",
    date(2019, 9, 14): _JOINS_WEEKEND + " (中秋节 9月13日)",
    date(2019, 9, 15): _JOINS_WEEKEND + " (中秋节 9月13日)",
    date(2023, 12, 30): _JOINS_WEEKEND + " (2024 元旦 1月1日)",
    date(2023, 12, 31): _JOINS_WEEKEND + " (2024 元旦 1月1日)",
}

# Make-up days we have and chinese_calendar does not: the package's own omission.
KNOWN_CC_EXTRA_MAKEUP: dict[date, str] = {
    date(2005, 12, 31): "2006 notice: 12月31日(星期六)上班; missing in chinese_calendar, "
    "present in `holidays` (weekend_workdays)",
}

# Mon–Fri working-status differences from chinese_calendar.is_workday (follow from the above).
KNOWN_CC_STATUS: dict[date, str] = {date(2005, 12, 31): KNOWN_CC_EXTRA_MAKEUP[date(2005, 12, 31)]}

# Mon–Fri working-status differences from `holidays` (0.109): none at the time of writing.
KNOWN_HOLIDAYS_STATUS: dict[date, str] = {}

CC_NAMES = {
    "元旦": "元旦",
    "春节": "春节",
    "清明": "清明节",
    "劳动节": "劳动节",
    "端午": "端午节",
    "中秋": "中秋节",
    "国庆节": "国庆节",
    Holiday.anti_fascist_70th_day.chinese: Holiday.anti_fascist_70th_day.chinese,
}


def days(first: date = FIRST, last: date = LAST) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def in_range(d: date) -> bool:
    return FIRST <= d <= LAST


def test_holidays_match_chinese_calendar_except_known_differences() -> None:
    ours = {d for d in OUR_HOLIDAYS if in_range(d)}
    theirs = {d for d in cc_holidays if in_range(d)}
    assert sorted(theirs - ours) == sorted(KNOWN_CC_MISSING_HOLIDAYS)
    assert sorted(ours - theirs) == sorted(KNOWN_CC_EXTRA_HOLIDAYS)
    assert all(d.weekday() >= 5 for d in (*KNOWN_CC_EXTRA_HOLIDAYS, *KNOWN_CC_MISSING_HOLIDAYS))


def test_make_up_days_match_chinese_calendar_except_known_differences() -> None:
    ours = {d for d in OUR_MAKEUP if in_range(d)}
    theirs = {d for d in cc_workdays if in_range(d)}
    assert sorted(theirs - ours) == []
    assert sorted(ours - theirs) == sorted(KNOWN_CC_EXTRA_MAKEUP)


def test_holiday_names_agree_with_chinese_calendar() -> None:
    for day, value in cc_holidays.items():
        if in_range(day) and day not in KNOWN_CC_MISSING_HOLIDAYS:
            name = CC_NAMES[Holiday(value).chinese]
            assert name in OUR_HOLIDAYS[day].split("、"), (day, name, OUR_HOLIDAYS[day])


def test_mon_fri_status_matches_chinese_calendar_except_known_differences() -> None:
    differ = {d for d in days() if MON_FRI.is_working_day(d) != chinese_calendar.is_workday(d)}
    assert sorted(differ) == sorted(KNOWN_CC_STATUS)


@pytest.fixture(scope="module")
def cn_holidays() -> holidays_pkg.HolidayBase:
    return holidays_pkg.country_holidays("CN", years=range(FIRST.year, LAST.year + 1))


def test_mon_fri_status_matches_holidays_package(cn_holidays: holidays_pkg.HolidayBase) -> None:
    weekend_workdays = set(getattr(cn_holidays, "weekend_workdays", set()))
    differ = set()
    for d in days():
        theirs = (d.weekday() < 5 and d not in cn_holidays) or d in weekend_workdays
        if MON_FRI.is_working_day(d) != theirs:
            differ.add(d)
    assert sorted(differ) == sorted(KNOWN_HOLIDAYS_STATUS)


def test_make_up_days_match_holidays_package(cn_holidays: holidays_pkg.HolidayBase) -> None:
    weekend_workdays = {d for d in getattr(cn_holidays, "weekend_workdays", set()) if in_range(d)}
    assert weekend_workdays == {d for d in OUR_MAKEUP if in_range(d)}


def test_every_year_2004_to_2026_has_a_notice_and_the_main_periods() -> None:
    assert [s.year for s in SCHEDULES] == list(range(2004, 2027))
    for schedule in SCHEDULES:
        names = {part for n in schedule.holidays.values() for part in n.split("、")}
        assert {"元旦", "春节", "劳动节", "国庆节"} <= names, schedule.year
        if schedule.year >= 2008:  # 清明, 端午, 中秋 became holidays in 2008 (国务院令第513号)
            assert {"清明节", "端午节", "中秋节"} <= names, schedule.year
        assert schedule.notice.startswith("国务院办公厅关于") and schedule.url.startswith("http")
        if schedule.year >= 2008:
            assert schedule.number.startswith("国办发明电〔"), schedule.year


@pytest.mark.parametrize("year", range(2005, 2027))
def test_shipped_years_raise_no_warnings(year: int) -> None:
    assert china_calendar().official_year_warnings(year) == []


def test_2025_rules_give_spring_festival_eve_and_a_fifth_labour_day() -> None:
    cal = china_calendar()
    assert cal.kind(date(2025, 1, 28)) is DayKind.HOLIDAY  # 除夕, statutory from 2025
    assert [cal.kind(date(2025, 5, d)) for d in range(1, 6)] == [DayKind.HOLIDAY] * 5
    assert cal.kind(date(2025, 4, 27)) is DayKind.MAKEUP


def test_no_date_is_both_holiday_and_make_up_day_and_make_up_days_are_weekends() -> None:
    assert not set(OUR_HOLIDAYS) & set(OUR_MAKEUP)
    assert all(d.weekday() >= 5 for d in OUR_MAKEUP)
