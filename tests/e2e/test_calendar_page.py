"""A real browser: the admin signs in and reads October 2025 on the calendar page."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_admin_sees_the_october_2025_month_grid(server_factory, browser, artifacts):
    server = server_factory()
    server.start()
    assert server.admin_password, server.output

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", server.admin_password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    assert "工作日历" in page.locator(".app-nav").inner_text()

    page.goto(server.url + "/calendar/?month=2025-10")
    assert page.locator("h1.cal-title").inner_text() == "2025 年 10 月"
    assert page.locator("thead th").all_inner_texts() == list("一二三四五六日")
    national_day = page.locator('td[data-date="2025-10-01"]')
    assert national_day.get_attribute("data-kind") == "holiday"
    assert "国庆节" in national_day.inner_text()
    assert "调休上班" in page.locator('td[data-date="2025-10-11"]').inner_text()
    assert page.locator('td[data-date="2025-10-12"]').get_attribute("data-kind") == "rest"
    # Colours tell the kinds apart at a glance.
    colours = {kind: page.locator(f'td[data-date="{day}"]').evaluate("el => getComputedStyle(el).backgroundColor")
               for kind, day in [("holiday", "2025-10-01"), ("makeup", "2025-10-11"), ("rest", "2025-10-12"),
                                 ("working", "2025-10-09")]}
    assert len(set(colours.values())) == 4, colours
    assert page.locator(".cal-legend .cal-key").count() == 7
    page.screenshot(path=str(artifacts / "calendar_2025_10.png"), full_page=True)

    page.click("a[data-nav=next]")
    assert page.locator("h1.cal-title").inner_text() == "2025 年 11 月"
    page.close()


def test_admin_enters_the_2027_schedule_through_the_form(server_factory, browser, artifacts):
    server = server_factory()
    server.start()
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", server.admin_password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")

    page.goto(server.url + "/calendar/?month=2027-02")
    assert "2027 年的法定节假日安排尚未录入" in page.locator("[data-banner=incomplete]").inner_text()
    page.click("[data-banner=incomplete] a")
    page.fill("#id_notice", "国务院办公厅关于2027年部分节假日安排的通知")
    page.fill("#id_days", "2027-01-01..2027-01-03 休 元旦\n2027-01-31 班 春节\n2027-02-05..2027-02-13 休 春节\n"
                          "2027-02-20 班 春节\n")
    page.click("button[name=preview]")
    expect(page.locator("[data-preview] tbody tr")).to_have_count(4)  # waits for the preview page
    assert page.locator("[data-warning]").count() >= 1  # no 清明节, 劳动节, … yet: warned
    page.screenshot(path=str(artifacts / "calendar_year_2027_preview.png"), full_page=True)
    page.click("button[name=save]")
    page.wait_for_url(server.url + "/calendar/years/")
    assert "2027 年的安排已保存" in page.locator(".alert-success").inner_text()

    page.goto(server.url + "/calendar/?month=2027-02")
    assert page.locator("[data-banner=incomplete]").count() == 0
    assert "春节" in page.locator('td[data-date="2027-02-10"]').inner_text()
    page.close()
