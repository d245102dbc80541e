"""In a real browser on `shouhou serve --demo`: a refused service form keeps its topology diagrams,
so the dealer resubmits without choosing them again; the order page lists the versions of the
repair tracking sheet and offers the latest."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.test_rma_flow import PNG, demo_units, login

pytestmark = pytest.mark.browser

SHEETS = """
import json
from shouhou.core.models import User
from shouhou.registry.models import Unit
from shouhou.rma.services import line_apply, order_submit
from shouhou.rma.tracking_sheets import sheet_current

unit = Unit.objects.select_related("dealer").get(serial=SERIAL)
staff = User.objects.get(username="shouhou.zhao")
order = order_submit(dealer=unit.dealer, actor=staff, contact_name="黄海", contact_phone="0771-5882301",
                     return_address="南宁", topology_required=False,
                     lines=[{"serial": unit.serial, "fault": "开机无显示"}])
line = order.lines.get()
for event, fields in (("approve", {}), ("receive", {"condition": "外包装完好"}),
                      ("inspect", {"fault_confirmed": True, "damage": [], "components": ["电源模块"]}),
                      ("ship_replacement", {"carrier": "顺丰速运", "tracking": "SF5566778899",
                                            "replacement_serial": SPARE})):
    line.refresh_from_db()
    line = line_apply(line=line, event=event, actor=staff, version=line.version, fields=fields)
    sheet_current(line_id=line.pk)  # what the worker does after each step, here without waiting for it
print(json.dumps({"order": order.pk, "line": line.pk}))
"""


def test_refused_form_keeps_diagrams_and_order_page_lists_sheet_versions(server_factory, browser, artifacts,
                                                                         tmp_path):
    server = server_factory(demo=True)
    server.start(timeout=600)
    units = demo_units(server)

    # The dealer fills two lines with a diagram each; the second names no unit, so the form is refused.
    dealer = login(browser, server, "dealer.nn")
    dealer.goto(server.url + "/portal/orders/new/")
    dealer.fill("#id_contact_name", "黄海")
    dealer.fill("#id_contact_phone", "0771-5882301")
    dealer.fill("#id_return_address", "南宁市青秀区民族大道 100 号")
    dealer.fill("[name='lines-0-serial']", units["serial"])
    dealer.fill("[name='lines-0-fault']", "开机无显示")
    dealer.set_input_files("[name='lines-0-topology']",
                           files=[{"name": "机房拓扑.png", "mimeType": "image/png", "buffer": PNG}])
    dealer.fill("[name='lines-1-serial']", "SN-NO-SUCH-0000")
    dealer.fill("[name='lines-1-fault']", "风扇异响")
    dealer.set_input_files("[name='lines-1-topology']",
                           files=[{"name": "second.png", "mimeType": "image/png", "buffer": PNG}])
    with dealer.expect_navigation():
        dealer.click("button[name=action][value=submit]")
    expect(dealer.locator(".form-errors")).to_contain_text("SN-NO-SUCH-0000")
    first = dealer.locator(".line-row[data-row='1'] .kept-topology")
    expect(first).to_contain_text("已上传：机房拓扑.png")
    expect(dealer.locator(".line-row[data-row='2'] .kept-topology")).to_contain_text("已上传：second.png")
    dealer.screenshot(path=str(artifacts / "service_form_kept_topology.png"), full_page=True)

    # The dealer drops the second line (and its diagram) and submits again, choosing no file.
    dealer.check("[name='lines-1-topology_remove']")
    dealer.fill("[name='lines-1-serial']", "")
    dealer.fill("[name='lines-1-fault']", "")
    with dealer.expect_navigation():
        dealer.click("button[name=action][value=submit]")
    assert "/portal/orders/new/" not in dealer.url, dealer.locator(".form-errors").all_inner_texts()
    card = dealer.locator(f".rma-line[data-serial='{units['serial']}']")
    expect(card.locator("a", has_text="查看")).to_be_visible()
    topology = dealer.request.get(server.url + card.locator("a", has_text="查看").get_attribute("href"))
    assert topology.ok and topology.body() == PNG

    # Another unit goes through receipt, inspection and shipment: three versions of its sheet.
    units = demo_units(server)
    script = SHEETS.replace("SERIAL", json.dumps(units["serial"])).replace("SPARE", json.dumps(units["spare"]))
    out = subprocess.run([sys.executable, "-m", "shouhou", "manage", "shell", "-c", script], env=server.env,
                         capture_output=True, text=True, check=True, timeout=240).stdout
    made = json.loads(out.strip().splitlines()[-1])
    dealer.goto(f"{server.url}/portal/orders/{made['order']}/")
    sheets = dealer.locator(f"#line-{made['line']} .tracking-sheets")
    expect(sheets.locator("[data-sheet-latest]")).to_have_attribute("data-sheet-latest", "3")
    expect(sheets.locator("a.sheet-version")).to_have_count(2)
    sheets.scroll_into_view_if_needed()
    dealer.screenshot(path=str(artifacts / "portal_line_sheet_versions.png"), full_page=True)
    with dealer.expect_download() as download:
        sheets.locator("a.doc-link").click()
    pdf = tmp_path / "sheet.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.replace(" ", "")
    assert units["spare"] in text and "SF5566778899" in text and "第3版" in text
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(pdf),
                    str(artifacts / "portal_tracking_sheet_latest")], check=True)
