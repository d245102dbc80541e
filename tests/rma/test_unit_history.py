"""Service orders appear in the unit page's history, scoped like everything else."""

import pytest

from tests.rma.conftest import order_body

pytestmark = pytest.mark.django_db


def test_unit_page_lists_the_units_service_orders(staff_api, make_unit, client_for, service_center, alice):
    make_unit("SN-HIST-0001")
    order = staff_api.post("/service-orders", order_body("SN-HIST-0001")).json()
    line = order["lines"][0]
    staff_api.post(f"/service-orders/{order['id']}/lines/{line['id']}/approve",
                   {"version": line["version"], "at": "2025-09-26T15:00:00+08:00"})
    page = client_for(service_center).get("/units/SN-HIST-0001/").content.decode()
    assert f'href="/rma/orders/{order["id"]}/"' in page
    assert "第 1 行" in page
    portal = client_for(alice).get("/units/SN-HIST-0001/").content.decode()
    assert f'href="/portal/orders/{order["id"]}/"' in portal


def test_a_unit_without_orders_shows_the_empty_state(make_unit, client_for, service_center):
    make_unit("SN-HIST-0002")
    assert "暂无服务记录" in client_for(service_center).get("/units/SN-HIST-0002/").content.decode()
