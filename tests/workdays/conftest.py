import pytest


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Each test starts without a cached calendar from an earlier test's (rolled back) data."""
    from shouhou.workdays.selectors import calendar_cache_clear

    calendar_cache_clear()
    yield
    calendar_cache_clear()


SCHEDULE_2027 = """\
2027-01-01..2027-01-03 休 元旦
2027-01-31 班 春节
2027-02-05..2027-02-13 休 春节
2027-02-20 班 春节
2027-04-03..2027-04-05 休 清明节
2027-05-01..2027-05-05 休 劳动节
2027-06-09..2027-06-11 休 端午节
2027-09-15..2027-09-17 休 中秋节
2027-10-01..2027-10-07 休 国庆节
"""

CSV_2027 = """date,kind,name
2027-01-01,休,元旦
2027-01-02,休,元旦
2027-01-03,休,元旦
2027-01-31,班,春节
""" + "".join(f"2027-02-{d:02d},休,春节\n" for d in range(5, 14)) + """2027-02-20,班,春节
2027-10-01,holiday,国庆节
2027-10-02,holiday,国庆节
2027-10-03,holiday,国庆节
2027-12-31,company_off,公司年会
"""
