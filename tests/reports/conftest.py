"""A small, hand-checked set of service orders for the report tests (November 2025, no holidays).

Working days are Mon–Sat. Each line's deadlines, worked out by hand from DESIGN §2:

- A1 (dealer A, replacement period): submitted Mon 11-03 10:00, approved 11-03 15:00 (review due
  Tue 11-04 18:30: met, waited 5 h); received Wed 11-05 10:00 (decide due Sat 11-08 18:30);
  inspected 11-06, free replacement, same clock; replacement shipped Mon 11-10 10:00: late.
  Turnaround 11-03 → 11-10: 6 working days (Sun 11-09 does not count).
- A2 (dealer A, warranty): submitted Tue 11-04 10:00, approved Wed 11-05 17:00 (due 11-05 18:30:
  met, waited 31 h); received Thu 11-06 10:00 (decide due Mon 11-10 18:30); inspected Fri 11-07:
  met; free repair, ship due Tue 11-18 18:30; shipped Wed 11-12 15:00: met. Turnaround 7 WD.
- A3 (dealer A): submitted Wed 11-05 10:00, never reviewed: review due Thu 11-06 18:30, open and
  overdue.
- B1 (dealer B, replacement period): submitted Mon 11-03 10:00, approved Wed 11-05 10:00 (due
  Tue 11-04 18:30: late, waited 48 h).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.rma.conftest import (  # noqa: F401  (fixtures)
    WARRANTY_START,
    Api,
    alice_api,
    bob_api,
    make_unit,
    order_body,
    server_model,
    staff_api,
)

REPLACEMENT_START = date(2025, 10, 1)  # 90-day replacement period over all of November
SHIP_OUT = {"carrier": "顺丰速运", "tracking": "SF2000"}


def _order(api: Api, serial: str, submitted_at: str, dealer: str = "GX-A01") -> tuple[int, int]:
    body = order_body(serial, submitted_at=submitted_at)
    body["dealer"] = dealer
    resp = api.post("/service-orders", body)
    assert resp.status_code == 201, resp.content
    data = resp.json()
    return data["id"], data["lines"][0]["id"]


def _steps(api: Api, order: int, line: int, steps: list[tuple[str, str, dict[str, Any]]]) -> None:
    version = api.get(f"/service-orders/{order}").json()["lines"][0]["version"]
    for event, at, fields in steps:
        resp = api.post(f"/service-orders/{order}/lines/{line}/{event}", {"version": version, "at": at, **fields})
        assert resp.status_code == 200, (event, resp.content)
        version = resp.json()["version"]


def t(day: int, hour: int, minute: int = 0) -> str:
    return f"2025-11-{day:02d}T{hour:02d}:{minute:02d}:00+08:00"


@pytest.fixture
def november(staff_api: Api, make_unit, dealer_b, service_center) -> dict[str, tuple[int, int]]:  # noqa: F811
    from shouhou.registry.models import Unit, UnitStatus

    make_unit("RPA1", REPLACEMENT_START)
    make_unit("RPA2", WARRANTY_START)
    make_unit("RPA3", REPLACEMENT_START)
    make_unit("RPB1", REPLACEMENT_START, dealer=dealer_b)
    make_unit("SPARE1", REPLACEMENT_START, status=UnitStatus.IN_STOCK)
    Unit.objects.filter(serial="SPARE1").update(dealer=None)
    ok = {"fault_confirmed": True, "damage": [], "components": ["主板"]}
    a1 = _order(staff_api, "RPA1", t(3, 10))
    _steps(staff_api, *a1, [("approve", t(3, 15), {}), ("ship_to_centre", t(4, 10), SHIP_OUT),
                            ("receive", t(5, 10), {"condition": "完好"}), ("inspect", t(6, 10), ok),
                            ("ship_replacement", t(10, 10), {**SHIP_OUT, "replacement_serial": "SPARE1"})])
    a2 = _order(staff_api, "RPA2", t(4, 10))
    _steps(staff_api, *a2, [("approve", t(5, 17), {}), ("ship_to_centre", t(5, 18), SHIP_OUT),
                            ("receive", t(6, 10), {"condition": "完好"}),
                            ("inspect", t(7, 10), {**ok, "components": ["主板", "内存"]}),
                            ("complete_repair", t(12, 10), {"parts": ["主板"], "result": "更换主板"}),
                            ("ship_repaired", t(12, 15), SHIP_OUT)])
    a3 = _order(staff_api, "RPA3", t(5, 10))
    b1 = _order(staff_api, "RPB1", t(3, 10), dealer="GD-B02")
    _steps(staff_api, *b1, [("approve", t(5, 10), {})])
    return {"a1": a1, "a2": a2, "a3": a3, "b1": b1}
