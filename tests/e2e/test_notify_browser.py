"""A real browser over `shouhou serve --demo`: the demo's notices were mailed as .eml files,
a manager sees escalations in the inbox with the unread count, the outbox and the address list,
and the dealer reads its notices in the portal."""

from __future__ import annotations

import re
import time

import pytest

pytestmark = pytest.mark.browser
PASSWORD = "shouhou-demo-2026"


def _login(browser, server, username):
    page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(portal/)?$"))
    return page


def test_demo_notices_are_mailed_and_shown_in_inboxes(server_factory, browser, artifacts):
    server = server_factory(demo=True)
    output = server.start(timeout=300)
    folder = server.data_dir / "mail"
    assert f"写为 .eml 文件 / mail is written as .eml files to: {folder}" in output
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(folder.glob("*.eml"))) < 20:
        time.sleep(1)
    emls = list(folder.glob("*.eml"))
    assert len(emls) >= 20
    assert any(b"[RMA" in eml.read_bytes()[:4000] or b"=?utf-8?" in eml.read_bytes()[:4000] for eml in emls)

    page = _login(browser, server, "jingli.chen")
    badge = page.locator("#unread-badge")
    deadline = time.monotonic() + 120  # the worker runs the deadline sweep shortly after start
    while True:
        badge.wait_for()
        if badge.locator(".badge").count() or time.monotonic() > deadline:
            break
        time.sleep(2)
        page.reload()
    page.screenshot(path=str(artifacts / "notify_header_badge.png"))
    assert int(badge.locator(".badge").inner_text()) > 0
    page.click("#unread-badge")
    page.wait_for_url(server.url + "/notify/inbox/")
    assert "已逾期" in page.locator(".data-table").inner_text()
    page.screenshot(path=str(artifacts / "notify_staff_inbox.png"), full_page=True)
    page.click("#mark-all-read")
    page.wait_for_load_state()
    assert page.locator("#unread-badge .badge").count() == 0

    page.goto(server.url + "/notify/outbox/?transport=email")
    assert page.locator(".state-sent").count() > 0
    page.screenshot(path=str(artifacts / "notify_outbox.png"), full_page=True)
    page.goto(server.url + "/notify/addresses/")
    assert "service@hengxin-nn.example.cn" in page.locator(".data-table").inner_text()
    page.screenshot(path=str(artifacts / "notify_addresses.png"), full_page=True)
    page.close()

    page = _login(browser, server, "dealer.nn")
    page.goto(server.url + "/portal/notifications/")
    text = page.locator(".data-table").inner_text()
    assert "同意返厂检测" in text and "广州" not in text
    page.screenshot(path=str(artifacts / "notify_portal.png"), full_page=True)
    page.close()
