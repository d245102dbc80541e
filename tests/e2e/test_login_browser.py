"""A real browser signs in as the admin that `shouhou serve` created and lands on the dashboard."""

import pytest

pytestmark = pytest.mark.browser


def test_admin_logs_in_through_the_page_and_sees_the_chinese_dashboard(server_factory, browser, artifacts):
    server = server_factory(fresh=True)  # a newcomer: serve on an empty data dir, sign in
    server.start()
    assert server.admin_password, server.output

    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page.goto(server.url + "/")  # signed out: the public landing, with the way to sign in
    page.click("#staff-sign-in")
    assert "/accounts/login/" in page.url
    page.screenshot(path=str(artifacts / "login.png"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", server.admin_password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    assert page.locator("h1.page-title").inner_text().startswith("您好")
    assert page.locator("[data-stat=users]").inner_text() == "1"
    assert "工作台" in page.locator(".app-nav").inner_text()
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    page.close()


def test_wrong_password_shows_a_chinese_message(server_factory, browser):
    server = server_factory()
    server.start()
    page = browser.new_page(locale="zh-CN")  # Chromium asks for en-US otherwise, and English exists now
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.locator(".alert-danger").inner_text()
    page.close()
