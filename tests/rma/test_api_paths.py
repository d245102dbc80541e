"""One end-to-end API run per row of the DESIGN §2 outcomes table, plus advance replacement
(with and without a back-charge) and a declined quote.

Driven over HTTP with a staff token and the dealer's token; every `at` is in the past so the
deadlines are exact, and the dates cross the 2025 National Day and the 2026 Spring Festival.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.rma.conftest import OUT_OF_WARRANTY_START, WARRANTY_START, Api, order_body

pytestmark = pytest.mark.django_db


class Run:
    """One line driven through its events, checking the LINE after every step."""

    def __init__(self, staff: Api, dealer: Api, order: dict[str, Any]) -> None:
        self.staff, self.dealer, self.order = staff, dealer, order
        self.line = order["lines"][0]

    def __call__(self, who: str, event: str, at: str, *, state: str, path: str | None = None,
                 due: str | None = None, dealer_due: str | None = None, **fields: Any) -> dict[str, Any]:
        api = self.staff if who == "staff" else self.dealer
        url = f"/service-orders/{self.order['id']}/lines/{self.line['id']}/{event}"
        resp = api.post(url, {"version": self.line["version"], "at": at, **fields})
        assert resp.status_code == 200, resp.content.decode()
        self.line = resp.json()
        got = {k: self.line[k] for k in ("state", "path", "due", "dealer_due")}
        assert got == {"state": state, "path": path, "due": due, "dealer_due": dealer_due}, event
        return self.line


def submit(staff: Api, dealer: Api, serial: str, submitted_at: str = "2025-09-26T10:00:00+08:00",
           coverage: str = "replacement", **line: Any) -> Run:
    resp = staff.post("/service-orders", order_body(serial, submitted_at=submitted_at, **line))
    assert resp.status_code == 201, resp.content.decode()
    order = resp.json()
    assert order["number"] is None
    assert set(order["lines"][0]) == {"id", "serial", "coverage", "state", "path", "due", "dealer_due", "overdue",
                                      "version", "allowed"}
    assert order["lines"][0]["coverage"] == coverage
    assert order["lines"][0]["state"] == "submitted"
    return Run(staff, dealer, order)


def to_inspection(run: Run, *, approve_at: str, receive_at: str, receive_due: str) -> None:
    run("staff", "approve", approve_at, state="approved")
    run("dealer", "ship_to_centre", approve_at.replace("T15", "T17"), state="in_transit",
        carrier="顺丰", tracking="SF100")
    run("staff", "receive", receive_at, state="received", due=receive_due, condition="外包装完好")


def test_free_replacement_across_national_day(staff_api, alice_api, make_unit):
    make_unit("SN-FREE-REPL")
    make_unit("SN-NEW-0001", status="in_stock")
    run = submit(staff_api, alice_api, "SN-FREE-REPL")
    assert run.line["due"] == "2025-09-27T18:30:00+08:00"  # Sun 9/28 is a make-up day, but Sat 9/27 comes first
    to_inspection(run, approve_at="2025-09-26T15:00:00+08:00", receive_at="2025-09-30T10:00:00+08:00",
                  receive_due="2025-10-11T18:30:00+08:00")
    run("staff", "inspect", "2025-10-09T10:00:00+08:00", state="replacing", path="free_replacement",
        due="2025-10-11T18:30:00+08:00", fault_confirmed=True, damage=[], components=["电源"])
    run("staff", "ship_replacement", "2025-10-10T10:00:00+08:00", state="shipped", path="free_replacement",
        carrier="顺丰", tracking="SF200", replacement_serial="SN-NEW-0001")
    line = run("dealer", "confirm_delivery", "2025-10-13T10:00:00+08:00", state="closed", path="free_replacement")
    assert line["allowed"] == []
    order = staff_api.get(f"/service-orders/{run.order['id']}").json()
    assert order["number"] == "RMA2025-000001"
    from shouhou.registry.models import Unit

    new = Unit.objects.get(serial="SN-NEW-0001")
    assert (new.status, new.replaces.serial, new.dealer.code) == ("with_dealer", "SN-FREE-REPL", "GX-A01")
    assert new.replaces.status == "replaced"
    from shouhou.rma.models import OrderLine

    assert OrderLine.objects.get(pk=run.line["id"]).components == ["电源"]


def _quoted(run: Run, options: list[str], *, damage: list[str], path: str = "quote") -> None:
    to_inspection(run, approve_at="2025-09-26T15:00:00+08:00", receive_at="2025-09-30T10:00:00+08:00",
                  receive_due="2025-10-11T18:30:00+08:00")
    run("staff", "inspect", "2025-10-09T10:00:00+08:00", state="quoting", path=path,
        due="2025-10-11T18:30:00+08:00", fault_confirmed=True, damage=damage)
    run("staff", "send_quote", "2025-10-10T10:00:00+08:00", state="quoted", path=path,
        dealer_due="2025-10-25T23:59:59+08:00", items=[{"text": "更换主板", "amount": "680.00"}],
        options=options, valid_days=15)


def test_replacement_terms_not_met_quote_then_paid_replacement(staff_api, alice_api, make_unit):
    make_unit("SN-PAID-REPL")
    make_unit("SN-NEW-0002", status="in_stock")
    run = submit(staff_api, alice_api, "SN-PAID-REPL")
    _quoted(run, ["paid_replacement", "paid_repair"], damage=["cosmetic"])
    run("dealer", "confirm_quote", "2025-10-11T09:00:00+08:00", state="replacing", path="paid_replacement",
        due="2025-10-15T18:30:00+08:00", choice="paid_replacement")
    run("staff", "ship_replacement", "2025-10-14T10:00:00+08:00", state="shipped", path="paid_replacement",
        carrier="顺丰", tracking="SF300", replacement_serial="SN-NEW-0002")
    run("dealer", "confirm_delivery", "2025-10-16T10:00:00+08:00", state="closed", path="paid_replacement")
    from shouhou.notify.models import Event
    from shouhou.rma.models import Quote

    assert Quote.objects.get().status == "confirmed"
    kinds = list(Event.objects.order_by("id").values_list("name", flat=True))
    assert kinds == ["rma.return_authorisation", "rma.quote", "rma.repair_tracking_sheet", "rma.shipment_notice"]


def test_replacement_terms_not_met_quote_then_paid_repair(staff_api, alice_api, make_unit):
    make_unit("SN-PAID-REP1")
    run = submit(staff_api, alice_api, "SN-PAID-REP1")
    _quoted(run, ["paid_replacement", "paid_repair"], damage=["physical"])
    run("dealer", "confirm_quote", "2025-10-11T09:00:00+08:00", state="repairing", path="paid_repair",
        due="2025-10-23T18:30:00+08:00", choice="paid_repair")
    run("staff", "complete_repair", "2025-10-20T10:00:00+08:00", state="repaired", path="paid_repair",
        due="2025-10-23T18:30:00+08:00", parts=["主板"], result="更换主板后正常")
    run("staff", "ship_repaired", "2025-10-21T10:00:00+08:00", state="shipped", path="paid_repair",
        carrier="顺丰", tracking="SF400")
    run("staff", "close", "2025-10-28T10:00:00+08:00", state="closed", path="paid_repair")


def test_free_repair_across_spring_festival(staff_api, alice_api, make_unit):
    make_unit("SN-FREE-REP", WARRANTY_START)
    run = submit(staff_api, alice_api, "SN-FREE-REP", submitted_at="2026-02-10T10:00:00+08:00", coverage="warranty")
    assert run.line["due"] == "2026-02-11T18:30:00+08:00"
    run("staff", "approve", "2026-02-10T15:00:00+08:00", state="approved")
    run("staff", "receive", "2026-02-12T10:00:00+08:00", state="received", due="2026-02-24T18:30:00+08:00")
    run("staff", "inspect", "2026-02-13T10:00:00+08:00", state="repairing", path="free_repair",
        due="2026-03-04T18:30:00+08:00", fault_confirmed=True, damage=["cosmetic"])
    run("staff", "complete_repair", "2026-02-26T10:00:00+08:00", state="repaired", path="free_repair",
        due="2026-03-04T18:30:00+08:00", result="更换电源")
    run("staff", "ship_repaired", "2026-02-27T10:00:00+08:00", state="shipped", path="free_repair",
        carrier="EMS", tracking="E1")
    run("dealer", "confirm_delivery", "2026-03-02T10:00:00+08:00", state="closed", path="free_repair")


def test_warranty_outside_free_repair_scope_gets_a_paid_repair_quote(staff_api, alice_api, make_unit):
    make_unit("SN-WARR-LIQ", WARRANTY_START)
    run = submit(staff_api, alice_api, "SN-WARR-LIQ", coverage="warranty")
    _quoted(run, ["paid_repair"], damage=["liquid"])
    # Staff may answer on the dealer's behalf or revise the quote; the dealer only answers.
    assert run.line["allowed"] == ["send_quote", "confirm_quote", "decline_quote"]
    line = alice_api.get(f"/service-orders/{run.order['id']}").json()["lines"][0]
    assert line["allowed"] == ["confirm_quote", "decline_quote"]
    run("dealer", "confirm_quote", "2025-10-11T09:00:00+08:00", state="repairing", path="paid_repair",
        due="2025-10-23T18:30:00+08:00", choice="paid_repair")


def test_out_of_warranty_gets_a_lifetime_paid_repair_quote(staff_api, alice_api, make_unit):
    make_unit("SN-OLD-0001", OUT_OF_WARRANTY_START)
    run = submit(staff_api, alice_api, "SN-OLD-0001", coverage="out_of_warranty")
    _quoted(run, ["paid_repair"], damage=[])
    run("dealer", "confirm_quote", "2025-10-11T09:00:00+08:00", state="repairing", path="paid_repair",
        due="2025-10-23T18:30:00+08:00", choice="paid_repair")


def test_discontinued_model_is_best_effort_and_sent_back(staff_api, alice_api, make_unit, old_model):
    make_unit("SN-DISC-0001", OUT_OF_WARRANTY_START, model=old_model)
    run = submit(staff_api, alice_api, "SN-DISC-0001", coverage="discontinued")
    to_inspection(run, approve_at="2025-09-26T15:00:00+08:00", receive_at="2025-09-30T10:00:00+08:00",
                  receive_due="2025-10-11T18:30:00+08:00")
    run("staff", "inspect", "2025-10-09T10:00:00+08:00", state="quoting", path="best_effort",
        due="2025-10-11T18:30:00+08:00", fault_confirmed=True)
    run("staff", "ship_back", "2025-10-10T10:00:00+08:00", state="shipped", path="best_effort",
        carrier="顺丰", tracking="SF500")
    run("dealer", "confirm_delivery", "2025-10-13T10:00:00+08:00", state="closed", path="best_effort")


def _advance(staff_api, alice_api, make_unit, serial: str, new_serial: str) -> Run:
    make_unit(serial, date(2025, 12, 1))  # inside the 90-day replacement period on 2026-02-10
    make_unit(new_serial, status="in_stock")
    run = submit(staff_api, alice_api, serial, submitted_at="2026-02-10T10:00:00+08:00",
                 advance_replacement=True, advance_reason="网吧营业急需")
    run("staff", "approve_advance", "2026-02-13T10:00:00+08:00", state="advance_approved",
        path="advance_replacement", due="2026-02-14T18:30:00+08:00", reason="春节前保障营业")
    run("staff", "ship_replacement", "2026-02-14T10:00:00+08:00", state="replacement_shipped",
        path="advance_replacement", carrier="顺丰", tracking="SF600", replacement_serial=new_serial)
    run("dealer", "confirm_delivery", "2026-02-14T17:00:00+08:00", state="awaiting_return",
        path="advance_replacement", dealer_due="2026-02-26T18:30:00+08:00")
    run("dealer", "ship_to_centre", "2026-02-24T10:00:00+08:00", state="in_transit", path="advance_replacement",
        carrier="顺丰", tracking="SF601")
    run("staff", "receive", "2026-02-26T10:00:00+08:00", state="received", path="advance_replacement",
        due="2026-03-02T18:30:00+08:00")
    return run


def test_advance_replacement_without_back_charge(staff_api, alice_api, make_unit):
    run = _advance(staff_api, alice_api, make_unit, "SN-ADV-0001", "SN-NEW-0003")
    run("staff", "inspect", "2026-02-27T10:00:00+08:00", state="inspected", path="advance_replacement",
        due="2026-03-02T18:30:00+08:00", fault_confirmed=True)
    assert "charge" in run.line["allowed"] and "close" in run.line["allowed"]
    run("staff", "close", "2026-02-28T10:00:00+08:00", state="closed", path="advance_replacement")
    from shouhou.rma.models import Charge, DeadlineRecord

    assert not Charge.objects.exists()
    kinds = list(DeadlineRecord.objects.order_by("id").values_list("kind", "party", "late"))
    # Reviewed on 2/13 against 2/11: late, and recorded so. Inspection keeps the receipt's clock.
    assert kinds == [("review", "vendor", True), ("ship_advance", "vendor", False),
                     ("faulty_return", "dealer", False), ("inspect", "vendor", False)]


def test_advance_replacement_with_back_charge(staff_api, alice_api, make_unit):
    run = _advance(staff_api, alice_api, make_unit, "SN-ADV-0002", "SN-NEW-0004")
    run("staff", "inspect", "2026-02-27T10:00:00+08:00", state="inspected", path="advance_replacement",
        due="2026-03-02T18:30:00+08:00", fault_confirmed=True, damage=["liquid"])
    assert run.line["allowed"] == ["charge"]
    run("staff", "charge", "2026-02-27T11:00:00+08:00", state="inspected", path="advance_replacement",
        due="2026-03-02T18:30:00+08:00", amount="350.00", reason="机箱进液")
    run("staff", "close", "2026-02-28T10:00:00+08:00", state="closed", path="advance_replacement")
    from shouhou.notify.models import Event
    from shouhou.rma.models import Charge

    assert str(Charge.objects.get().amount) == "350.00"
    assert Event.objects.filter(name="rma.back_charge").count() == 1


def test_declined_quote_returns_the_unit_unrepaired(staff_api, alice_api, make_unit):
    make_unit("SN-DECL-0001", OUT_OF_WARRANTY_START)
    run = submit(staff_api, alice_api, "SN-DECL-0001", coverage="out_of_warranty")
    _quoted(run, ["paid_repair"], damage=[])
    run("dealer", "decline_quote", "2025-10-13T09:00:00+08:00", state="returning", path="return_unrepaired",
        due="2025-10-16T18:30:00+08:00", scrap=False)
    run("staff", "ship_back", "2025-10-14T10:00:00+08:00", state="shipped", path="return_unrepaired",
        carrier="顺丰", tracking="SF700")
    run("dealer", "confirm_delivery", "2025-10-16T10:00:00+08:00", state="closed", path="return_unrepaired")
    from shouhou.rma.models import Quote

    assert Quote.objects.get().status == "declined"


def test_the_units_status_follows_it_to_the_centre_and_back(staff_api, alice_api, make_unit):
    from shouhou.registry.models import Unit

    make_unit("SN-STAT-0001", OUT_OF_WARRANTY_START)
    run = submit(staff_api, alice_api, "SN-STAT-0001", coverage="out_of_warranty")
    _quoted(run, ["paid_repair"], damage=[])
    assert Unit.objects.get(serial="SN-STAT-0001").status == "in_repair"
    run("dealer", "decline_quote", "2025-10-13T09:00:00+08:00", state="returning", path="return_unrepaired",
        due="2025-10-16T18:30:00+08:00", scrap=False)
    run("staff", "ship_back", "2025-10-14T10:00:00+08:00", state="shipped", path="return_unrepaired",
        carrier="顺丰", tracking="SF701")
    assert Unit.objects.get(serial="SN-STAT-0001").status == "with_dealer"  # never sold on to an end user


def test_a_unit_the_dealer_asks_to_scrap_is_scrapped(staff_api, alice_api, make_unit):
    from shouhou.registry.models import Unit

    make_unit("SN-STAT-0002", OUT_OF_WARRANTY_START)
    run = submit(staff_api, alice_api, "SN-STAT-0002", coverage="out_of_warranty")
    _quoted(run, ["paid_repair"], damage=[])
    line = run("dealer", "decline_quote", "2025-10-13T09:00:00+08:00", state="scrapping", path="return_unrepaired",
               due="2025-10-16T18:30:00+08:00", scrap=True)
    assert line["state"] == "scrapping"
    run("staff", "close", "2025-10-14T10:00:00+08:00", state="closed", path="return_unrepaired")
    assert Unit.objects.get(serial="SN-STAT-0002").status == "scrapped"
