"""A real browser: the admin manages users in the app, in Chinese, and reads the change in the
audit log in words; the Django admin keeps its names on one line (issue #13, item 4)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_admin_creates_a_user_changes_the_role_and_reads_the_audit_log(server_factory, browser, artifacts):
    server = server_factory(demo=True)
    server.start(timeout=900)
    assert server.admin_password, server.output

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", server.admin_password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")

    page.locator(".app-nav").get_by_role("link", name="用户", exact=True).click()
    page.wait_for_url(server.url + "/staff/users/")
    expect(page.locator("h1.page-title")).to_have_text("用户")
    rows = page.locator("table[data-users] tbody tr")
    expect(page.locator('tr[data-username="dealer.nn"]')).to_contain_text("GX-NN01")
    expect(page.locator('tr[data-username="kefu.zhou"]')).to_contain_text("停用")
    assert rows.count() >= 8
    # Column heads and role names stay on one line (no one-character-per-line wrapping).
    for head in page.locator("table[data-users] thead th").all():
        box = head.bounding_box()
        assert box is not None and box["height"] < 40, head.inner_text()
    page.screenshot(path=str(artifacts / "staff_users.png"), full_page=True)

    page.select_option("select[name=role]", "dealer")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table[data-users] tbody tr")).to_have_count(2)

    page.get_by_role("link", name="新建员工账号").click()
    page.fill("#id_username", "sun.li")
    page.fill("#id_name", "孙丽")
    page.fill("#id_email", "sun.li@example.cn")
    page.select_option("#id_role", "customer_service")
    page.get_by_role("button", name="创建").click()
    expect(page.locator(".alert-success")).to_contain_text("已创建用户 sun.li")

    page.select_option("#id_role", "manager")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存 sun.li")
    page.get_by_role("button", name="发送重置密码链接").click()
    expect(page.locator(".alert-success")).to_contain_text("sun.li@example.cn")
    history = page.locator("table[data-audit]")
    expect(history).to_contain_text("修改用户")
    expect(history.locator("del").first).to_have_text("客服")
    expect(history.locator("ins").first).to_have_text("经理")
    page.screenshot(path=str(artifacts / "staff_user_edit.png"), full_page=True)

    page.goto(server.url + "/audit/?type=core.user")
    expect(page.locator('tr[data-verb="user.updated"]').first).to_contain_text("客服 → 经理")
    expect(page.locator('tr[data-verb="user.password_reset_sent"]').first).to_contain_text("发送重置密码链接")
    page.screenshot(path=str(artifacts / "audit_log.png"), full_page=True)

    page.goto(server.url + "/admin/")
    expect(page.locator("#content-main")).to_contain_text("登录锁定")
    expect(page.locator("#content-main")).to_contain_text("登录失败记录")
    for link in page.locator("#content-main .module th a").all():
        box = link.bounding_box()
        assert box is not None and box["height"] < 30, link.inner_text()
    page.screenshot(path=str(artifacts / "django_admin_index.png"), full_page=True)
    page.close()
