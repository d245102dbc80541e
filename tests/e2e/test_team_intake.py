"""The hotline screen opens a case for a team (/intake?phone=…&team=support, as the telephony
system does after 按 3 号键接入技术支持中心) and a technical-support engineer finds it in the team
queue and on the home page. Real `shouhou serve --demo`, real Chromium."""

import pytest
from playwright.sync_api import expect

from shouhou.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _login(page, server, username: str) -> None:
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")


def test_hotline_screen_opens_a_case_for_the_support_team(server_factory, browser, artifacts):
    server = server_factory(demo=True)
    server.start()
    page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    _login(page, server, "kefu.li")
    page.goto(server.url + "/intake?phone=0771-5561234&team=support")
    expect(page.locator("select[name=team]")).to_have_value("support")
    page.fill("input[name=subject]", "按 3 号键转技术支持：阵列卡告警")
    page.fill("textarea[name=description]", "客户反映服务器前面板告警灯闪烁。")
    page.screenshot(path=str(artifacts / "team_intake.png"), full_page=True)
    page.click("form button[type=submit] >> nth=-1")
    expect(page.locator("body")).to_contain_text("已创建案例")
    expect(page.locator("body")).to_contain_text("技术支持中心")
    number = page.locator("h1").first.inner_text()
    page.screenshot(path=str(artifacts / "team_case_created.png"), full_page=True)

    engineer = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    _login(engineer, server, "jishu.wang")
    expect(engineer.locator("[data-card=team-support]")).to_be_visible()
    engineer.goto(server.url + "/cases/teams/")
    expect(engineer.locator("#team-tabs")).to_contain_text("技术支持中心")
    expect(engineer.locator("table")).to_contain_text("阵列卡告警")
    engineer.screenshot(path=str(artifacts / "team_queue.png"), full_page=True)
    assert number
    page.close()
    engineer.close()
