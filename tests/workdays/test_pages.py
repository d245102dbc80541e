"""Calendar pages: month view for staff, years form, import and company days for admins/managers."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shouhou.core.models import AuditEvent
from shouhou.workdays import selectors
from shouhou.workdays.models import CalendarSettings, CompanyDay, OfficialYear
from tests.workdays.conftest import CSV_2027, SCHEDULE_2027

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def due(y, m, d, n):
    return selectors.due(datetime(y, m, d, tzinfo=SH), n)


def test_month_page_shows_holiday_names_and_make_up_days(client_for, service_center):
    response = client_for(service_center).get("/calendar/?month=2025-10")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2025 年 10 月" in html
    assert 'data-date="2025-10-01" data-kind="holiday"' in html
    assert "国庆节" in html
    assert 'data-date="2025-10-11" data-kind="makeup"' in html and "调休上班" in html
    assert 'data-date="2025-10-12" data-kind="rest"' in html
    assert "?month=2025-09" in html and "?month=2025-11" in html
    for label in "一二三四五六日":
        assert f">{label}</th>" in html
    assert "尚未录入" not in html


def test_month_page_warns_when_the_year_has_no_schedule(client_for, service_center):
    html = client_for(service_center).get("/calendar/?month=2027-02").content.decode()
    assert "2027 年的法定节假日安排尚未录入，该年的期限为暂定" in html


def test_month_page_shows_company_days(client_for, admin_user):
    from shouhou.workdays.services import company_day_save

    company_day_save(actor=admin_user, day=date(2026, 12, 31), kind="company_off", name="公司年会")
    html = client_for(admin_user).get("/calendar/?month=2026-12").content.decode()
    assert 'data-date="2026-12-31" data-kind="company_off"' in html
    assert "公司年会" in html


def test_a_bad_month_is_a_clear_error(client_for, service_center):
    response = client_for(service_center).get("/calendar/?month=2025-13")
    assert response.status_code == 422
    assert "月份格式错误" in response.content.decode()


@pytest.mark.parametrize("url", ["/calendar/", "/calendar/years/", "/calendar/years/2027/", "/calendar/import/",
                                 "/calendar/company-days/", "/calendar/settings/"])
def test_dealer_users_get_404(client_for, alice, url):
    assert client_for(alice).get(url).status_code == 404


@pytest.mark.parametrize("url", ["/calendar/years/", "/calendar/years/2027/", "/calendar/import/",
                                 "/calendar/company-days/", "/calendar/settings/"])
def test_other_staff_may_not_edit(client_for, service_center, url):
    assert client_for(service_center).get(url).status_code == 404


def test_nav_shows_the_calendar_to_staff_but_not_to_dealers(client_for, service_center, alice):
    assert "工作日历" in client_for(service_center).get("/").content.decode()
    assert "/calendar/" not in client_for(alice).get("/").content.decode()


def test_year_form_previews_then_saves_and_changes_2027_deadlines_only(client_for, manager):
    client = client_for(manager)
    before_2026 = due(2026, 9, 30, 3)
    assert due(2027, 2, 4, 3).date() == date(2027, 2, 8)

    form = client.get("/calendar/years/2027/")
    assert form.status_code == 200
    preview = client.post("/calendar/years/2027/", {"days": SCHEDULE_2027, "notice": "通知", "preview": "1"})
    assert preview.status_code == 200
    assert "data-preview" in preview.content.decode()
    assert not OfficialYear.objects.exists()

    saved = client.post("/calendar/years/2027/", {"days": SCHEDULE_2027, "notice": "通知", "save": "1"})
    assert saved.status_code == 302 and saved["Location"] == "/calendar/years/"
    assert due(2027, 2, 4, 3).date() == date(2027, 2, 17)
    assert due(2027, 1, 29, 3).date() == date(2027, 2, 1)
    assert due(2026, 9, 30, 3) == before_2026
    assert AuditEvent.objects.filter(verb="calendar.changed", actor=manager).count() == 1
    listing = client.get("/calendar/years/").content.decode()
    assert 'data-year="2027"' in listing and "录入" in listing


def test_year_form_reports_each_bad_line(client_for, admin_user):
    text = "2027-01-01..2027-01-03 休 元旦\n2027-02-30 休 春节\n2027-02-07 放 春节\n2028-05-01 休 劳动节\n"
    response = client_for(admin_user).post("/calendar/years/2027/", {"days": text, "save": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 2 行：日期格式错误" in html
    assert "第 3 行：类型“放”无法识别" in html
    assert "第 4 行：2028-05-01 不属于 2027 年的安排" in html
    assert not OfficialYear.objects.exists()
    assert not AuditEvent.objects.filter(verb="calendar.changed").exists()


def test_year_form_shows_a_warning_for_a_missing_period(client_for, admin_user):
    client = client_for(admin_user)
    text = SCHEDULE_2027.replace("2027-10-01..2027-10-07 休 国庆节\n", "")
    preview = client.post("/calendar/years/2027/", {"days": text, "preview": "1"}).content.decode()
    assert "没有“国庆节”假期" in preview
    response = client.post("/calendar/years/2027/", {"days": text, "save": "1"}, follow=True)
    assert "没有“国庆节”假期" in response.content.decode()  # on the list, as a message and per year


def test_year_form_is_prefilled_with_the_shipped_schedule(client_for, admin_user):
    html = client_for(admin_user).get("/calendar/years/2025/").content.decode()
    assert "2025-10-01..2025-10-08 休 国庆节、中秋节" in html
    assert "2025-10-11 班 国庆节、中秋节" in html


def test_import_previews_then_saves_and_changes_2027_deadlines_only(client_for, admin_user):
    client = client_for(admin_user)
    before_2026 = due(2026, 9, 30, 3)
    upload = SimpleUploadedFile("2027.csv", CSV_2027.encode("utf-8-sig"), content_type="text/csv")
    preview = client.post("/calendar/import/", {"file": upload})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "data-preview" in html and 'data-year="2027"' in html
    assert "清明节" in html  # warned: the file has no 清明节
    assert not OfficialYear.objects.exists()

    payload = preview.context["payload"]
    saved = client.post("/calendar/import/", {"payload": payload})
    assert saved.status_code == 302
    assert due(2027, 2, 4, 3).date() == date(2027, 2, 17)
    assert due(2026, 9, 30, 3) == before_2026
    assert CompanyDay.objects.get(date=date(2027, 12, 31)).name == "公司年会"
    event = AuditEvent.objects.get(verb="calendar.changed")
    assert event.data["what"] == "import" and event.data["source"] == "2027.csv"


def test_import_reads_xlsx_with_date_cells(client_for, admin_user):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["日期", "类型", "名称"])
    ws.append([datetime(2027, 2, 5), "休", "春节"])
    ws.append([date(2027, 2, 6), "休", "春节"])
    ws.append(["2027-01-31", "班", "春节"])
    buffer = io.BytesIO()
    wb.save(buffer)
    client = client_for(admin_user)
    upload = SimpleUploadedFile("anything.bin", buffer.getvalue())
    preview = client.post("/calendar/import/", {"file": upload})
    assert preview.status_code == 200 and "data-preview" in preview.content.decode()
    client.post("/calendar/import/", {"payload": preview.context["payload"]})
    assert selectors.calendar().kind(date(2027, 1, 31)) == "makeup"


@pytest.mark.parametrize(("content", "message"), [
    ("date,kind,name\n2027-01-01,休,元旦\n2027-13-01,休,x\n".encode(), "第 3 行：日期格式错误"),
    (b"2027-01-01,vacation,x\n", "第 1 行：类型"),
    (b"PK\x03\x04not really a zip", "不是有效的 xlsx"),
    (b"\x00\x01\x02binary", "不是 CSV"),
    (b"", "文件是空的"),
])
def test_import_refuses_bad_files_with_a_clear_message(client_for, admin_user, content, message):
    upload = SimpleUploadedFile("cal.csv", content, content_type="text/csv")
    response = client_for(admin_user).post("/calendar/import/", {"file": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OfficialYear.objects.exists()


def test_import_accepts_gbk_csv(client_for, admin_user):
    upload = SimpleUploadedFile("cal.csv", "2026-12-31,公司休,公司年会\n".encode("gb18030"))
    response = client_for(admin_user).post("/calendar/import/", {"file": upload})
    assert "公司年会" in response.content.decode()


def test_a_tampered_import_payload_is_refused(client_for, admin_user):
    response = client_for(admin_user).post("/calendar/import/", {"payload": "forged"}, follow=True)
    assert "预览已过期或被改动" in response.content.decode()
    assert not AuditEvent.objects.filter(verb="calendar.changed").exists()


def test_company_days_can_be_added_changed_and_deleted(client_for, manager):
    client = client_for(manager)
    response = client.post("/calendar/company-days/", {"date": "2026-12-31", "kind": "company_off",
                                                       "name": "公司年会", "note": ""})
    assert response.status_code == 302
    day = CompanyDay.objects.get()
    assert selectors.calendar().kind(date(2026, 12, 31)) == "company_off"
    clash = client.post("/calendar/company-days/", {"date": "2026-12-31", "kind": "company_on"})
    assert "一个日期不能既休息又上班" in clash.content.decode()
    assert client.get(f"/calendar/company-days/{day.pk}/").status_code == 200
    client.post(f"/calendar/company-days/{day.pk}/", {"date": "2026-12-27", "kind": "company_on", "name": "盘点"})
    assert selectors.calendar().kind(date(2026, 12, 27)) == "company_on"  # a Sunday
    assert client.get(f"/calendar/company-days/{day.pk}/delete/").status_code == 405
    client.post(f"/calendar/company-days/{day.pk}/delete/")
    assert not CompanyDay.objects.exists()
    assert CalendarSettings.objects.get().version == 4


def test_company_day_list_uses_a_fixed_number_of_queries(client_for, manager, django_assert_max_num_queries):
    for d in range(1, 29):
        CompanyDay.objects.create(date=date(2026, 2, d), kind="company_off")
    client = client_for(manager)
    with django_assert_max_num_queries(12):
        assert client.get("/calendar/company-days/").status_code == 200


def test_settings_page_changes_the_weekly_pattern(client_for, admin_user):
    client = client_for(admin_user)
    assert client.get("/calendar/settings/").status_code == 200
    response = client.post("/calendar/settings/", {"weekdays": ["0", "1", "2", "3", "4"], "opens": "09:00",
                                                   "closes": "18:00", "time_zone": "Asia/Shanghai"})
    assert response.status_code == 302
    assert selectors.calendar().kind(date(2025, 10, 18)) == "rest"
    bad = client.post("/calendar/settings/", {"weekdays": ["0"], "opens": "18:00", "closes": "09:00",
                                              "time_zone": "Asia/Shanghai"})
    assert "上班时间必须早于下班时间" in bad.content.decode()
