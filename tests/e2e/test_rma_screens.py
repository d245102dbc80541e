"""The screens of issue "service orders as they are used", in a real browser on `shouhou serve --demo`:
the receiving desk says why it refuses a serial, the deadline table names the deadline that runs
and says when it is overdue, the timeline names the unit and when each step happened, and the
public page says which period the remaining days belong to."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.test_rma_flow import login

pytestmark = pytest.mark.browser

# An order of one unit in its replacement period, submitted on a past Monday at 10:00 and approved
# for advance replacement at 15:00 the same day: the review's due time (Tue 18:30) is also the
# advance shipment's, and nothing was shipped since, so that deadline is overdue now.
SETUP = """
import json
from datetime import datetime, timedelta
from django.utils import timezone
from shouhou.core.models import User
from shouhou.registry.models import Unit, unit_coverage
from shouhou.rma.models import OPEN_STATES, OrderLine
from shouhou.rma.services import line_apply, order_submit
from shouhou.workdays import clock
from shouhou.workdays.selectors import calendar

cal = calendar()
day = clock.today() - timedelta(days=14)
while day.weekday() != 0 or not cal.is_working_day(day) or not cal.is_working_day(day + timedelta(days=1)):
    day -= timedelta(days=1)
busy = set(OrderLine.objects.filter(state__in=OPEN_STATES).values_list("unit_id", flat=True))
unit = None
for u in Unit.objects.filter(dealer__code="GX-NN01").select_related("product_model", "replaces", "dealer"):
    if u.pk in busy:
        continue
    try:
        if str(unit_coverage(u, day).status) == "replacement":
            unit = u
            break
    except Exception:
        pass
staff = User.objects.get(username="shouhou.zhao")
tz = cal.tz
order = order_submit(dealer=unit.dealer, actor=staff, contact_name="李工", contact_phone="13800000000",
                     return_address="南宁", submitted_at=datetime(day.year, day.month, day.day, 10, 0, tzinfo=tz),
                     topology_required=False,
                     lines=[{"serial": unit.serial, "fault": "无法开机", "advance_requested": True,
                             "advance_reason": "网吧营业急需"}])
line = order.lines.get()
line_apply(line=line, event="approve_advance", actor=staff, version=1,
           at=datetime(day.year, day.month, day.day, 15, 0, tzinfo=tz), fields={"reason": "网吧营业急需"})
print(json.dumps({"order": order.pk, "serial": unit.serial, "day": day.isoformat()}))
"""


def setup_order(server) -> dict[str, str]:
    out = subprocess.run([sys.executable, "-m", "shouhou", "manage", "shell", "-c", SETUP], env=server.env,
                         capture_output=True, text=True, check=True, timeout=180).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_receiving_desk_deadlines_timeline_and_public_page(server_factory, browser, artifacts):
    server = server_factory(demo=True)
    server.start(timeout=180)
    made = setup_order(server)
    staff = login(browser, server, "shouhou.zhao")

    # The receiving desk answers an unknown serial with a message, not a blank (htmx and a 404).
    staff.goto(server.url + "/rma/receive/")
    expect(staff.locator("#scan")).to_be_focused()
    staff.keyboard.type("SN-NO-SUCH-UNIT")
    staff.keyboard.press("Enter")
    refused = staff.locator("text=SN-NO-SUCH-UNIT 没有待签收的已授权服务单")
    expect(refused).to_be_visible()
    staff.screenshot(path=str(artifacts / "rma_receive_refused.png"), full_page=True)

    # The deadline table: the advance shipment under its own name, overdue; the review met.
    staff.goto(f"{server.url}/rma/orders/{made['order']}/")
    table = staff.locator(".deadline-table")
    expect(table.locator("tr[data-deadline=ship_advance] td").first).to_have_text("提前换货发出新机")
    expect(table.locator("tr[data-deadline=ship_advance]")).to_contain_text("已逾期")
    expect(table.locator("tr[data-deadline=review]")).to_contain_text("按时")
    assert "进行中" not in table.inner_text()
    # The timeline names the unit and shows when the step happened (not when it was entered).
    timeline = staff.locator("table.timeline")
    expect(timeline).to_contain_text("第 1 台")
    expect(timeline).to_contain_text(f"{made['day']} 15:00")
    expect(timeline.locator("tr", has_text="提交服务单")).to_contain_text(f"{made['day']} 10:00")
    table.scroll_into_view_if_needed()
    staff.screenshot(path=str(artifacts / "rma_deadline_table.png"), full_page=True)

    # The public page says whose remaining days these are.
    public = browser.new_page()
    public.goto(f"{server.url}/u/{made['serial']}")
    expect(public.locator("dl")).to_contain_text("包换期剩余天数")
    public.close()
