"""The policy texts and unannounced receipts in a real browser against `shouhou serve --demo`:
the dealer reads the policy from the service form; the receiving desk logs a parcel that came
without a form and later sees it taken over by the approved form."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from shouhou.rma.demo import _parcel_photo
from tests.e2e.test_rma_flow import event, login

pytestmark = pytest.mark.browser

FREE_UNIT = """
import json
from shouhou.registry.models import Unit
from shouhou.rma.models import OPEN_STATES, OrderLine, Receipt
busy = set(OrderLine.objects.filter(state__in=OPEN_STATES).values_list("unit_id", flat=True))
busy |= set(Receipt.objects.values_list("unit_id", flat=True))
unit = (Unit.objects.filter(dealer__code="GX-NN01", status__in=["in_service", "with_dealer"], replaced_by__isnull=True)
        .exclude(pk__in=busy).order_by("serial").first())
print(json.dumps({"serial": unit.serial}))
"""


def free_unit(server) -> str:
    out = subprocess.run([sys.executable, "-m", "shouhou", "manage", "shell", "-c", FREE_UNIT], env=server.env,
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return json.loads(out.strip().splitlines()[-1])["serial"]


def test_dealer_reads_the_policy_from_the_form_and_a_manager_edits_it(server_factory, browser, artifacts):
    server = server_factory(demo=True)
    server.start(timeout=600)

    dealer = login(browser, server, "dealer.nn")
    dealer.goto(server.url + "/portal/orders/new/")
    expect(dealer.locator(".policy-notice")).to_contain_text("售后服务政策")
    with dealer.expect_navigation():
        dealer.click("#policy-link")
    assert dealer.url == server.url + "/portal/policy/"
    expect(dealer.locator("#replacement_terms h2")).to_have_text("包换服务条款")
    expect(dealer.locator("#replacement_terms")).to_contain_text("无进液")
    expect(dealer.locator(".policy-checklist")).to_contain_text("包换服务条款 第 3 条")
    # The demo's manager made version 2; the page shows the version in force.
    expect(dealer.locator(".policy-version")).to_contain_text("第 2 版")
    dealer.screenshot(path=str(artifacts / "policy_portal.png"), full_page=True)

    # The public page, phone-sized.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    phone.goto(server.url + "/policy/?v=1")
    expect(phone.locator(".policy-version")).to_contain_text("此为历史版本")
    phone.screenshot(path=str(artifacts / "policy_public_phone.png"), full_page=False)

    # A manager edits the replacement terms with a live preview; the history shows the change.
    manager = login(browser, server, "jingli.chen")
    manager.goto(server.url + "/policy/manage/edit/")
    terms = manager.locator("textarea[name=replacement_terms]")
    terms.fill(terms.input_value().replace("**无进液**", "**无进液（含冷凝水）**"))
    expect(manager.locator("#preview-replacement_terms")).to_contain_text("无进液（含冷凝水）")
    manager.fill("input[name=note]", "明确冷凝水也属进液")
    terms.scroll_into_view_if_needed()
    manager.screenshot(path=str(artifacts / "policy_editor.png"), full_page=False)
    with manager.expect_navigation():
        manager.click("form.policy-form button[type=submit]")
    assert manager.url.endswith("/policy/manage/3/")
    expect(manager.locator("[data-section=replacement_terms] .diff-add")).to_contain_text("无进液（含冷凝水）")
    # Only what the manager changed counts as changed (the browser's CRLF line ends do not).
    expect(manager.locator("[data-section=service_policy]")).to_contain_text("未修改")
    manager.screenshot(path=str(artifacts / "policy_diff.png"), full_page=True)
    for page in (dealer, phone, manager):
        page.context.close()


def test_receive_desk_logs_an_unannounced_parcel_and_later_sees_it_taken_over(server_factory, browser, artifacts):
    server = server_factory(demo=True)
    server.start(timeout=600)
    serial = free_unit(server)

    # The parcel arrives without an approved form: the desk refuses to receive it and offers to log it.
    staff = login(browser, server, "shouhou.zhao")
    staff.goto(server.url + "/rma/receive/")
    expect(staff.locator("#scan")).to_be_focused()  # autofocus lands after load: scan only then
    staff.keyboard.type(serial)
    staff.keyboard.press("Enter")
    staff.wait_for_selector(".unannounced-card")
    expect(staff.locator(".scan-refused")).to_contain_text("不能签收")
    card = staff.locator(".unannounced-card")
    expect(card.locator("[name=unannounced-serial]")).to_have_value(serial)
    card.locator("[name=unannounced-carrier]").fill("顺丰速运")
    card.locator("[name=unannounced-tracking]").fill("SF5200131400")
    card.locator("[name=unannounced-condition]").fill("外箱轻微压痕，未附服务单")
    card.locator("[name=unannounced-photos]").set_input_files(
        files=[{"name": "parcel.png", "mimeType": "image/png", "buffer": _parcel_photo().read()}])
    staff.screenshot(path=str(artifacts / "receive_unannounced_form.png"), full_page=True)
    staff.click("#log-unannounced")
    staff.wait_for_selector(".receipt-logged")
    expect(staff.locator(".receipt-logged")).to_contain_text("南宁恒信电脑科技有限公司")
    staff.screenshot(path=str(artifacts / "receive_unannounced_logged.png"), full_page=True)

    # It is on the service centre's list, waiting.
    staff.goto(server.url + "/rma/receipts/")
    row = staff.locator(f".receipts-table tr:has-text('{serial}')")
    expect(row).to_contain_text("待代理商补单")
    expect(row).to_contain_text("0 个工作日")
    staff.screenshot(path=str(artifacts / "receipts_waiting.png"), full_page=True)

    # The dealer, asked by mail, files the form from the link that carries the serial.
    dealer = login(browser, server, "dealer.nn")
    dealer.goto(f"{server.url}/portal/orders/new/?serial={serial}")
    expect(dealer.locator("[name='lines-0-serial']")).to_have_value(serial)
    dealer.fill("#id_contact_name", "黄海")
    dealer.fill("#id_contact_phone", "0771-5882301")
    dealer.fill("#id_return_address", "南宁市青秀区民族大道 100 号")
    dealer.fill("[name='lines-0-fault']", "开机后风扇狂转，无法进入系统")
    dealer.set_input_files("[name='lines-0-topology']",
                           files=[{"name": "topology.png", "mimeType": "image/png", "buffer": _parcel_photo().read()}])
    with dealer.expect_navigation():
        dealer.click("button[name=action][value=submit]")
    order_path = dealer.url.replace(server.url, "").split("#")[0]
    order_id = order_path.rstrip("/").rsplit("/", 1)[-1]

    # Approval takes the unit over: received, its inspection due counted from now.
    staff.goto(f"{server.url}/rma/orders/{order_id}/")
    event(staff, "approve")
    line = staff.locator(".rma-line")
    expect(line).to_contain_text("已签收待检测")
    expect(line.locator(".unannounced-badge")).to_be_visible()
    expect(line.locator(".due")).to_contain_text("剩")
    staff.screenshot(path=str(artifacts / "unannounced_taken_over_order.png"), full_page=True)
    number = staff.locator("h1.page-title").inner_text().strip()

    staff.goto(server.url + "/rma/receipts/?status=taken_over")
    row = staff.locator(f".receipts-table tr:has-text('{serial}')")
    expect(row).to_contain_text("已转入服务单")
    expect(row).to_contain_text(number)
    staff.screenshot(path=str(artifacts / "receipts_taken_over.png"), full_page=True)
    staff.goto(server.url + "/rma/receive/")
    expect(staff.locator(".received-today")).to_contain_text(serial)
    for page in (staff, dealer):
        page.context.close()
