"""Bad input gets a clear answer and changes nothing: 409, 403, 404, 422 over the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shouhou.rma.models import OrderLine, ServiceOrder
from tests.rma.conftest import order_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(staff_api, make_unit):
    make_unit("SN-ERR-0001")
    resp = staff_api.post("/service-orders", order_body("SN-ERR-0001"))
    assert resp.status_code == 201
    return resp.json()


def line_url(order, event):
    return f"/service-orders/{order['id']}/lines/{order['lines'][0]['id']}/{event}"


def test_stale_version_gets_409_with_the_current_version(staff_api, order):
    assert staff_api.post(line_url(order, "approve"), {"version": 1}).status_code == 200
    resp = staff_api.post(line_url(order, "request_info"), {"version": 1, "message": "补充拓扑图"})
    assert resp.status_code == 409
    assert resp.json()["version"] == 2 and resp.json()["detail"]


def test_illegal_event_gets_409_with_the_allowed_events(staff_api, order):
    resp = staff_api.post(line_url(order, "receive"), {"version": 1})
    assert resp.status_code == 409
    assert resp.json()["allowed"] == ["approve", "approve_advance", "cancel", "reject", "request_info"]


def test_unknown_event_gets_409_with_the_allowed_events(staff_api, order):
    resp = staff_api.post(line_url(order, "teleport"), {"version": 1})
    assert resp.status_code == 409 and "approve" in resp.json()["allowed"]


def test_dealer_applying_a_staff_event_gets_403(alice_api, order):
    resp = alice_api.post(line_url(order, "approve"), {"version": 1})
    assert resp.status_code == 403
    assert OrderLine.objects.get().state == "submitted"


def test_dealer_may_not_cancel_after_approval(staff_api, alice_api, order):
    staff_api.post(line_url(order, "approve"), {"version": 1})
    assert alice_api.post(line_url(order, "cancel"), {"version": 2, "reason": "x"}).status_code == 403


def test_staff_applying_a_dealer_event_is_recorded_on_the_dealers_behalf(staff_api, order):
    from shouhou.core.models import AuditEvent

    staff_api.post(line_url(order, "approve"), {"version": 1})
    resp = staff_api.post(line_url(order, "ship_to_centre"), {"version": 2, "carrier": "顺丰", "tracking": "SF1"})
    assert resp.status_code == 200
    event = AuditEvent.objects.get(verb="line.ship_to_centre")
    assert event.data["on_behalf_of_dealer"] is True


@pytest.mark.parametrize("route", ["detail", "event", "list"])
def test_another_dealers_order_is_not_found(bob_api, order, route):
    if route == "detail":
        resp = bob_api.get(f"/service-orders/{order['id']}")
        assert resp.status_code == 404
    elif route == "event":
        resp = bob_api.post(line_url(order, "cancel"), {"version": 1, "reason": "x"})
        assert resp.status_code == 404
        assert OrderLine.objects.get().state == "submitted"
    else:
        assert bob_api.get("/service-orders").json()["count"] == 0


def test_dealer_may_not_submit_for_another_dealer(bob_api, order):
    resp = bob_api.post("/service-orders", order_body("SN-ERR-0001", submitted_at=None))
    assert resp.status_code == 403


def test_dealer_may_not_date_its_own_form(alice_api, make_unit):
    make_unit("SN-ERR-0002")
    resp = alice_api.post("/service-orders", order_body("SN-ERR-0002"))
    assert resp.status_code == 403


def test_dealer_submits_for_itself_and_sees_its_moves(alice_api, make_unit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    make_unit("SN-ERR-0003")
    draft = alice_api.post("/service-orders", {**order_body("SN-ERR-0003", submitted_at=None), "draft": True}).json()
    png = SimpleUploadedFile("t.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    alice_api.client.post(f"/api/v1/service-orders/{draft['id']}/lines/{draft['lines'][0]['id']}/topology",
                          {"file": png}, headers=alice_api.headers)
    resp = alice_api.post(f"/service-orders/{draft['id']}/submit")
    assert resp.status_code == 200
    assert resp.json()["lines"][0]["allowed"] == ["cancel"]


def test_submitted_at_in_the_future_gets_422(staff_api, make_unit):
    make_unit("SN-ERR-0004")
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    resp = staff_api.post("/service-orders", order_body("SN-ERR-0004", submitted_at=future))
    assert resp.status_code == 422
    assert resp.json()["code"] == "invalid" and resp.json()["field"] == "submitted_at"
    assert not ServiceOrder.objects.exists()


def test_at_in_the_future_gets_422(staff_api, order):
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    resp = staff_api.post(line_url(order, "approve"), {"version": 1, "at": future})
    assert resp.status_code == 422 and resp.json()["field"] == "at"


def test_at_before_the_previous_step_gets_422(staff_api, order):
    resp = staff_api.post(line_url(order, "approve"), {"version": 1, "at": "2025-09-25T10:00:00+08:00"})
    assert resp.status_code == 422 and resp.json()["field"] == "at"


def test_bad_fields_get_422_naming_the_field(staff_api, order):
    resp = staff_api.post(line_url(order, "reject"), {"version": 1})
    assert resp.status_code == 422 and resp.json() == {"code": "invalid", "reason": "required",
                                                       "detail": "请填写原因。", "field": "reason"}
    assert staff_api.post(line_url(order, "approve"), {}).json()["field"] == "version"
    assert staff_api.post(line_url(order, "approve"), {"version": 1, "at": "yesterday"}).json()["field"] == "at"


def test_incomplete_form_lists_every_missing_field(staff_api, make_unit):
    make_unit("SN-ERR-0005")
    body = order_body("SN-ERR-0005", "", "SN-ERR-0005")
    body["contact"] = {"name": "", "phone": "", "email": ""}
    body["lines"][1]["fault"] = ""
    resp = staff_api.post("/service-orders", body)
    assert resp.status_code == 422
    errors = resp.json()["errors"]
    assert errors == ["缺少联系人", "缺少联系电话", "第 2 行：缺少序列号", "第 2 行：缺少故障描述",
                      "第 3 行：序列号 SN-ERR-0005 与第 1 行重复"]
    assert not ServiceOrder.objects.exists()


def test_unknown_serial_and_another_dealers_unit_read_the_same(staff_api, make_unit, dealer_b):
    make_unit("SN-BOB-0001", dealer=dealer_b)
    resp = staff_api.post("/service-orders", order_body("SN-NOPE-0001", "SN-BOB-0001"))
    assert resp.json()["errors"] == ["第 1 行：序列号 SN-NOPE-0001 不存在或不属于本代理商",
                                     "第 2 行：序列号 SN-BOB-0001 不存在或不属于本代理商"]


def test_unit_without_a_warranty_start_is_refused(staff_api, make_unit):
    make_unit("SN-NOSHIP-01", None)
    resp = staff_api.post("/service-orders", order_body("SN-NOSHIP-01"))
    assert resp.status_code == 422 and "没有有效的保修起始日期" in resp.json()["detail"]


def test_list_filters_and_pins_its_query_count(staff_api, make_unit, django_assert_num_queries, service_center):
    for i in range(5):
        make_unit(f"SN-LIST-{i:04d}")
        staff_api.post("/service-orders", order_body(f"SN-LIST-{i:04d}"))
    first = ServiceOrder.objects.order_by("id").first()
    line = first.lines.get()
    staff_api.post(f"/service-orders/{first.pk}/lines/{line.pk}/approve", {"version": 1})
    staff_api.get("/service-orders")  # warm the calendar cache
    # token, roles, count, calendar version, the page of orders, their lines: not one more per order
    with django_assert_num_queries(6):
        resp = staff_api.get("/service-orders")
    assert resp.json()["count"] == 5
    make_unit("SN-LIST-9999")
    staff_api.post("/service-orders", order_body("SN-LIST-9999"))
    with django_assert_num_queries(6):
        assert staff_api.get("/service-orders").json()["count"] == 6
    assert staff_api.get("/service-orders", state="approved").json()["count"] == 1
    assert staff_api.get("/service-orders", overdue="true").json()["count"] == 5  # review due 2025-09-27
    assert staff_api.get("/service-orders", model="SN-S200", page_size=2).json()["results"].__len__() == 2
    assert staff_api.get("/service-orders", dealer="GD-B02").json()["count"] == 0
