""""Open service form from this case": the form carries the case number, unit and findings, and the
order's report date is the case's opening date (DESIGN §2 Outcomes)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

from shouhou.cases import services
from shouhou.rma.models import ServiceOrder

from .conftest import at

ORDER = {"contact": {"name": "李工", "phone": "13800000000", "email": "li@dealer-a.cn"},
         "return_address": "广西南宁市青秀区民族大道 1 号",
         "lines": [{"serial": "SNA0001", "fault": "无法开机"}]}


def test_the_case_page_links_a_prefilled_service_form(client_for, cs, engineer, open_case, unit_a):
    case = open_case(serial="SNA0001", opened_at=at("2025-10-30 11:00"))
    services.case_triage(case=case, actor=engineer, results={"memory": ("fault", "DIMM_A2 报错")})
    services.case_diagnostic(case=case, actor=engineer, kind="hardware_check", text="内存自检失败")
    client = client_for(cs)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    url = page[page.index('href="/rma/orders/new/?') + 6: page.index('" data-service-form')].replace("&amp;", "&")
    query = parse_qs(urlparse(url).query)
    assert query["case"] == [case.number] and query["serial"] == ["SNA0001"] and query["dealer"] == ["GX-A01"]
    assert "内存：DIMM_A2 报错" in query["fault"][0] and "硬件排查：内存自检失败" in query["fault"][0]
    form = client.get(url).content.decode()
    assert f'value="{case.number}"' in form and 'value="SNA0001"' in form and "DIMM_A2 报错" in form


def test_an_order_from_a_case_is_reported_on_the_cases_opening_date(cs_api, cs, open_case, unit_a):
    # Shipped 2025-08-01 with 90 replacement days: the period's last day is 2025-10-29, long past today.
    inside = open_case(serial="SNA0001", opened_at=at("2025-10-29 17:00"))
    r = cs_api.post("/service-orders", {**ORDER, "dealer": "GX-A01", "case": inside.number})
    assert r.status_code == 201, r.content
    order = ServiceOrder.objects.get(pk=r.json()["id"])
    assert (order.case, order.reported_at) == (inside, inside.opened_at)
    assert r.json()["lines"][0]["coverage"] == "replacement"  # the case's date, not today's
    page = json.loads(cs_api.get(f"/service-orders/{order.pk}").content)
    assert page["lines"][0]["coverage"] == "replacement"


def test_unknown_complaint_and_other_dealers_cases_are_refused(cs_api, alice_api, cs, open_case, unit_a, unit_b):
    assert cs_api.post("/service-orders", {**ORDER, "dealer": "GX-A01", "case": "C2099-000001"}).json()["field"] \
        == "case"
    bobs = open_case(serial="SNB0001")
    r = cs_api.post("/service-orders", {**ORDER, "dealer": "GX-A01", "case": bobs.number})
    assert r.status_code == 422 and r.json()["field"] == "case"
    complaint = services.complaint_open(case=open_case(serial="SNA0001"), actor=cs, subject="投诉", description="")
    assert cs_api.post("/service-orders", {**ORDER, "dealer": "GX-A01", "case": complaint.number}).status_code == 422
    r = alice_api.post("/service-orders", {**ORDER, "case": bobs.number})
    assert r.status_code == 422 and r.json()["field"] == "case"
    assert not ServiceOrder.objects.exists()
