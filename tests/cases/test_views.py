"""Case pages: list filters, the case page and its forms, the hotline screen, the portal."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shouhou.cases import services
from shouhou.cases.models import Case, CaseAttachment, TriageCheck

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def cs_client(cs, client_for):
    return client_for(cs)


def test_intake_prefills_the_phone_and_opens_an_accepted_case(cs_client, cs, unit_a):
    page = cs_client.get("/intake", {"phone": "0771-5561234"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="0771-5561234"' in html and "autofocus" in html
    r = cs_client.post("/intake", {"phone": "0771-5561234", "name": "王老板", "serial": "SNA0001",
                                   "channel": "hotline", "case_type": "fault", "subject": "无盘客户机启动蓝屏",
                                   "description": "80 台蓝屏"})
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.pk}/"
    assert (case.owner, case.first_responder, case.status, case.dealer.code) == (cs, cs, "accepted", "GX-A01")


def test_intake_with_bad_input_shows_the_problem_and_stores_nothing(cs_client):
    r = cs_client.post("/intake", {"phone": "", "serial": "NOPE", "channel": "hotline", "case_type": "fault",
                                   "subject": "蓝屏"})
    assert r.status_code == 422 and "请至少填写报告人的电话" in r.content.decode()
    r = cs_client.post("/intake", {"phone": "13800138000", "serial": "NOPE", "channel": "hotline",
                                   "case_type": "fault", "subject": "蓝屏"})
    assert r.status_code == 422 and "序列号 NOPE 不存在" in r.content.decode()
    assert not Case.objects.exists()


def test_case_page_shows_header_targets_and_actions(cs_client, open_case, unit_a):
    case = open_case(serial="SNA0001")
    html = cs_client.get(f"/cases/{case.pk}/").content.decode()
    assert case.number in html and "南宁甲电脑" in html and 'data-event="accept"' in html
    assert 'data-target="first"' in html and "due" in html


def test_events_through_the_page(cs_client, cs, cs2, open_case):
    case = open_case()
    assert cs_client.post(f"/cases/{case.pk}/accept/", {"accept-version": 1}).status_code == 302
    r = cs_client.post(f"/cases/{case.pk}/hand_over/", {"hand_over-version": 2, "hand_over-to": cs2.pk,
                                                        "hand_over-note": ""})
    assert r.status_code == 422
    r = cs_client.post(f"/cases/{case.pk}/close/", {"close-version": 2})
    assert r.status_code == 409 and "不能执行" in r.content.decode()
    r = cs_client.post(f"/cases/{case.pk}/log_call/", {"log_call-version": 1, "log_call-minutes": 3})
    assert r.status_code == 409  # stale
    r = cs_client.post(f"/cases/{case.pk}/log_call/", {"log_call-version": 2, "log_call-minutes": 3,
                                                       "log_call-text": "来电"})
    assert r.status_code == 302
    assert cs_client.post(f"/cases/{case.pk}/resolve/", {"resolve-version": 3, "resolve-category": "resolved_by_faq",
                                                         "resolve-resolution": "按 FAQ 处理"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.version) == ("resolved", 4)
    html = cs_client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-verb="case.log_call"' in html and "3 分钟" in html


def test_triage_attachments_and_complaint_from_the_page(cs_client, open_case, unit_a):
    case = open_case(serial="SNA0001")
    r = cs_client.post(f"/cases/{case.pk}/triage/", {"memory": "fault", "memory_note": "内存报错", "cpu": "ok"})
    assert r.status_code == 302
    assert dict(TriageCheck.objects.values_list("item", "result")) == {"memory": "fault", "cpu": "ok"}
    bad = SimpleUploadedFile("x.png", b"not a png", content_type="image/png")
    assert cs_client.post(f"/cases/{case.pk}/attachments/", {"kind": "topology", "file": bad}).status_code == 422
    assert not CaseAttachment.objects.exists()
    good = SimpleUploadedFile("topo.png", PNG, content_type="image/png")
    assert cs_client.post(f"/cases/{case.pk}/attachments/", {"kind": "topology", "file": good}).status_code == 302
    attachment = CaseAttachment.objects.get()
    assert cs_client.get(f"/cases/{case.pk}/attachments/{attachment.pk}").status_code == 200
    r = cs_client.post(f"/cases/{case.pk}/complaint/", {"subject": "代理商不上门"})
    complaint = Case.objects.get(case_type="complaint")
    assert r["Location"] == f"/cases/{complaint.pk}/" and complaint.related_case == case


def test_list_filters_and_query_count(cs_client, cs, open_case, unit_a, django_assert_num_queries):
    for i in range(6):
        open_case(subject=f"问题 {i}", channel="qq" if i % 2 else "hotline", serial="SNA0001" if i < 2 else "")
    services.case_apply(case=Case.objects.get(subject="问题 0"), event="accept", actor=cs, version=1)
    html = cs_client.get("/cases/", {"channel": "qq"}).content.decode()
    assert len(re.findall(r'href="/cases/\d+/"', html)) == 3
    assert cs_client.get("/cases/", {"q": "SNA0001"}).content.decode().count("问题 ") == 2
    assert "问题 0" in cs_client.get("/cases/mine/").content.decode()
    assert "问题 1" not in cs_client.get("/cases/mine/").content.decode()
    assert cs_client.get("/cases/triage/").status_code == 200
    cs_client.get("/cases/")
    with django_assert_num_queries(8):  # session, user, groups (nav), count, page, owners, teams, messages
        cs_client.get("/cases/")
    for i in range(4):
        services.case_apply(case=open_case(subject=f"更多 {i}"), event="accept", actor=cs, version=1)
    with django_assert_num_queries(8):  # the same with more rows and owners: no query per row
        cs_client.get("/cases/")


def test_dealer_pages_are_404_for_staff_urls_and_scoped_in_the_portal(client_for, alice, bob, open_case, cs,
                                                                      unit_a):
    case = open_case(serial="SNA0001")
    complaint = services.complaint_open(case=case, actor=cs, subject="投诉", description="")
    a, b = client_for(alice), client_for(bob)
    for url in ("/cases/", "/intake", f"/cases/{case.pk}/"):
        assert a.get(url).status_code == 404
    assert a.get(f"/portal/cases/{case.pk}/").status_code == 200
    assert a.get(f"/portal/cases/{complaint.pk}/").status_code == 404
    assert "投诉" not in a.get("/portal/cases/", {"status": "all"}).content.decode()
    assert b.get(f"/portal/cases/{case.pk}/").status_code == 404
    assert b.post(f"/portal/cases/{case.pk}/note/", {"note-version": 1, "note-text": "x"}).status_code == 404


def test_dealer_answers_a_forwarded_case_in_the_portal(client_for, alice, open_case, cs, unit_a):
    case = open_case(serial="SNA0001")
    services.case_apply(case=case, event="note", actor=cs, version=1, fields={"text": "内部：该代理商响应慢"})
    services.case_apply(case=case, event="forward_to_dealer", actor=cs, version=2, fields={"note": "请上门"})
    a = client_for(alice)
    html = a.get(f"/portal/cases/{case.pk}/").content.decode()
    assert 'data-event="resolve"' in html and 'data-event="note"' in html
    assert "请上门" in html and "内部" not in html  # staff's own notes stay internal
    assert a.post(f"/portal/cases/{case.pk}/note/", {"note-version": 3, "note-text": "明早上门"}).status_code == 302
    assert "明早上门" in a.get(f"/portal/cases/{case.pk}/").content.decode()
    r = a.post(f"/portal/cases/{case.pk}/resolve/", {"resolve-version": 4, "resolve-category": "dealer_handled",
                                                    "resolve-resolution": "已上门更换硬盘"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.resolution_category) == ("resolved", "dealer_handled")


def test_without_a_serial_the_case_shows_the_dealers_serving_the_region(cs_client, open_case, dealer_a, dealer_b):
    from shouhou.registry.models import DealerRegion

    DealerRegion.objects.create(dealer=dealer_a, region_code="450000")  # Guangxi
    DealerRegion.objects.create(dealer=dealer_b, region_code="440100")  # Guangzhou
    case = open_case(region="450100")  # Nanning, no serial
    html = cs_client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-dealer="GX-A01"' in html and 'data-dealer="GD-B02"' not in html
    assert "data-service-form" not in html  # no unit: no service form from this case yet


def test_only_the_owner_or_a_manager_gets_the_hand_over_form(client_for, cs, cs2, manager, open_case):
    case = services.case_apply(case=open_case(), event="accept", actor=cs, version=1)
    assert 'data-event="hand_over"' in client_for(cs).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-event="hand_over"' in client_for(manager).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-event="hand_over"' not in client_for(cs2).get(f"/cases/{case.pk}/").content.decode()
