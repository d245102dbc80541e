"""扫码报修 on a phone with JavaScript off (as in WeChat's in-app browser): from the unit page to the
confirmation, then the case status by number + phone, and the case as customer service sees it.
Real `shouhou serve --demo`, real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from shouhou.cases.challenge import MIN_FILL_SECONDS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SERIAL = "SND200-2301-0001"  # the first demo unit
STAFF_PASSWORD = "shouhou-demo-2026"  # the demo accounts' password
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_report_a_fault_from_the_unit_page_on_a_phone(server_factory, browser, artifacts, tmp_path):
    server = server_factory(demo=True)
    server.start()
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(PNG)
    page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, java_script_enabled=False)

    page.goto(server.url + f"/u/{SERIAL}")
    form = page.locator("#report-form")
    expect(form).to_be_visible()
    expect(page.locator("#report-website")).not_to_be_in_viewport()  # the honeypot stays out of sight
    page.screenshot(path=str(artifacts / "report_fault_form.png"), full_page=True)

    # A refused submission first: no phone. The form comes back with what was typed.
    page.fill("#report-name", "王老板")
    page.fill("#report-description", "无盘客户机启动蓝屏，开机十秒后出现 0x0000007B")
    page.wait_for_timeout(MIN_FILL_SECONDS * 1000)  # a person takes this long; the token needs it
    form.locator("button[type=submit]").click()
    expect(page.locator('[data-error="phone"]')).to_contain_text("请填写联系电话")
    expect(page.locator("#report-description")).to_have_value(re.compile("0x0000007B"))
    page.screenshot(path=str(artifacts / "report_fault_refused.png"), full_page=True)

    page.fill("#report-phone", "0771-5561234")
    page.set_input_files("#report-photos", str(photo))
    page.locator("#report-form button[type=submit]").click()
    number = page.locator("[data-case-number]").inner_text().strip()
    assert re.fullmatch(r"C\d{4}-\d{6}", number)
    assert page.locator("[data-pickup]").count() == 1
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page.locator("[data-pickup-at]").inner_text())
    page.screenshot(path=str(artifacts / "report_fault_done.png"), full_page=True)

    page.click("#report-done a.btn")
    page.fill("#status-number", number)
    page.fill("#status-phone", "13800138000")
    page.locator(".status-form button[type=submit]").click()
    expect(page.locator('[data-result="not-found"]')).to_be_visible()
    page.fill("#status-number", number)
    page.fill("#status-phone", "0771 556 1234")
    page.locator(".status-form button[type=submit]").click()
    expect(page.locator('[data-result="found"]')).to_contain_text("无盘客户机启动蓝屏")
    expect(page.locator("[data-case-status]")).to_have_attribute("data-case-status", "new")
    page.screenshot(path=str(artifacts / "case_status_found.png"), full_page=True)
    page.close()

    # Customer service opens the web case: the unit's latest cloud snapshot and its changes are on it.
    staff = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN").new_page()
    staff.goto(server.url + "/accounts/login/")
    staff.fill("#id_username", "kefu.li")
    staff.fill("#id_password", STAFF_PASSWORD)
    with staff.expect_navigation():
        staff.keyboard.press("Enter")
    staff.goto(server.url + "/cases/?q=" + number)
    staff.click(f"text={number}")
    expect(staff.locator("#snapshot")).to_contain_text("采集于")
    expect(staff.locator("#snapshot [data-snapshot-changes] li").first).to_be_visible()
    expect(staff.locator("#attachments")).to_contain_text("现场照片.png")
    staff.locator("#snapshot").screenshot(path=str(artifacts / "case_snapshot.png"))
    staff.screenshot(path=str(artifacts / "case_from_scan.png"), full_page=True)
