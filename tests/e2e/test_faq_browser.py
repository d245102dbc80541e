"""On a phone-sized screen, an end user finds the answer to a diskless-boot blue screen in the
public FAQ. Real `shouhou serve --demo` (which loads the shipped articles), real Chromium."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_public_faq_search_and_article_on_a_phone(server_factory, browser, artifacts):
    server = server_factory(demo=True)
    server.start()
    page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, java_script_enabled=False)

    page.goto(server.url + "/faq/")
    expect(page.locator(".faq-cat h2").first).to_be_visible()
    assert page.locator(".faq-cat li").count() >= 30
    page.screenshot(path=str(artifacts / "faq_list_phone.png"), full_page=False)

    page.fill("#faq-q", "无盘 蓝屏")
    page.click(".faq-search button[type=submit]")
    first = page.locator(".faq-hits li a").first
    expect(first).to_have_text("无盘客户机启动蓝屏")
    assert "蓝屏" in page.locator(".faq-hits .faq-snippet").first.inner_text()
    page.screenshot(path=str(artifacts / "faq_search_phone.png"), full_page=True)

    first.click()
    expect(page.locator("h1.faq-h1")).to_have_text("无盘客户机启动蓝屏")
    assert page.locator(".faq-body h2").count() >= 2
    assert "400-099-7500" in page.locator(".faq-help").inner_text()
    page.screenshot(path=str(artifacts / "faq_article_phone.png"), full_page=True)

    page.goto(server.url + "/faq/?q=%EF%BC%8C%EF%BC%8C")  # full-width commas only
    assert "请输入" in page.locator(".faq-msg").inner_text()
    page.close()


def test_support_engineer_edits_with_a_live_preview_and_publishes(server_factory, browser, artifacts):
    from shouhou.core.demo import DEMO_PASSWORD

    server = server_factory(demo=True)
    server.start()
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", "jishu.wang")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.click("text=常见问题管理")
    expect(page.locator("h1.page-title")).to_have_text("常见问题管理")
    page.click("text=新建文章")
    page.fill("#id_title", "RAID 卡电池告警")
    page.fill("#id_category", "硬盘与RAID")
    page.fill("#id_body", "## 处理\n更换 **BBU** 电池。<script>alert(1)</script>")
    expect(page.locator("#faq-preview strong")).to_have_text("BBU")  # htmx preview, sanitised
    assert page.locator("#faq-preview script").count() == 0
    page.click("button[value=publish]")
    expect(page.locator(".badge.text-bg-success")).to_have_text("已发布")
    page.screenshot(path=str(artifacts / "faq_editor.png"), full_page=True)

    anonymous = browser.new_page(viewport=PHONE, is_mobile=True)
    anonymous.goto(server.url + "/faq/?q=BBU")
    expect(anonymous.locator(".faq-hits li a").first).to_have_text("RAID 卡电池告警")
    anonymous.close()
    page.close()
