"""What happens to units goes through the registry's services: each move is on the unit's own
history; a replacement is of the original's model unless staff say why not."""

from __future__ import annotations

import pytest

from shouhou.core.models import AuditEvent
from shouhou.registry.models import ProductModel, Unit
from tests.rma.test_api_paths import submit, to_inspection

pytestmark = pytest.mark.django_db


def unit_verbs(serial: str) -> list[str]:
    unit = Unit.objects.get(serial=serial)
    return list(AuditEvent.objects.filter(object_type="registry.unit", object_id=str(unit.pk))
                .order_by("id").values_list("verb", flat=True))


def to_replacing(staff_api, alice_api, serial):
    run = submit(staff_api, alice_api, serial)
    to_inspection(run, approve_at="2025-09-26T15:00:00+08:00", receive_at="2025-09-30T10:00:00+08:00",
                  receive_due="2025-10-11T18:30:00+08:00")
    run("staff", "inspect", "2025-10-09T10:00:00+08:00", state="replacing", path="free_replacement",
        due="2025-10-11T18:30:00+08:00", fault_confirmed=True, damage=[], components=["电源"])
    return run


@pytest.fixture
def other_model(db):
    return ProductModel.objects.create(code="SN-D300", name="无盘服务器 D300", replacement_days=90,
                                       warranty_months=36)


def test_a_replacement_of_another_model_is_refused_without_a_reason(staff_api, alice_api, make_unit, other_model):
    make_unit("SN-R720-0001")
    make_unit("SN-D300-SPARE", model=other_model, status="in_stock")
    run = to_replacing(staff_api, alice_api, "SN-R720-0001")
    url = f"/service-orders/{run.order['id']}/lines/{run.line['id']}/ship_replacement"
    response = staff_api.post(url, {"version": run.line["version"], "at": "2025-10-10T10:00:00+08:00",
                                    "carrier": "顺丰", "tracking": "SF200", "replacement_serial": "SN-D300-SPARE"})
    assert response.status_code == 422
    assert (response.json()["reason"], response.json()["field"]) == ("other_model", "other_model_reason")
    assert "型号" in response.json()["detail"]
    assert Unit.objects.get(serial="SN-D300-SPARE").status == "in_stock"
    assert staff_api.get(f"/service-orders/{run.order['id']}").json()["lines"][0]["state"] == "replacing"


def test_staff_may_ship_another_model_saying_why_and_it_is_on_both_histories(staff_api, alice_api, make_unit,
                                                                            other_model):
    make_unit("SN-R720-0002")
    make_unit("SN-D300-SPARE2", model=other_model, status="in_stock")
    run = to_replacing(staff_api, alice_api, "SN-R720-0002")
    run("staff", "ship_replacement", "2025-10-10T10:00:00+08:00", state="shipped", path="free_replacement",
        carrier="顺丰",
        tracking="SF200", replacement_serial="SN-D300-SPARE2", other_model_reason="R720 已停产，经客户同意换 D300")
    line_event = AuditEvent.objects.filter(verb="line.ship_replacement").get()
    assert line_event.data["other_model_reason"] == "R720 已停产，经客户同意换 D300"
    shipped = AuditEvent.objects.filter(verb="unit.shipped_as_replacement").get()
    assert shipped.data["other_model"] is True and shipped.data["reason"].startswith("R720")
    assert unit_verbs("SN-D300-SPARE2") == ["unit.shipped_as_replacement"]


def test_each_move_of_a_unit_is_on_its_own_history(staff_api, alice_api, make_unit):
    make_unit("SN-MOVE-0001")
    make_unit("SN-MOVE-SPARE", status="in_stock")
    run = to_replacing(staff_api, alice_api, "SN-MOVE-0001")
    run("staff", "ship_replacement", "2025-10-10T10:00:00+08:00", state="shipped", path="free_replacement",
        carrier="顺丰",
        tracking="SF200", replacement_serial="SN-MOVE-SPARE")
    assert unit_verbs("SN-MOVE-0001") == ["unit.received", "unit.replaced"]
    assert unit_verbs("SN-MOVE-SPARE") == ["unit.shipped_as_replacement"]
    received = AuditEvent.objects.filter(verb="unit.received").get()
    assert received.data["reference"].endswith("/ 1") and received.data["to"] == "in_repair"
