"""扫码报修 and the public case status: plain form POSTs as WeChat's browser sends them (no
JavaScript), on the real database; every refusal leaves nothing behind."""

from __future__ import annotations

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shouhou.cases import challenge, services
from shouhou.cases.models import Case, CaseAttachment
from shouhou.cases.views_public import PUBLIC_TIMELINE_VERBS
from shouhou.core.models import AuditEvent
from shouhou.registry import throttle
from tests.cases.conftest import at

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    settings.PUBLIC_RATE = "off"
    throttle.reset()
    yield
    throttle.reset()


def waited_token(serial: str, seconds: float = 10) -> str:
    """A token issued SECONDS ago, as for a person who took that long to fill the form."""
    return challenge.issue(serial, now=time.time() - seconds)


def report(client, serial="SNA0001", *, token=None, photos=(), remote="127.0.0.1", **fields):
    data = {"name": "王老板", "phone": "0771-5561234", "description": "无盘客户机启动蓝屏\n开机后十秒出现",
            "token": waited_token(serial) if token is None else token, **fields}
    if photos:
        data["photos"] = list(photos)
    return client.post(f"/report/{serial}", data, REMOTE_ADDR=remote)


def nothing_stored() -> bool:
    return (Case.objects.count(), CaseAttachment.objects.count(),
            AuditEvent.objects.filter(object_type="cases.case").count()) == (0, 0, 0)


def test_unit_page_has_the_report_form_without_javascript(client, unit_a):
    page = client.get("/u/SNA0001").content.decode()
    form = re.search(r'<form method="post" action="/report/SNA0001" enctype="multipart/form-data".*?</form>',
                     page, re.S)
    assert form, "the unit page has a plain POST form"
    for name in ("name", "phone", "description", "photos", "token", challenge.HONEYPOT, "csrfmiddlewaretoken"):
        assert f'name="{name}"' in form[0]
    token = re.search(r'name="token" value="([^"]+)"', form[0])[1]
    challenge.check(token, "SNA0001", now=time.time() + challenge.MIN_FILL_SECONDS)  # a valid token


def test_a_report_opens_a_web_case_for_the_units_dealer_and_shows_number_and_pickup(client, unit_a, dealer_a):
    response = report(client, phone="0771 556 1234", photos=[
        SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
        SimpleUploadedFile("屏幕.jpg", JPEG, content_type="image/jpeg")])
    assert response.status_code == 200
    case = Case.objects.get()
    assert (case.channel, case.case_type, case.unit, case.dealer, case.status) == ("web", "fault", unit_a,
                                                                                    dealer_a, "new")
    assert (case.reporter_name, case.reporter_phone, case.subject) == ("王老板", "0771 556 1234", "无盘客户机启动蓝屏")
    assert sorted(a.content_type for a in case.attachments.all()) == ["image/jpeg", "image/png"]
    assert {a.kind for a in case.attachments.all()} == {"photo"}
    body = response.content.decode()
    assert f"data-case-number>{case.number}<" in body
    local = case.pickup_at.astimezone(at("2026-01-01 00:00").tzinfo).strftime("%Y-%m-%d %H:%M")
    assert f"data-pickup-at>{local}<" in body
    assert 'href="/cases/status/"' in body


def test_out_of_hours_report_says_when_it_will_be_picked_up(unit_a):
    # Saturday 2026-03-07 22:00 is after closing; Monday 03-09 opens at 10:15 (Sunday is a rest day).
    case = services.case_report(unit=unit_a, name="", phone="13800138000", description="RAID 降级",
                                now=at("2026-03-07 22:00"))
    assert case.pickup_at == at("2026-03-09 10:15")
    from shouhou.cases.views_public import pickup_context

    context = pickup_context(case)
    assert context["out_of_hours"] and context["pickup_at"] == at("2026-03-09 10:15")
    inside = services.case_report(unit=unit_a, name="", phone="13800138000", description="网卡掉线",
                                  now=at("2026-03-09 11:00"))
    assert not pickup_context(inside)["out_of_hours"]


@pytest.mark.parametrize("case", ["too fast", "honeypot", "forged", "other unit", "expired", "missing"])
def test_the_bot_challenge_refuses_and_stores_nothing(client, unit_a, unit_b, case):
    token = {"too fast": challenge.issue("SNA0001"), "forged": waited_token("SNA0001")[:-3] + "xyz",
             "other unit": waited_token("SNB0001"), "expired": waited_token("SNA0001", 3 * 60 * 60),
             "missing": ""}.get(case, waited_token("SNA0001"))
    extra = {challenge.HONEYPOT: "http://spam.example"} if case == "honeypot" else {}
    response = report(client, token=token, **extra)
    assert response.status_code == 422
    assert "表单已过期或提交过快" in response.content.decode()
    assert nothing_stored()


def test_a_token_opens_one_case_only(client, unit_a):
    token = waited_token("SNA0001")
    assert report(client, token=token).status_code == 200
    again = report(client, token=token)
    assert again.status_code == 422 and Case.objects.count() == 1


@pytest.mark.parametrize(("fields", "photos", "field", "message"), [
    ({"phone": ""}, (), "phone", "请填写联系电话"),
    ({"phone": "abc"}, (), "phone", "无效"),
    ({"description": "  "}, (), "description", "请描述故障现象"),
    ({}, [("fake.png", b"MZ\x90\x00 not an image")], "photos", "附件须为"),
    ({}, [("报告.pdf", b"%PDF-1.4 x")], "photos", "照片须为"),
    ({}, [("empty.png", b"")], "photos", "空文件"),
    ({}, [("huge.png", PNG + b"0" * services.MAX_ATTACHMENT_BYTES)], "photos", "10 MB"),
    ({}, [(f"{i}.png", PNG) for i in range(4)], "photos", "最多上传 3 张"),
])
def test_bad_input_is_refused_in_chinese_and_stores_nothing(client, unit_a, fields, photos, field, message):
    token = waited_token("SNA0001")
    uploads = [SimpleUploadedFile(name, content) for name, content in photos]
    response = report(client, token=token, photos=uploads, **fields)
    body = response.content.decode()
    assert response.status_code == 422
    assert f'data-error="{field}"' in body and message in body
    assert nothing_stored()
    # The form comes back with what was typed and the same token, so a fix goes through at once.
    assert f'value="{token}"' in body
    if "description" not in fields:
        assert "无盘客户机启动蓝屏" in body
    assert report(client, token=token).status_code == 200


def test_unknown_serial_is_the_public_not_found(client, unit_a):
    response = report(client, "NOSUCH1")
    assert response.status_code == 404 and nothing_stored()


def test_reports_are_rate_limited_per_address_and_store_nothing_over_the_limit(client, unit_a, settings):
    settings.PUBLIC_RATE = "2/m"
    throttle.reset()
    assert report(client).status_code == 200
    assert report(client).status_code == 200
    refused = report(client)
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert Case.objects.count() == 2
    other = report(client, remote="198.51.100.7")  # another address has its own budget
    assert other.status_code == 200


def test_reports_have_a_budget_of_their_own_beside_the_pages(client, unit_a, settings):
    settings.PUBLIC_RATE = "30/m"
    settings.CASE_REPORT_RATE = "2/h"
    throttle.reset()
    assert [report(client).status_code for _ in range(3)] == [200, 200, 429]
    assert Case.objects.count() == 2
    assert client.get("/u/SNA0001").status_code == 200  # the pages stay open
    assert report(client, remote="198.51.100.7").status_code == 200


# --- the public case status ---------------------------------------------------------------------------

def _shape(response) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]*"|nonce="[^"]*"', "", body)


def test_status_by_number_and_phone_shows_targets_and_the_public_timeline_only(client, unit_a, cs, open_case):
    case = services.case_report(unit=unit_a, name="王老板", phone="0771-5561234", description="无盘客户机启动蓝屏")
    services.case_apply(case=case, event="accept", actor=cs, version=case.version)
    case.refresh_from_db()
    services.case_apply(case=case, event="note", actor=cs, version=case.version,
                        fields={"text": "内部：代理商态度差，注意"})
    page = client.get("/cases/status/")
    assert page.status_code == 200 and 'name="number"' in page.content.decode()
    response = client.post("/cases/status/", {"number": case.number.lower(), "phone": "(0771) 556-1234"})
    body = response.content.decode()
    assert response.status_code == 200 and 'data-result="found"' in body
    assert 'data-case-status="accepted"' in body and 'data-target="first"' in body
    assert 'data-target="resolution"' in body
    assert "创建案例" in body and "受理" in body
    assert "代理商态度差" not in body and "kefu" not in body
    verbs = set(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("verb", flat=True))
    assert "case.note" in verbs and "case.note" not in PUBLIC_TIMELINE_VERBS


def test_wrong_phone_answers_exactly_as_a_missing_case(client, unit_a):
    case = services.case_report(unit=unit_a, name="", phone="0771-5561234", description="蓝屏")
    wrong = client.post("/cases/status/", {"number": case.number, "phone": "13800138000"})
    missing = client.post("/cases/status/", {"number": "C2026-999999", "phone": "13800138000"})
    assert wrong.status_code == missing.status_code == 404
    assert _shape(wrong).replace(case.number, "") == _shape(missing).replace("C2026-999999", "")
    assert 'data-result="not-found"' in _shape(wrong)


def test_status_page_is_rate_limited(client, settings):
    settings.PUBLIC_RATE = "2/m"
    throttle.reset()
    for _ in range(2):
        assert client.post("/cases/status/", {"number": "C2026-000001", "phone": "13800138000"}).status_code == 404
    assert client.post("/cases/status/", {"number": "C2026-000001", "phone": "13800138000"}).status_code == 429


def test_public_pages_link_the_status_page(client, unit_a):
    assert 'href="/cases/status/"' in client.get("/warranty/").content.decode()


def test_status_page_reads_a_fixed_number_of_queries_however_long_the_timeline(client, unit_a, cs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shouhou.workdays.selectors import calendar

    calendar()  # built once per process
    short = services.case_report(unit=unit_a, name="", phone="13800138000", description="蓝屏")
    long = services.case_report(unit=unit_a, name="", phone="13800138000", description="网卡掉线")
    for event in ("accept", "resolve", "reopen", "resolve", "close"):
        fields = ({"category": "remote_fix", "resolution": "已远程处理"} if event == "resolve"
                  else {"reason": "客户反馈未解决"} if event == "reopen" else {})
        long = services.case_apply(case=long, event=event, actor=cs, version=long.version, fields=fields)
    counts = []
    for case in (short, long):
        with CaptureQueriesContext(connection) as queries:
            assert client.post("/cases/status/", {"number": case.number, "phone": "13800138000"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
