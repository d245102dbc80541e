"""DESIGN §6 cases over the API: every operation, the other dealer (404), complaints hidden."""

from __future__ import annotations

import pytest

from shouhou.cases.models import Case
from shouhou.core.models import AuditEvent

BODY = {
    "channel": "hotline", "type": "fault",
    "reporter": {"name": "王老板", "phone": "0771-5561234", "email": "wang@wangba.cn", "qq": "12345678"},
    "serial": "SNA0001", "region": None, "subject": "无盘客户机启动蓝屏", "description": "80 台客户机蓝屏",
    "opened_at": "2025-09-30T18:00:00+08:00",
}


def test_staff_open_a_case_and_get_the_design_shape(cs_api, unit_a):
    r = cs_api.post("/cases", BODY)
    assert r.status_code == 201, r.content
    case = r.json()
    assert set(case) == {"id", "number", "channel", "type", "status", "subject", "description", "reporter",
                         "serial", "dealer", "coverage", "team", "owner", "first_responder", "opened_at",
                         "pickup_at", "first_response_due", "resolution_due", "version", "allowed"}
    assert case["team"] is None  # opened for a person, not a team (issue #16)
    assert case["number"] == "C2025-000001"
    assert case["dealer"] == {"code": "GX-A01", "name": "南宁甲电脑", "phone": "0771-1000001"}
    assert (case["coverage"], case["status"], case["owner"], case["version"]) == ("replacement", "new", None, 1)
    assert (case["opened_at"], case["pickup_at"], case["first_response_due"], case["resolution_due"]) == (
        "2025-09-30T18:00:00+08:00", "2025-09-30T18:00:00+08:00", "2025-10-09T10:45:00+08:00",
        "2025-10-11T18:30:00+08:00")
    assert case["allowed"] == ["accept", "note", "log_call", "forward_to_dealer"]
    assert cs_api.get(f"/cases/{case['id']}").json() == case


def test_a_full_case_through_events(cs_api, cs, engineer, unit_a):
    case = cs_api.post("/cases", BODY).json()
    url = f"/cases/{case['id']}"
    case = cs_api.post(f"{url}/accept", {"version": 1}).json()
    assert (case["owner"], case["first_responder"], case["status"]) == ("kefu", "kefu", "accepted")
    case = cs_api.post(f"{url}/log_call", {"version": 2, "minutes": 12, "text": "指导重装驱动"}).json()
    case = cs_api.post(f"{url}/note", {"version": 3, "text": "QQ：已发送拓扑图", "kind": "qq"}).json()
    case = cs_api.post(f"{url}/hand_over", {"version": 4, "to": "jishu", "note": "转技术支持"}).json()
    assert (case["owner"], case["first_responder"]) == ("jishu", "kefu")
    case = cs_api.post(f"{url}/wait", {"version": 5, "on": "customer"}).json()
    assert case["status"] == "waiting_customer"
    case = cs_api.post(f"{url}/resolve", {"version": 6, "resolution": "重装网卡驱动后正常",
                                          "category": "resolved_by_faq"}).json()
    case = cs_api.post(f"{url}/close", {"version": 7}).json()
    assert (case["status"], case["allowed"]) == ("closed", ["reopen"])
    case = cs_api.post(f"{url}/reopen", {"version": 8, "reason": "再次蓝屏"}).json()
    assert (case["status"], case["owner"]) == ("accepted", "jishu")
    assert AuditEvent.objects.filter(object_type="cases.case").count() == 9  # opened + 8 events


def test_errors_carry_codes_and_change_nothing(cs_api, cs2, token_for, unit_a):
    from .conftest import Api

    case = cs_api.post("/cases", BODY).json()
    url = f"/cases/{case['id']}"
    r = cs_api.post(f"{url}/close", {"version": 1})
    assert r.status_code == 409 and r.json()["code"] == "illegal_event"
    assert r.json()["allowed"] == ["accept", "forward_to_dealer", "log_call", "note"]
    r = cs_api.post(f"{url}/accept", {"version": 7})
    assert r.status_code == 409 and (r.json()["code"], r.json()["version"]) == ("stale_version", 1)
    assert cs_api.post(f"{url}/accept", {}).json()["field"] == "version"
    assert cs_api.post(f"{url}/teleport", {"version": 1}).status_code == 422
    cs_api.post(f"{url}/accept", {"version": 1})
    r = Api(token_for(cs2)).post(f"{url}/hand_over", {"version": 2, "to": "kefu2", "note": "我接"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = cs_api.post(f"{url}/hand_over", {"version": 2, "to": "nobody", "note": "x"})
    assert r.status_code == 422 and r.json()["field"] == "to"
    r = cs_api.post(f"{url}/log_call", {"version": 2, "minutes": 0})
    assert r.status_code == 422 and r.json()["field"] == "minutes"
    assert Case.objects.get().version == 2


@pytest.mark.parametrize(("change", "field", "status"), [
    ({"channel": "fax"}, "channel", 422),
    ({"type": "gossip"}, "type", 422),
    ({"subject": ""}, "subject", 422),
    ({"serial": "NOPE"}, "serial", 422),
    ({"reporter": {"name": "x"}}, "reporter.phone", 422),
    ({"opened_at": "yesterday"}, "opened_at", 422),
    ({"opened_at": "2999-01-01T10:00:00+08:00"}, "opened_at", 422),
])
def test_bad_bodies_are_422_and_store_nothing(cs_api, unit_a, change, field, status):
    r = cs_api.post("/cases", {**BODY, **change})
    assert r.status_code == status and r.json()["field"] == field
    assert not Case.objects.exists()


def test_a_dealer_token_opens_for_its_own_dealer_and_not_with_opened_at(alice_api, unit_a, unit_b, dealer_a):
    body = {**BODY, "channel": "api", "opened_at": None}
    r = alice_api.post("/cases", body)
    assert r.status_code == 201 and r.json()["dealer"]["code"] == "GX-A01"
    assert r.json()["allowed"] == ["note"]
    assert alice_api.post("/cases", {**body, "serial": "SNB0001"}).status_code == 422  # Bob's unit
    assert alice_api.post("/cases", {**body, "opened_at": "2025-09-30T10:00:00+08:00"}).status_code == 403
    assert alice_api.post("/cases", {**body, "type": "complaint"}).status_code == 403


def test_the_other_dealer_gets_404_on_every_route(cs_api, alice_api, bob_api, unit_a):
    case = alice_api.post("/cases", {**BODY, "channel": "api", "opened_at": None}).json()
    url = f"/cases/{case['id']}"
    assert bob_api.get(url).status_code == 404
    for event in ("accept", "note", "resolve", "close", "hand_over", "reopen"):
        assert bob_api.post(f"{url}/{event}", {"version": 1, "text": "x"}).status_code == 404
    assert bob_api.get("/cases").json()["count"] == 0
    assert alice_api.get("/cases").json()["count"] == 1
    assert alice_api.post(f"{url}/note", {"version": 1, "text": "代理商已联系用户"}).status_code == 200


def test_complaints_are_hidden_from_the_dealer_concerned(cs_api, alice_api, unit_a):
    original = cs_api.post("/cases", BODY).json()
    complaint = cs_api.post("/cases", {**BODY, "type": "complaint", "subject": "代理商不上门"}).json()
    assert complaint["dealer"] is None
    assert alice_api.get(f"/cases/{complaint['id']}").status_code == 404
    assert alice_api.post(f"/cases/{complaint['id']}/note", {"version": 1, "text": "x"}).status_code == 404
    listed = alice_api.get("/cases", status="all").json()
    assert [c["number"] for c in listed["results"]] == [original["number"]]
    assert cs_api.get("/cases", type="complaint").json()["count"] == 1


def test_list_filters_and_pages(cs_api, unit_a, django_assert_num_queries):
    for i in range(5):
        cs_api.post("/cases", {**BODY, "channel": "qq" if i % 2 else "hotline", "subject": f"问题 {i}"})
    assert cs_api.get("/cases", channel="qq").json()["count"] == 2
    assert cs_api.get("/cases", q="07715561234").json()["count"] == 5
    assert cs_api.get("/cases", q="C2025-000003").json()["results"][0]["subject"] == "问题 2"
    assert cs_api.get("/cases", q="sna0001").json()["count"] == 5
    assert cs_api.get("/cases", status="closed").json()["count"] == 0
    page = cs_api.get("/cases", page=2, page_size=2).json()
    assert (page["count"], page["page"], len(page["results"])) == (5, 2, 2)
    cs_api.get("/cases")  # warm the token's user
    with django_assert_num_queries(5):  # token, user's groups (allowed), count, page, token touch
        cs_api.get("/cases", page_size=5)
