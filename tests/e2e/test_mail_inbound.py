"""Staff read the inbound log in a real browser: messages taken by `shouhou mail ingest` (a real pipe
process against the running server's database), a filter, a refused service form, and closing an
unmatched message with a note."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.mail.conftest import eml

pytestmark = pytest.mark.browser

SETUP = """
from datetime import date
from shouhou.registry.models import Dealer, ProductModel, Unit
dealer = Dealer.objects.create(code="GX-A01", name="南宁甲电脑", email="a@dealer-a.cn")
model = ProductModel.objects.create(code="SN-S200", name="云服务器 S200", replacement_days=90, warranty_months=36)
Unit.objects.create(serial="SN-MAIL-0001", product_model=model, dealer=dealer, shipped_on=date(2026, 11, 1))
"""


def test_staff_read_the_inbound_log_and_close_a_message(server_factory, browser, artifacts):
    server = server_factory()
    server.start()
    subprocess.run([sys.executable, "-m", "shouhou", "manage", "shell", "-c", SETUP], env=server.env, check=True,
                   timeout=120)
    for name in ("01_gbk_subject_gb2312_body.eml", "07_outlook_reply.eml", "15_bounce.eml", "18_xlsx_incomplete.eml",
                 "20_references_only.eml", "22_mailer_daemon.eml"):
        done = subprocess.run([sys.executable, "-m", "shouhou", "mail", "ingest"], input=eml(name), env=server.env,
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()

    page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", server.admin_password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    page.locator(".app-nav a", has_text="收件记录").click()
    page.wait_for_url(server.url + "/mail/inbound/")
    rows = page.locator("#inbound-rows tbody tr[data-status]")
    assert rows.count() == 6
    assert "网吧服务器无法开机，急！" in page.locator("#inbound-rows").inner_text()
    page.screenshot(path=str(artifacts / "mail_inbound_log.png"), full_page=True)

    page.select_option("select[name=status]", "unmatched")  # htmx swaps the rows
    expect(rows).to_have_count(2)
    assert "status=unmatched" in page.url

    page.select_option("select[name=status]", "form_refused")
    expect(rows).to_have_count(1)
    page.locator("#inbound-rows tbody a").first.click()
    page.wait_for_url("**/mail/inbound/*/")
    assert "第 2 行：序列号 SN-NOPE-9999 不存在" in page.locator("#form-errors").inner_text()
    page.screenshot(path=str(artifacts / "mail_inbound_form_refused.png"), full_page=True)

    page.goto(server.url + "/mail/inbound/?status=case_opened")
    page.locator("#inbound-rows tbody a").first.click()
    page.wait_for_url("**/mail/inbound/*/")
    assert "镕铭路 88 号" in page.locator("pre.mail-text").inner_text()
    assert "C2026-000001" in page.content()

    page.goto(server.url + "/mail/inbound/?status=unmatched&q=quote")
    page.locator("#inbound-rows tbody a").first.click()
    page.wait_for_url("**/mail/inbound/*/")
    assert page.locator("pre.mail-text").inner_text() == "Please call me about the price."
    page.fill("input[name=note]", "已电话联系李工，报价另行确认")
    with page.expect_navigation():
        page.click("button:has-text('标记为已处理')")
    assert page.locator("[data-status=handled]").count() == 1
    assert "已电话联系李工" in page.content()
    page.screenshot(path=str(artifacts / "mail_inbound_handled.png"), full_page=True)
    page.close()
