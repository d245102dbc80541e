"""DESIGN §2: a weekend day that a notice only says the holiday joins (与周末连休) is no holiday.

Until this rule the shipped schedules counted the joined weekend as part of the holiday, so a
Mon–Sat company lost these Saturdays as working days.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from shouhou.domain.calendar import DayKind, china_calendar, parse_official_schedules
from shouhou.domain.errors import Invalid

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Saturday -> the notice's words for the period whose weekend it is.
CHANGED_SATURDAYS: dict[date, str] = {
    date(2014, 5, 31): "2014 端午节：6月2日放假，与周末连休",
    date(2014, 9, 6): "2014 中秋节：9月8日放假，与周末连休",
    date(2015, 5, 2): "2015 劳动节：5月1日放假，与周末连休",
    date(2016, 1, 2): "2016 元旦：1月1日放假，与周末连休",
    date(2016, 4, 2): "2016 清明节：4月4日放假，与周末连休",
    date(2017, 4, 29): "2017 劳动节：5月1日放假，与周末连休",
    date(2017, 12, 30): "2018 元旦：1月1日放假，与周末连休",
    date(2018, 6, 16): "2018 端午节：6月18日放假，与周末连休",
    date(2018, 9, 22): "2018 中秋节：9月24日放假，与周末连休",
    date(2019, 4, 6): "2019 清明节：4月5日放假，与周末连休",
    date(2019, 6, 8): "2019 端午节：6月7日放假，与周末连休",
    date(2019, 9, 14): "2019 中秋节：9月13日放假，与周末连休",
    date(2023, 12, 30): "2024 元旦：1月1日放假，与周末连休",
    date(2024, 6, 8): "2024 端午节：6月10日放假，与周末连休",
}


@pytest.mark.parametrize("saturday", sorted(CHANGED_SATURDAYS), ids=str)
def test_saturday_a_notice_only_joins_is_a_working_day_mon_to_sat(saturday: date) -> None:
    cal = china_calendar()  # default week Mon–Sat
    assert saturday.weekday() == 5
    assert cal.kind(saturday) is DayKind.WORKING
    assert cal.is_working_day(saturday)
    # The Sunday after it rests by the weekly pattern, not as an official holiday.
    sunday = date.fromordinal(saturday.toordinal() + 1)
    assert cal.kind(sunday) is DayKind.REST


def test_the_named_day_itself_stays_an_official_holiday() -> None:
    cal = china_calendar()
    for named in (date(2014, 6, 2), date(2015, 5, 1), date(2016, 1, 1), date(2019, 4, 5), date(2024, 6, 10)):
        assert cal.kind(named) is DayKind.HOLIDAY, named


def test_exactly_these_saturdays_are_marked_joins_weekend_in_the_data() -> None:
    joined = {d for s in parse_official_schedules() for d in _joined_saturdays(s.year)}
    assert joined == set(CHANGED_SATURDAYS)


def test_only_the_listed_saturdays_changed_from_2012_to_2024() -> None:
    """Every Saturday 2012–2024 that is no longer a holiday is in the list, and no other changed."""
    cal = china_calendar()
    holiday_saturdays = {
        date.fromordinal(o) for o in range(date(2012, 1, 1).toordinal(), date(2024, 12, 31).toordinal() + 1)
        if date.fromordinal(o).weekday() == 5 and cal.kind(date.fromordinal(o)) is DayKind.HOLIDAY
    }
    assert not holiday_saturdays & set(CHANGED_SATURDAYS)
    # The Saturdays inside spans the notices give off in full are still holidays.
    assert {date(2012, 6, 23), date(2020, 4, 4), date(2024, 2, 10)} <= holiday_saturdays


def test_the_2024_dragon_boat_deadline_counts_saturday_june_8() -> None:
    # Received Thu 2024-06-06, 3 WD: Fri 7, Sat 8 (working: only 6月10日 is the holiday), Tue 11.
    at = datetime(2024, 6, 6, 11, 0, tzinfo=SHANGHAI)
    assert china_calendar().due(at, 3) == datetime(2024, 6, 11, 18, 30, tzinfo=SHANGHAI)


def test_parser_refuses_a_weekend_day_in_a_period_that_only_joins_the_weekend() -> None:
    text = """
[[schedule]]
year = 2030
periods = [{ name = "端午节", off = [2030-06-01, 2030-06-03], joins_weekend = true }]
"""
    with pytest.raises(Invalid, match="joins_weekend"):
        parse_official_schedules(text)


def _joined_saturdays(year: int) -> list[date]:
    data = tomllib.loads(
        resources.files("shouhou.domain").joinpath("data", "cn_official_schedules.toml").read_text("utf-8"))
    out = []
    for block in data["schedule"]:
        if block["year"] != year:
            continue
        for period in block["periods"]:
            if period.get("joins_weekend"):
                first = period["off"][0]
                # The Saturday of the weekend the named day joins: the one before a Monday, the
                # one after a Friday.
                out.append(date.fromordinal(first.toordinal() - 2) if first.weekday() == 0
                           else date.fromordinal(first.toordinal() + 1))
    return out
