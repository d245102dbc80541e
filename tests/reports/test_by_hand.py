"""Every report figure on a data set worked out by hand, across the 2025 National Day holidays.

The product calendar works Monday–Saturday, 18:30 closing; official 2025: Wed Oct 1 – Wed Oct 8
off, Sun Sep 28 a make-up working day. So the working days around the holiday are
… Fri 9-26, Sat 9-27, Sun 9-28 (make-up), Mon 9-29, Tue 9-30, [Oct 1–8 off], Thu 10-9, Fri 10-10,
Sat 10-11, Mon 10-13, Tue 10-14, Wed 10-15 …

Model SN-S200 (replacement 90 days). Two advance replacements, worked out from DESIGN §2:

- C2, dealer A (GX-A01), unit RHA1 shipped 2025-08-01 (replacement period):
  submitted Wed 9-24 10:00, review due 1 WD → Thu 9-25 18:30; approve_advance 9-24 11:00: MET
  (waited 1.0 h); ship the new unit within 1 WD of approval → due Thu 9-25 18:30; shipped Thu
  9-25 10:00: MET; delivered Fri 9-26 10:00 → faulty unit back within 3 WD: Sat 9-27, Sun 9-28
  (make-up), Mon 9-29 → due Mon 9-29 18:30; sent Tue 9-30 09:00: LATE (without the make-up day it
  would have been on time); received Thu 10-9 10:00 → inspect/settle within 3 WD: Fri 10-10, Sat
  10-11, Mon 10-13 → due Mon 10-13 18:30; inspected 10-9 15:00 with cosmetic damage and a faulty
  power supply (电源): ¥350.00 charged Fri 10-10 10:00, closed 10-10 11:00: MET.
  Turnaround report → new unit shipped: 9-24 → 9-25 = 1 working day.
- C1, dealer B (GD-B02), unit RHB1 shipped 2025-09-02 (replacement period):
  submitted Tue 9-30 10:00, review due 1 WD → Thu 10-9 18:30 (the holiday in between);
  approve_advance 9-30 15:00: MET (waited 5.0 h); ship due 1 WD after approval → Thu 10-9 18:30
  (the same due time as the review, but a new clock); shipped Fri 10-10 10:00: LATE; delivered
  Sat 10-11 10:00 → faulty unit due 3 WD: Mon 10-13, Tue 10-14, Wed 10-15 → Wed 10-15 18:30;
  never sent: OPEN and OVERDUE (today is long after), the dealer owes it.
  Turnaround 9-30 → 10-10: Thu 10-9, Fri 10-10 = 2 working days.
- Unit RHX1 shipped 2025-09-20 to dealer A, never reported.
- A complaint about dealer B by hotline, opened Thu 10-9 10:30, never answered: first response
  due 11:30 and resolution due 3 WD later (Mon 10-13 18:30), both missed.

Period 2025-09-01 … 2025-10-31.

Three quotes, dealer A, all in November 2025 (no holiday; after the period, so every figure
above stays as worked out): out-of-warranty units RHQ1–RHQ3 (shipped 2020-01-01, outside every
period), submitted Mon 11-03 10:00, approved 11:00, 12:00 and 15:00 (review waits 1, 2 and 5 h:
average 8 / 3 = 2.67 → 2.7 h), sent in by the dealer, received Tue 11-04, inspected Wed 11-05
(fault, out of warranty: a quote), quoted Wed 11-05 15:00 for ¥680.00 (valid 15 days: the
dealer owes an answer by Thu 11-20):
- Q1 confirmed by the dealer Thu 11-06 09:00 (paid repair), repaired, shipped, delivered: closed.
- Q2 declined by the dealer Fri 11-07 09:00, the unit shipped back unrepaired, delivered: closed.
- Q3 never answered: open, waiting for the dealer, overdue since 11-20.
So over November dealer A has 3 orders and 3 lines, all complete at first submission, 2 quotes
answered and 1 declined; over 9-01 … 11-30 it has 4 orders (C2 too), review waits 1, 1, 2, 5 h
(9 / 4 = 2.25 → 2.2 h: Python rounds half to even), the same 2 answered and 1
declined. No quote is a charge: the charges stay C2's ¥350.00.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shouhou.domain.reports import Period
from shouhou.reports import selectors
from shouhou.reports.selectors import Filters
from tests.reports.conftest import _steps

SH = ZoneInfo("Asia/Shanghai")
PERIOD = {"from": "2025-09-01", "to": "2025-10-31"}
F = Filters(Period(date(2025, 9, 1), date(2025, 10, 31)))
SHIP = {"carrier": "顺丰速运", "tracking": "SF3000"}


def t(month: int, day: int, hour: int, minute: int = 0) -> str:
    return f"2025-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00+08:00"


@pytest.fixture
def holiday_set(staff_api, alice_api, make_unit, dealer_b, service_center, make_user):
    from shouhou.cases.services import Reporter, case_open
    from shouhou.registry.models import Unit, UnitStatus

    make_unit("RHA1", date(2025, 8, 1))
    make_unit("RHB1", date(2025, 9, 2), dealer=dealer_b)
    make_unit("RHX1", date(2025, 9, 20))
    for spare in ("SPARE2", "SPARE3"):
        make_unit(spare, date(2025, 8, 1), status=UnitStatus.IN_STOCK)
    Unit.objects.filter(serial__startswith="SPARE").update(dealer=None)
    advance = {"advance_replacement": True, "advance_reason": "网吧营业急用"}

    body_dealer = "GX-A01"
    c2 = _advance_order(staff_api, "RHA1", t(9, 24, 10), body_dealer, advance)
    _steps(staff_api, *c2, [
        ("approve_advance", t(9, 24, 11), {"reason": "包换期内，客户急用"}),
        ("ship_replacement", t(9, 25, 10), {**SHIP, "replacement_serial": "SPARE2"}),
        ("confirm_delivery", t(9, 26, 10), {}),
        ("ship_to_centre", t(9, 30, 9), SHIP),
        ("receive", t(10, 9, 10), {"condition": "外壳划伤"}),
        ("inspect", t(10, 9, 15), {"fault_confirmed": True, "damage": ["cosmetic"], "components": ["电源"]}),
        ("charge", t(10, 10, 10), {"amount": "350.00", "reason": "外壳损坏"}),
        ("close", t(10, 10, 11), {}),
    ])
    c1 = _advance_order(staff_api, "RHB1", t(9, 30, 10), "GD-B02", advance)
    _steps(staff_api, *c1, [
        ("approve_advance", t(9, 30, 15), {"reason": "包换期内，客户急用"}),
        ("ship_replacement", t(10, 10, 10), {**SHIP, "replacement_serial": "SPARE3"}),
        ("confirm_delivery", t(10, 11, 10), {}),
    ])
    at = datetime(2025, 10, 9, 10, 30, tzinfo=SH)
    case_open(actor=make_user("customer_service"), channel="hotline", case_type="complaint",
              subject="代理商响应太慢", reporter=Reporter(name="赵老板", phone="13900000009"), about_dealer=dealer_b,
              opened_at=at, now=at)
    # The three quotes (module docstring), each answered by the dealer's own user where it is.
    quote = {"items": [{"text": "更换主板", "amount": "680.00"}], "options": ["paid_repair"], "valid_days": 15}
    quoted = []
    for serial, approved in (("RHQ1", 11), ("RHQ2", 12), ("RHQ3", 15)):
        make_unit(serial, date(2020, 1, 1))
        line = _advance_order(staff_api, serial, t(11, 3, 10), "GX-A01", {})
        _steps(staff_api, *line, [("approve", t(11, 3, approved), {})])
        _steps(alice_api, *line, [("ship_to_centre", t(11, 3, 17), SHIP)])
        _steps(staff_api, *line, [
            ("receive", t(11, 4, 10), {"condition": "完好"}),
            ("inspect", t(11, 5, 10), {"fault_confirmed": True, "damage": [], "components": ["主板"]}),
            ("send_quote", t(11, 5, 15), quote),
        ])
        quoted.append(line)
    q1, q2, q3 = quoted
    _steps(alice_api, *q1, [("confirm_quote", t(11, 6, 9), {"choice": "paid_repair"})])
    _steps(staff_api, *q1, [("complete_repair", t(11, 7, 10), {"parts": ["主板"], "result": "更换主板"}),
                            ("ship_repaired", t(11, 7, 15), SHIP), ("confirm_delivery", t(11, 10, 10), {})])
    _steps(alice_api, *q2, [("decline_quote", t(11, 7, 9), {"scrap": False})])
    _steps(staff_api, *q2, [("ship_back", t(11, 8, 10), SHIP), ("confirm_delivery", t(11, 10, 10), {})])
    return {"c1": c1, "c2": c2, "q1": q1, "q2": q2, "q3": q3}


def _advance_order(api, serial: str, at: str, dealer: str, advance: dict) -> tuple[int, int]:
    from tests.rma.conftest import order_body

    body = order_body(serial, submitted_at=at, **advance)
    body["dealer"] = dealer
    resp = api.post("/service-orders", body)
    assert resp.status_code == 201, resp.content
    return resp.json()["id"], resp.json()["lines"][0]["id"]


def _sheet(client, page: str, key: str, **params) -> list[list[object]]:
    resp = client.get(f"/reports/{page}/{key}.xlsx", {**PERIOD, **params})
    assert resp.status_code == 200, resp.content[:300]
    return [list(r) for r in load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active.iter_rows(
        values_only=True)]


def test_deadlines_per_step_week_and_month(holiday_set, manager, client_for, staff_api) -> None:
    client = client_for(manager)
    # review: C2 met, C1 met; ship advance: C2 met, C1 late; faulty unit back: C2 late, C1 open
    # and overdue; inspect/settle after receipt: C2 met. Rates met / all that fell due.
    assert _sheet(client, "dashboard", "deadlines")[1:] == [
        ["审核服务单", 2, 0, 0, 100.0], ["提前换货发出新机", 1, 1, 0, 50.0], ["签收后检测/联系", 1, 0, 0, 100.0],
        ["换货发出", 0, 0, 0, "—"], ["维修后发出", 0, 0, 0, "—"], ["代理商寄回故障件", 0, 1, 1, 0.0]]
    assert staff_api.get("/reports/deadlines", **PERIOD).json() == {"steps": [
        {"step": "review", "met": 2, "late": 0, "open_overdue": 0},
        {"step": "ship_advance", "met": 1, "late": 1, "open_overdue": 0},
        {"step": "contact", "met": 1, "late": 0, "open_overdue": 0},
        {"step": "ship_replacement", "met": 0, "late": 0, "open_overdue": 0},
        {"step": "ship_repair", "met": 0, "late": 0, "open_overdue": 0},
        {"step": "faulty_return", "met": 0, "late": 1, "open_overdue": 1}]}
    # Weeks by the Monday of the due date: 9-25 (week of 9-22), 9-29 (9-29), 10-9 (10-6),
    # 10-13 and 10-15 (10-13).
    assert _sheet(client, "dashboard", "deadlines_week")[1:] == [
        ["2025-09-22", "审核服务单", 1, 0, 0, 100.0], ["2025-09-22", "提前换货发出新机", 1, 0, 0, 100.0],
        ["2025-09-29", "代理商寄回故障件", 0, 1, 0, 0.0],
        ["2025-10-06", "审核服务单", 1, 0, 0, 100.0], ["2025-10-06", "提前换货发出新机", 0, 1, 0, 0.0],
        ["2025-10-13", "签收后检测/联系", 1, 0, 0, 100.0], ["2025-10-13", "代理商寄回故障件", 0, 0, 1, 0.0]]
    assert _sheet(client, "dashboard", "deadlines_month")[1:] == [
        ["2025-09", "审核服务单", 1, 0, 0, 100.0], ["2025-09", "提前换货发出新机", 1, 0, 0, 100.0],
        ["2025-09", "代理商寄回故障件", 0, 1, 0, 0.0],
        ["2025-10", "审核服务单", 1, 0, 0, 100.0], ["2025-10", "提前换货发出新机", 0, 1, 0, 0.0],
        ["2025-10", "签收后检测/联系", 1, 0, 0, 100.0], ["2025-10", "代理商寄回故障件", 0, 0, 1, 0.0]]


def test_backlog_turnaround_and_charges(holiday_set, manager, client_for, staff_api) -> None:
    client = client_for(manager)
    # Open now (the backlog has no period): C1, waiting for its faulty unit, the dealer's deadline
    # passed; Q3, waiting for the dealer's answer to its quote, due 11-20 and passed too.
    assert sorted(_sheet(client, "dashboard", "backlog")[1:]) == [["待寄回故障件", "提前换货", 1],
                                                                   ["待确认报价", "待报价确认", 1]]
    backlog = staff_api.get("/reports/backlog", **PERIOD).json()
    assert (backlog["open"], backlog["overdue_vendor"], backlog["overdue_dealer"], backlog["awaiting_return"],
            backlog["awaiting_return_overdue"]) == (2, 0, 2, 1, 1)
    # Turnaround, advance replacements: 1 and 2 working days → median (rank 1 of 2) 1, p90
    # (rank 2) 2; both in the 0–3 bucket.
    assert _sheet(client, "dashboard", "turnaround")[1:] == [["提前换货", 2, 1, 2, 2, 0, 0, 0, 0, 0]]
    [paths] = staff_api.get("/reports/turnaround", **PERIOD).json()["paths"]
    assert (paths["path"], paths["lines"], paths["median"], paths["p90"]) == ("advance_replacement", 2, 1, 2)
    html = client.get("/reports/", PERIOD).content.decode()
    assert "追收费用（区间内）" in html
    assert "¥350" in html and "1 笔，未开票 ¥350" in html, html[html.index("追收费用"):][:400]
    charges = selectors.charges(manager, F)
    assert (charges["count"], charges["total"], charges["unbilled"]) == (1, Decimal("350.00"), Decimal("350.00"))


def test_quality_figures(holiday_set, manager, client_for, staff_api) -> None:
    client = client_for(manager)
    # Shipped in the period: RHB1 (9-02, returned) and RHX1 (9-20, not): 1 of 2 = 50 %.
    # RHA1 and the two spares (the replacement units) were shipped in August, outside it.
    assert _sheet(client, "quality", "return_rates")[1:] == [["SN-S200", "2025-09", 2, 1, 50.0]]
    # Failing components: C2's power supply (C1 not inspected yet).
    assert _sheet(client, "quality", "components")[1:] == [["SN-S200", "电源", 1]]
    # Reported 2, inspected 1 (C2), no fault found 0 → 0.0 %, repeats 0.
    assert _sheet(client, "quality", "models")[1:] == [["SN-S200", 2, 1, 0, 0.0, 0]]
    body = staff_api.get("/reports/quality", **PERIOD).json()
    assert body["models"][0]["inspected"] == 1 and body["models"][0]["no_fault_found"] == 0


def test_dealer_figures(holiday_set, manager, client_for, staff_api) -> None:
    client = client_for(manager)
    # Code, name, orders, lines, complete first time %, review wait h, faulty units back on
    # time %, quotes answered, declined, complaints. A: 1 h wait, its one return late (0 %).
    # B: 5 h, its return still out and overdue (0 of 1), one complaint.
    rows = sorted(_sheet(client, "dealers", "dealers")[1:])
    assert rows == [["GD-B02", "广州乙网维", 1, 1, 100.0, 5.0, 0.0, 0, 0, 1],
                    ["GX-A01", "南宁甲电脑", 1, 1, 100.0, 1.0, 0.0, 0, 0, 0]]
    api = {d["code"]: d for d in staff_api.get("/reports/dealers", **PERIOD).json()["dealers"]}
    assert api["GD-B02"]["complaints"] == 1 and api["GX-A01"]["review_hours"] == 1.0


def test_quote_figures(holiday_set, manager, client_for, staff_api, alice_api) -> None:
    from shouhou.rma.models import Quote

    client = client_for(manager)
    quotes = {q.line.serial: (q.status, q.total) for q in Quote.objects.select_related("line")}
    assert quotes == {"RHQ1": ("confirmed", Decimal("680.00")), "RHQ2": ("declined", Decimal("680.00")),
                      "RHQ3": ("sent", Decimal("680.00"))}
    # November: dealer A only (B has nothing then). Orders, lines, complete %, review wait h,
    # faulty units back on time % (none fell due: "—"), quotes answered, declined, complaints.
    nov = {"from": "2025-11-01", "to": "2025-11-30"}
    assert _sheet(client, "dealers", "dealers", **nov)[1:] == [["GX-A01", "南宁甲电脑", 3, 3, 100.0, 2.7, "—", 2, 1, 0]]
    [a] = [d for d in staff_api.get("/reports/dealers", **nov).json()["dealers"] if d["code"] == "GX-A01"]
    assert (a["quotes_answered"], a["quotes_declined"]) == (2, 1)
    # The dealer's own token sees the same, and only its own row.
    assert [(d["code"], d["quotes_answered"], d["quotes_declined"])
            for d in alice_api.get("/reports/dealers", **nov).json()["dealers"]] == [("GX-A01", 2, 1)]
    # September to November: C2 and the three quotes for A; C1 and the complaint for B.
    rows = sorted(_sheet(client, "dealers", "dealers", **{**PERIOD, "to": "2025-11-30"})[1:])
    assert rows == [["GD-B02", "广州乙网维", 1, 1, 100.0, 5.0, 0.0, 0, 0, 1],
                    ["GX-A01", "南宁甲电脑", 4, 4, 100.0, 2.2, 0.0, 2, 1, 0]]
    # Quotes are no charges: November has none, and the longer period only C2's ¥350.00.
    assert (selectors.charges(manager, Filters(Period(date(2025, 11, 1), date(2025, 11, 30))))["count"]) == 0
    charges = selectors.charges(manager, Filters(Period(date(2025, 9, 1), date(2025, 11, 30))))
    assert (charges["count"], charges["total"]) == (1, Decimal("350.00"))


def test_case_figures(holiday_set, manager, client_for) -> None:
    client = client_for(manager)
    assert _sheet(client, "dashboard", "cases")[1:] == [["400 热线", "投诉代理商", 1]]
    c = selectors.cases(manager, F, now=timezone.now())
    assert (c.opened, c.first_response_met, c.first_response_missed, c.resolution_met, c.resolution_missed,
            c.resolved, c.faq_share, c.rated, c.satisfaction) == (1, 0, 1, 0, 1, 0, None, 0, None)
