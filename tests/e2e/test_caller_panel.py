"""A customer-service agent types a caller's number as heard and sees who is calling; the unit page
shows the cloud platform's latest hardware snapshot. Real `shouhou serve --demo`, real Chromium."""

import pytest
from playwright.sync_api import expect

from shouhou.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

SERIAL = "SND200-2301-0001"


def test_caller_panel_recognises_a_cafe_and_a_dealer_as_the_agent_types(server_factory, browser, artifacts):
    server = server_factory(demo=True)
    server.start()
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", "kefu.li")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")

    page.goto(server.url + "/callers/panel")
    expect(page.locator("[data-caller-hint]")).to_be_visible()
    page.locator("input[name=phone]").press_sequentially("(0771) 556-1234", delay=20)
    cafe = page.locator("[data-caller-customers]")
    expect(cafe).to_contain_text("南宁星际网咖")  # swapped in by htmx, no submit
    expect(cafe.locator("[data-coverage]").first).to_be_visible()
    assert "/callers/panel" in page.url and "phone" not in page.url  # the page itself did not reload
    page.screenshot(path=str(artifacts / "caller_panel_customer.png"), full_page=True)

    page.locator("input[name=phone]").fill("+86 138 7710 5566")
    expect(page.locator("[data-caller-dealers]")).to_contain_text("黄海")
    page.screenshot(path=str(artifacts / "caller_panel_dealer.png"), full_page=True)

    page.locator("input[name=phone]").fill("010-12345678")
    expect(page.locator("[data-caller-empty]")).to_have_text("未找到匹配的代理商或客户")
    page.screenshot(path=str(artifacts / "caller_panel_empty.png"), full_page=True)

    page.goto(server.url + "/dealers/GX-NN01/")
    expect(page.locator("[data-contacts]")).to_contain_text("蒙丽")
    page.screenshot(path=str(artifacts / "dealer_contacts.png"), full_page=True)

    page.goto(server.url + f"/units/{SERIAL}/")
    expect(page.locator("[data-snapshot-changes]")).to_contain_text("memory_gb")
    page.locator("#snapshot").screenshot(path=str(artifacts / "unit_snapshot.png"))
    page.close()
