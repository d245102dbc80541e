"""On a phone-sized screen, an end user checks a demo unit's warranty and finds a dealer; a dealer's
user opens the unit page. Real `shouhou serve --demo`, real Chromium."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SERIAL = "SND200-2301-0001"  # the first demo unit: SN-D200 through GX-NN01, warranty from 2024-11-03


def test_public_warranty_check_and_find_dealer_on_a_phone(server_factory, browser, artifacts):
    server = server_factory(demo=True)
    server.start()
    page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, java_script_enabled=False)

    page.goto(server.url + "/warranty/")
    page.fill("#serial", SERIAL.lower())
    page.click("button[type=submit]")
    result = page.locator("#result")
    assert "SN-D200" in result.inner_text()
    assert result.locator("[data-coverage]").get_attribute("data-coverage") == "warranty"
    assert "2024-11-03" in result.inner_text()  # shipped 5 days before its recorded sale
    assert "南宁恒信电脑科技有限公司" in page.content()
    page.screenshot(path=str(artifacts / "public_warranty.png"), full_page=True)

    page.goto(server.url + "/dealers/find/")
    page.select_option("#province", label="广西壮族自治区")
    page.click("button[type=submit]")
    page.select_option("#city", label="桂林市")
    page.click("button[type=submit]")
    expect(page.locator('[data-dealer="GX-NN01"]')).to_have_count(1)  # waits for the result page
    page.screenshot(path=str(artifacts / "public_find_dealer.png"), full_page=True)

    page.goto(server.url + f"/u/{SERIAL}")
    assert "400-099-7500" in page.locator("#report").inner_text()
    page.screenshot(path=str(artifacts / "unit_page_phone.png"), full_page=True)
    page.close()
