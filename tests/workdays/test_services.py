"""The stored calendar: stored years over shipped ones, company days, versions, audit, cache."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from shouhou.core.models import AuditEvent
from shouhou.domain.calendar import DayKind, DayRow, china_calendar
from shouhou.domain.errors import Invalid, NotFound
from shouhou.workdays import selectors, services
from shouhou.workdays.models import CalendarSettings, CompanyDay, OfficialDay
from shouhou.workdays.schedule_text import parse_schedule_text
from tests.workdays.conftest import SCHEDULE_2027

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def save_2027(actor=None, text=SCHEDULE_2027):
    parsed = parse_schedule_text(text, year=2027)
    assert not parsed.errors
    return services.official_year_save(actor=actor, year=2027, holidays=parsed.holidays, makeup=parsed.makeup,
                                       notice="国务院办公厅关于2027年部分节假日安排的通知")


def test_without_stored_data_the_calendar_answers_like_the_shipped_one():
    cal = selectors.calendar()
    assert cal.official_years == china_calendar().official_years
    assert cal.due(at(2025, 9, 30), 3) == at(2025, 10, 11, 18, 30)
    assert (cal.weekdays, cal.opens, cal.closes, cal.tz.key) == (
        frozenset(range(6)), time(10, 15), time(18, 30), "Asia/Shanghai")


def test_entering_2027_changes_2027_deadlines_and_leaves_2026_alone(admin_user):
    before_2026 = selectors.due(at(2026, 9, 30), 3)
    assert selectors.due(at(2027, 1, 29), 3) == at(2027, 2, 2, 18, 30)
    assert selectors.due(at(2027, 2, 4), 3) == at(2027, 2, 8, 18, 30)
    assert selectors.due_info(at(2027, 2, 4), 3).provisional

    save_2027(admin_user)

    assert selectors.due(at(2027, 1, 29), 3) == at(2027, 2, 1, 18, 30)  # Sun 31 Jan is a make-up day
    assert selectors.due(at(2027, 2, 4), 3) == at(2027, 2, 17, 18, 30)  # 春节 5–13 Feb, Sun 14 rest
    assert not selectors.due_info(at(2027, 2, 4), 3).provisional
    assert selectors.due(at(2026, 9, 30), 3) == before_2026
    assert selectors.calendar().name(date(2027, 2, 10)) == "春节"


def test_saving_bumps_the_version_and_records_what_changed(admin_user):
    services.calendar_settings_ensure()
    assert CalendarSettings.objects.get().version == 1
    result = save_2027(admin_user)
    assert result.version == 2
    event = AuditEvent.objects.get(verb="calendar.changed")
    assert event.actor == admin_user
    assert event.data["old_version"] == 1 and event.data["new_version"] == 2
    assert event.data["what"] == "official_year" and event.data["year"] == 2027
    assert event.data["before"] is None
    assert "2027-02-10 holiday 春节" in event.data["added"]


def test_a_stored_year_replaces_the_shipped_one(admin_user):
    shipped = china_calendar().official_year(2025)
    holidays = dict(shipped.holidays)
    holidays[date(2025, 12, 26)] = "公司测试"
    services.official_year_save(actor=admin_user, year=2025, holidays=holidays, makeup=dict(shipped.makeup))
    cal = selectors.calendar()
    assert cal.kind(date(2025, 12, 26)) == DayKind.HOLIDAY
    event = AuditEvent.objects.get(verb="calendar.changed")
    assert event.data["added"] == ["2025-12-26 holiday 公司测试"]
    assert event.data["removed"] == [] and event.data["changed"] == []
    services.official_year_delete(actor=admin_user, year=2025)
    assert selectors.calendar().kind(date(2025, 12, 26)) == DayKind.WORKING


def test_deleting_a_year_that_was_not_entered_is_not_found(admin_user):
    with pytest.raises(NotFound):
        services.official_year_delete(actor=admin_user, year=2025)


def test_a_date_in_another_years_schedule_is_refused_and_nothing_is_saved(admin_user):
    # The shipped 2019 notice starts its New Year period on 2018-12-30; a 2018 schedule cannot claim it.
    shipped_2018 = china_calendar().official_year(2018)
    with pytest.raises(Invalid):
        services.official_year_save(actor=admin_user, year=2018,
                                    holidays={**shipped_2018.holidays, date(2018, 12, 30): "元旦"}, makeup={})
    services.official_year_save(actor=admin_user, year=2027, holidays={date(2026, 12, 31): "元旦"}, makeup={})
    with pytest.raises(Invalid):
        services.official_year_save(actor=admin_user, year=2026, holidays={date(2026, 12, 31): "元旦"}, makeup={})
    assert OfficialDay.objects.filter(date=date(2026, 12, 31)).count() == 1
    assert list(CalendarSettings.objects.values_list("version", flat=True)) == [2]


def test_company_days_override_official_days_and_the_pattern(admin_user):
    services.company_day_save(actor=admin_user, day=date(2025, 10, 9), kind="company_off", name="团建")
    services.company_day_save(actor=admin_user, day=date(2025, 10, 12), kind="company_on", name="加班")
    cal = selectors.calendar()
    assert cal.kind(date(2025, 10, 9)) == DayKind.COMPANY_OFF
    assert cal.kind(date(2025, 10, 12)) == DayKind.COMPANY_ON
    # Oct 9 is off now, Sun Oct 12 is on: 10, 11, 12.
    assert cal.due(at(2025, 9, 30), 3) == at(2025, 10, 12, 18, 30)


def test_a_date_cannot_be_both_a_company_day_off_and_on(admin_user):
    services.company_day_save(actor=admin_user, day=date(2026, 12, 31), kind="company_off", name="年会")
    with pytest.raises(Invalid):
        services.company_day_save(actor=admin_user, day=date(2026, 12, 31), kind="company_on")
    assert CompanyDay.objects.get().kind == "company_off"


def test_changing_and_deleting_a_company_day_bump_the_version(admin_user):
    day = services.company_day_save(actor=admin_user, day=date(2026, 12, 31), kind="company_off")
    services.company_day_save(actor=admin_user, day=date(2026, 12, 30), kind="company_off", company_day=day)
    services.company_day_delete(actor=admin_user, company_day=day)
    assert CalendarSettings.objects.get().version == 4
    whats = [e.data["what"] for e in AuditEvent.objects.filter(verb="calendar.changed").order_by("id")]
    assert whats == ["company_day", "company_day", "company_day_deleted"]


def test_settings_change_the_pattern_and_hours(admin_user):
    services.calendar_settings_update(actor=admin_user, weekdays={0, 1, 2, 3, 4}, opens=time(9, 0),
                                      closes=time(17, 30), time_zone="Asia/Shanghai")
    cal = selectors.calendar()
    # Mon–Fri: Oct 9, 10, 13 (Sat 11 is still an official make-up day): 9, 10, 11.
    assert cal.due(at(2025, 9, 30), 3) == at(2025, 10, 11, 17, 30)
    assert cal.due(at(2025, 10, 15), 3) == at(2025, 10, 20, 17, 30)
    event = AuditEvent.objects.get(verb="calendar.changed")
    assert event.data["changes"]["weekdays"] == {"old": "012345", "new": "01234"}


def test_settings_refuse_an_unknown_time_zone_and_hours_out_of_order(admin_user):
    with pytest.raises(Invalid):
        services.calendar_settings_update(actor=admin_user, weekdays={0}, opens=time(9), closes=time(18),
                                          time_zone="Mars/Olympus")
    with pytest.raises(Invalid):
        services.calendar_settings_update(actor=admin_user, weekdays={0}, opens=time(18), closes=time(9),
                                          time_zone="Asia/Shanghai")
    assert not AuditEvent.objects.filter(verb="calendar.changed").exists()


def test_import_groups_late_december_rows_with_the_next_notice_year(admin_user):
    rows = [DayRow(date(2027, 12, 30), DayKind.HOLIDAY, "元旦"), DayRow(date(2027, 12, 31), DayKind.HOLIDAY, "元旦"),
            DayRow(date(2028, 1, 1), DayKind.HOLIDAY, "元旦"), DayRow(date(2028, 1, 29), DayKind.HOLIDAY, "春节")]
    result = services.calendar_import(actor=admin_user, rows=rows)
    assert result.years == [2028]
    assert selectors.calendar().official_year(2028).holidays[date(2027, 12, 30)] == "元旦"


def test_year_warnings_name_a_missing_holiday_period(admin_user):
    result = save_2027(admin_user, SCHEDULE_2027.replace("2027-10-01..2027-10-07 休 国庆节\n", ""))
    assert any("国庆节" in w for w in result.warnings)
    summary = next(s for s in selectors.year_summaries() if s.year == 2027)
    assert summary.source == "entered"
    assert any("国庆节" in w for w in summary.warnings)


def test_the_cache_is_trusted_for_a_few_seconds_outside_transactions(admin_user, monkeypatch,
                                                                     django_assert_num_queries):
    monkeypatch.setattr(selectors, "_in_transaction", lambda: False)
    services.calendar_settings_ensure()
    first = selectors.calendar()
    with django_assert_num_queries(0):
        assert selectors.calendar() is first
    # Another process saves a change: this one sees it once the check interval has passed.
    CalendarSettings.objects.filter(pk=1).update(version=7, changed_at=datetime(2027, 1, 1, tzinfo=SH))
    CompanyDay.objects.create(date=date(2025, 10, 9), kind="company_off")
    assert selectors.calendar() is first
    monkeypatch.setattr(selectors, "CHECK_SECONDS", 0.0)
    with django_assert_num_queries(5):  # version, settings, years, their days, company days
        rebuilt = selectors.calendar()
    assert rebuilt.kind(date(2025, 10, 9)) == DayKind.COMPANY_OFF
    with django_assert_num_queries(1):  # unchanged version: one cheap query, same object
        assert selectors.calendar() is rebuilt


def test_inside_a_transaction_the_version_is_checked_every_call(django_assert_num_queries):
    selectors.calendar()
    with django_assert_num_queries(1):
        selectors.calendar()


def test_setup_step_creates_the_default_settings_once():
    from shouhou.core import bootstrap

    bootstrap.load_policy_pack()
    bootstrap.load_policy_pack()
    row = CalendarSettings.objects.get()
    assert (row.working_weekdays, row.opens, row.closes, row.time_zone) == (
        "012345", time(10, 15), time(18, 30), "Asia/Shanghai")


def test_demo_company_days_are_loaded_once():
    import io

    from shouhou.workdays.demo import load_demo_company_days

    load_demo_company_days(io.StringIO())
    load_demo_company_days(io.StringIO())
    assert CompanyDay.objects.get(date=date(2026, 12, 31)).name == "公司年会"
    assert CompanyDay.objects.count() == 2
