"""A hotline call handled with the keyboard: the telephony system opens /intake with the caller's
phone, the operator types the fault and opens the case, records the triage checklist and resolves
it by the FAQ. Real `shouhou serve --demo`, Debian chromium."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "shouhou-demo-2026"

FIND_CALLER = """
import json
from shouhou.registry.models import Unit
unit = Unit.objects.filter(customer__isnull=False, dealer__isnull=False).exclude(customer__phone="") \
    .select_related("customer", "dealer").order_by("serial").first()
print(json.dumps({"phone": unit.customer.phone, "serial": unit.serial, "dealer": unit.dealer.name,
                  "customer": unit.customer.name}))
"""


def demo_caller(server) -> dict[str, str]:
    out = subprocess.run([sys.executable, "-m", "shouhou", "manage", "shell", "-c", FIND_CALLER], env=server.env,
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_hotline_call_to_resolved_case_with_the_keyboard(server_factory, browser, artifacts):
    server = server_factory(demo=True)
    server.start(timeout=180)
    caller = demo_caller(server)

    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(server.url + "/accounts/login/")
    expect(page.locator("#id_username")).to_be_focused()  # autofocus lands after load: type only then
    page.keyboard.type("kefu.li")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The phone rings: the telephony system opens the hotline screen with the caller's number.
    page.goto(server.url + "/intake?phone=" + caller["phone"])
    expect(page.locator("#id_phone")).to_have_value(caller["phone"])
    # Before anything is typed, the caller panel shows who is calling: the customer and its unit.
    expect(page.locator("#caller-panel")).to_contain_text(caller["customer"])
    expect(page.locator("#caller-panel")).to_contain_text(caller["serial"])
    expect(page.locator("#id_subject")).to_be_focused()  # the number is known: straight to the fault
    page.keyboard.type("无盘客户机启动蓝屏")
    # The FAQ's best articles appear beside the form; Alt+1 links the first to the case.
    first = page.locator("#faq-suggest li[data-article-id]").first
    expect(first).to_be_visible()
    article_title = first.locator("a").inner_text()
    page.keyboard.press("Alt+1")
    expect(page.locator("#faq-chosen")).to_have_text(article_title)
    page.keyboard.press("Tab")
    page.keyboard.type("网吧 60 台客户机无盘启动时蓝屏，代码 0x7B，序列号 " + caller["serial"])
    for _field in ("subject", "team", "case_type", "channel", "region", "serial"):  # back to the serial
        page.keyboard.press("Shift+Tab")
    expect(page.locator("#id_serial")).to_be_focused()
    page.keyboard.type(caller["serial"])
    page.screenshot(path=str(artifacts / "case-intake.png"), full_page=True)
    page.locator("#id_description").focus()
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # one submit opens the case

    page.wait_for_url("**/cases/*/")
    number = page.locator("h1.page-title").inner_text()
    assert number.startswith("C") and len(number) == len("C2026-000123")
    expect(page.locator("[data-status]").first).to_have_text("处理中")
    expect(page.locator("[data-owner]")).to_have_text("李晓燕")
    expect(page.locator("[data-first-responder]")).to_have_text("李晓燕")
    expect(page.locator("#dealer")).to_contain_text(caller["dealer"])
    expect(page.locator("[data-faq]")).to_have_text(article_title)
    page.screenshot(path=str(artifacts / "case-opened.png"), full_page=True)

    # Triage: the common causes, by keyboard.
    page.locator("select[name=diskless]").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # 有故障
    page.keyboard.press("Tab")
    page.keyboard.type("网卡启动顺序错误")
    page.locator("select[name=memory]").focus()
    page.keyboard.press("ArrowDown")  # 正常
    page.locator(".triage-form button[type=submit]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("select[name=diskless]")).to_have_value("fault")
    expect(page.locator("select[name=memory]")).to_have_value("ok")
    expect(page.locator("tr[data-verb='case.triaged']")).to_contain_text("网卡启动顺序错误")

    # Resolved by the FAQ.
    page.locator("summary[data-event=resolve]").focus()
    page.keyboard.press("Enter")  # opens the form
    page.keyboard.press("Tab")
    expect(page.locator("form[data-event=resolve] select[name=resolve-category]")).to_be_focused()
    expect(page.locator("form[data-event=resolve] select[name=resolve-category]")).to_have_value("resolved_by_faq")
    page.keyboard.press("Tab")
    page.keyboard.type("按常见问题《无盘客户机启动蓝屏》调整网卡启动顺序后正常")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("[data-status]").first).to_have_text("已解决")
    expect(page.locator("[data-resolution]")).to_contain_text("常见问题解决")
    page.screenshot(path=str(artifacts / "case-resolved.png"), full_page=True)

    page.goto(server.url + "/cases/?status=all")
    expect(page.locator(f"a:text('{number}')")).to_be_visible()
    page.screenshot(path=str(artifacts / "case-list.png"), full_page=True)
    context.close()
