"""A dealer files a service form in the portal; staff approve, receive by scanning, inspect and
ship a replacement; the dealer downloads the repair tracking sheet. Real `shouhou serve --demo`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "shouhou-demo-2026"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 256

FIND_UNITS = """
import json
from django.utils import timezone
from shouhou.registry.models import Unit, unit_coverage
from shouhou.rma.models import OPEN_STATES, OrderLine
busy = set(OrderLine.objects.filter(state__in=OPEN_STATES).values_list("unit_id", flat=True))
today = timezone.localdate()
serial = spare = None
for unit in Unit.objects.filter(dealer__code="GX-NN01").select_related("product_model", "replaces"):
    if unit.pk in busy:
        continue
    try:
        if str(unit_coverage(unit, today).status) != "replacement":
            continue
    except Exception:
        continue
    # A replacement is of the original's model: a unit whose model has stock.
    spare = (Unit.objects.filter(status="in_stock", product_model_id=unit.product_model_id).order_by("-serial")
             .values_list("serial", flat=True).first())
    if spare:
        serial = unit.serial
        break
print(json.dumps({"serial": serial, "spare": spare}))
"""


def demo_units(server) -> dict[str, str]:
    out = subprocess.run([sys.executable, "-m", "shouhou", "manage", "shell", "-c", FIND_UNITS], env=server.env,
                         capture_output=True, text=True, check=True, timeout=120).stdout
    found = json.loads(out.strip().splitlines()[-1])
    assert found["serial"] and found["spare"], out
    return found


def login(browser, server, username):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    return page


def open_event(page, name: str) -> None:
    page.locator(f"details:has(summary[data-event={name}])").first.evaluate("d => { d.open = true; }")


def event(page, name: str, **fields: str) -> None:
    open_event(page, name)
    form = page.locator(f"form.event-form[data-event={name}]").first
    for field, value in fields.items():
        form.locator(f"[name$='-{field}']").fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_service_form_to_replacement_and_tracking_sheet(server_factory, browser, artifacts, tmp_path):
    server = server_factory(demo=True)
    server.start(timeout=180)
    units = demo_units(server)
    serial, spare = units["serial"], units["spare"]

    # The dealer files the service form.
    dealer = login(browser, server, "dealer.nn")
    dealer.goto(server.url + "/portal/orders/new/")
    assert dealer.locator(".line-row").count() == 3
    dealer.click("#add-line")
    dealer.wait_for_selector("[name='lines-3-serial']")
    assert dealer.locator("#id_lines-TOTAL_FORMS").input_value() == "4"
    dealer.fill("#id_contact_name", "黄海")
    dealer.fill("#id_contact_phone", "0771-5882301")
    dealer.fill("#id_return_address", "南宁市青秀区民族大道 100 号")
    dealer.fill("[name='lines-0-serial']", serial.lower())
    dealer.fill("[name='lines-0-fault']", "开机无显示，电源灯不亮")
    dealer.set_input_files("[name='lines-0-topology']",
                           files=[{"name": "topology.png", "mimeType": "image/png", "buffer": PNG}])
    with dealer.expect_navigation():
        dealer.click("button[name=action][value=submit]")
    assert "/portal/orders/" in dealer.url, dealer.content()
    order_path = dealer.url.replace(server.url, "").split("#")[0]
    order_id = order_path.rstrip("/").rsplit("/", 1)[-1]
    assert "待审核" in dealer.locator(f".rma-line[data-serial='{serial}']").inner_text()

    # Staff review and approve.
    staff = login(browser, server, "shouhou.zhao")
    staff.goto(server.url + "/rma/")
    assert staff.locator(".queue-table tbody tr").count() > 1
    staff.screenshot(path=str(artifacts / "rma_queue.png"), full_page=True)
    staff.goto(f"{server.url}/rma/orders/{order_id}/")
    assert "包换期内" in staff.locator(".rma-line").inner_text()
    event(staff, "approve")
    number = staff.locator("h1.page-title").inner_text().strip()
    assert number.startswith("RMA"), number

    # Receiving by scanning: the scanner types the serial and presses Enter.
    staff.goto(server.url + "/rma/receive/")
    expect(staff.locator("#scan")).to_be_focused()
    staff.keyboard.type(serial)
    staff.keyboard.press("Enter")
    staff.wait_for_selector(".receive-card")
    staff.fill(".receive-card [name$='-condition']", "外包装完好")
    staff.click("#confirm-receive")
    staff.wait_for_selector(".received-ok")
    assert serial in staff.locator(".received-today").inner_text()
    expect(staff.locator("#scan")).to_be_focused()

    # Inspect (fault confirmed, no damage → free replacement) and ship a spare.
    staff.goto(f"{server.url}/rma/orders/{order_id}/")
    open_event(staff, "inspect")
    staff.locator("form.event-form[data-event=inspect] input[value=yes]").check()
    staff.fill("form.event-form[data-event=inspect] [name$='-components']", "电源模块")
    with staff.expect_navigation():
        staff.locator("form.event-form[data-event=inspect] button[type=submit]").click()
    assert "免费换货" in staff.locator(".rma-line").inner_text()
    assert "剩" in staff.locator(".rma-line .due").inner_text()
    event(staff, "ship_replacement", carrier="顺丰速运", tracking="SF7788", replacement_serial=spare)
    line_text = staff.locator(".rma-line").inner_text()
    assert "已发货" in line_text and spare in line_text
    staff.screenshot(path=str(artifacts / "rma_order_page.png"), full_page=True)

    # The dealer sees and downloads the repair tracking sheet.
    dealer.goto(server.url + order_path)
    link = dealer.locator("a.doc-link[data-kind=repair_tracking_sheet]")
    assert link.count() == 1
    dealer.screenshot(path=str(artifacts / "portal_order.png"), full_page=True)
    with dealer.expect_download() as info:
        link.click()
    pdf = artifacts / "repair_tracking_sheet.pdf"
    info.value.save_as(str(pdf))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "返修跟踪单" in text and number in text and serial in text
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(pdf), str(artifacts / "repair_tracking_sheet")],
                   check=True)
    assert (artifacts / "repair_tracking_sheet.png").exists()

    # Another dealer's user cannot open the order.
    other = login(browser, server, "dealer.gz")
    assert other.goto(server.url + order_path).status == 404
    for page in (dealer, staff, other):
        page.context.close()
