"""A make-up working day (调休上班 / 公司上班) on a day that already is a working day is refused.

Such an entry changes nothing and is almost always a typo for the weekend next to it, so the
year form, the import (page and CLI) and the company days say so in Chinese and store nothing.
"""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shouhou.core.cli import main
from shouhou.core.models import AuditEvent
from shouhou.domain.errors import Invalid
from shouhou.workdays import selectors, services
from shouhou.workdays.models import CalendarSettings, CompanyDay, OfficialDay, OfficialYear
from tests.workdays.conftest import SCHEDULE_2027

pytestmark = pytest.mark.django_db

# 2027-02-03 is a Wednesday: 班 on it is redundant.
SCHEDULE_WITH_WEDNESDAY_MAKEUP = SCHEDULE_2027 + "2027-02-03 班 春节\n"


def nothing_stored() -> None:
    assert not OfficialYear.objects.exists()
    assert not OfficialDay.objects.exists()
    assert not CompanyDay.objects.exists()
    assert not AuditEvent.objects.filter(verb="calendar.changed").exists()
    assert list(CalendarSettings.objects.values_list("version", flat=True)) in ([], [1])


def test_official_make_up_day_on_a_weekday_is_refused_by_the_service(admin_user):
    with pytest.raises(Invalid) as caught:
        services.official_year_save(actor=admin_user, year=2027, holidays={date(2027, 1, 1): "元旦"},
                                    makeup={date(2027, 2, 3): "春节", date(2027, 2, 6): "春节"})
    assert caught.value.reason == "makeup_on_working_day"
    assert caught.value.extra["dates"] == ["2027-02-03"]
    assert "2027-02-03（周三）本来就是工作日" in str(caught.value)
    nothing_stored()


def test_year_form_shows_the_chinese_message_and_saves_nothing(client_for, manager):
    client = client_for(manager)
    for button in ("preview", "save"):
        response = client.post("/calendar/years/2027/",
                                {"days": SCHEDULE_WITH_WEDNESDAY_MAKEUP, "notice": "通知", button: "1"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "2027-02-03（周三）本来就是工作日（周一至周五），不能登记为调休上班" in html
    nothing_stored()
    assert selectors.calendar().kind(date(2027, 2, 3)) == "working"


def test_weekend_make_up_days_are_still_accepted(client_for, manager):
    saved = client_for(manager).post("/calendar/years/2027/",
                                     {"days": SCHEDULE_2027, "notice": "通知", "save": "1"})
    assert saved.status_code == 302
    assert selectors.calendar().kind(date(2027, 2, 20)) == "makeup"  # a Saturday


def test_import_page_refuses_a_weekday_make_up_row(client_for, admin_user):
    csv = "date,kind,name\n2027-01-01,休,元旦\n2027-01-04,班,元旦\n"
    upload = SimpleUploadedFile("days.csv", csv.encode(), content_type="text/csv")
    response = client_for(admin_user).post("/calendar/import/", {"file": upload})
    assert response.status_code == 200
    assert "2027-01-04（周一）本来就是工作日" in response.content.decode()
    nothing_stored()


def test_cli_import_refuses_a_weekday_make_up_row_and_exits_2(tmp_path, capsys):
    path = tmp_path / "days.csv"
    path.write_text("date,kind,name\n2027-01-01,休,元旦\n2027-01-04,班,元旦\n", encoding="utf-8")
    assert main(["calendar", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("shouhou calendar: ") and "2027-01-04（周一）本来就是工作日" in err
    nothing_stored()


def test_company_working_day_on_a_working_day_is_refused_by_the_service(admin_user):
    # Default week Mon–Sat: Saturday 2027-01-09 already is a working day; Sunday the 10th is not.
    with pytest.raises(Invalid) as caught:
        services.company_day_save(actor=admin_user, day=date(2027, 1, 9), kind="company_on", name="盘点")
    assert caught.value.reason == "makeup_on_working_day"
    assert "2027-01-09（周六）本来就是工作日，无需设为“公司上班”" in str(caught.value)
    nothing_stored()
    services.company_day_save(actor=admin_user, day=date(2027, 1, 10), kind="company_on", name="盘点")
    assert selectors.calendar().kind(date(2027, 1, 10)) == "company_on"


def test_company_day_form_refuses_a_working_day_with_a_message(client_for, manager):
    response = client_for(manager).post("/calendar/company-days/",
                                        {"date": "2027-01-06", "kind": "company_on", "name": "加班"})
    assert response.status_code == 200
    assert "2027-01-06（周三）本来就是工作日，无需设为“公司上班”" in response.content.decode()
    nothing_stored()


def test_company_working_day_on_an_official_holiday_is_accepted(admin_user):
    services.company_day_save(actor=admin_user, day=date(2025, 10, 2), kind="company_on", name="值班")
    assert selectors.calendar().kind(date(2025, 10, 2)) == "company_on"


def test_company_working_day_on_an_official_make_up_day_is_refused(admin_user):
    with pytest.raises(Invalid):  # Sat 2025-10-11 is 调休上班 already
        services.company_day_save(actor=admin_user, day=date(2025, 10, 11), kind="company_on")
    nothing_stored()


def test_shipped_make_up_days_are_all_weekends():
    cal = selectors.calendar()
    for year in cal.official_years:
        schedule = cal.official_year(year)
        assert schedule is not None
        services.check_official_makeup(schedule.makeup)  # raises if any were redundant
