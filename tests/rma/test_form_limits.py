"""The API keeps the limits the web form has: a real email address, sane lengths and counts."""

from __future__ import annotations

import pytest

from shouhou.rma.models import Quote, ServiceOrder
from tests.rma.conftest import order_body

pytestmark = pytest.mark.django_db


def test_the_api_refuses_a_contact_email_that_is_not_one(staff_api, make_unit):
    make_unit("SN-MAIL-0001")
    body = order_body("SN-MAIL-0001")
    body["contact"]["email"] = "not-an-email"
    response = staff_api.post("/service-orders", body)
    assert response.status_code == 422
    assert "contact.email" in response.json()["fields"]
    assert not ServiceOrder.objects.exists()


def test_the_api_refuses_overlong_contact_fields_and_too_many_lines(staff_api, make_unit):
    make_unit("SN-MAIL-0002")
    body = order_body("SN-MAIL-0002")
    body["contact"]["name"] = "李" * 101
    assert staff_api.post("/service-orders", body).status_code == 422
    body = order_body(*[f"SN-MANY-{i:03d}" for i in range(201)])
    response = staff_api.post("/service-orders", body)
    assert response.status_code == 422 and "lines" in response.json()["fields"]
    assert not ServiceOrder.objects.exists()


def test_a_quote_of_five_thousand_items_is_refused(staff_api, make_unit):
    from shouhou.registry.models import Unit

    make_unit("SN-QUOTE-0001", shipped_on=Unit._meta.get_field("shipped_on").to_python("2020-01-01"))
    order = staff_api.post("/service-orders", order_body("SN-QUOTE-0001")).json()
    line = order["lines"][0]
    base = f"/service-orders/{order['id']}/lines/{line['id']}"
    version = line["version"]
    for event, fields in (("approve", {}), ("ship_to_centre", {"carrier": "顺丰", "tracking": "SF1"}),
                          ("receive", {"condition": "完好"}),
                          ("inspect", {"fault_confirmed": True, "damage": [], "components": ["主板"]})):
        response = staff_api.post(f"{base}/{event}", {"version": version, "at": None, **fields})
        assert response.status_code == 200, response.json()
        version = response.json()["version"]
    items = [{"text": f"项目 {i}", "amount": "1.00"} for i in range(5000)]
    response = staff_api.post(f"{base}/send_quote", {"version": version, "items": items,
                                                     "options": ["paid_repair"], "valid_days": 15})
    assert response.status_code == 422 and response.json()["reason"] == "too_many"
    assert not Quote.objects.exists()
