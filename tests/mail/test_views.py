"""The staff inbound log: filters, one message, and acting on an open one. Dealers never see it."""

from __future__ import annotations

import pytest

from shouhou.mail.commands import ingest_stdin
from shouhou.mail.models import InboundMessage
from tests.mail.conftest import eml

pytestmark = pytest.mark.django_db

SOME = ("01_gbk_subject_gb2312_body.eml", "03_utf8_plain.eml", "15_bounce.eml", "22_mailer_daemon.eml",
        "24_case_reply.eml", "18_xlsx_incomplete.eml", "20_references_only.eml")


@pytest.fixture
def taken(dealer_a, dealer_b, make_unit):
    make_unit("SN-MAIL-0001")
    for name in SOME:
        assert ingest_stdin(eml(name)) == 0
    return {m.message_id: m for m in InboundMessage.objects.all()}


def test_the_log_lists_every_message_with_what_it_became(client_for, service_center, taken,
                                                          django_assert_num_queries):
    client = client_for(service_center)
    client.get("/mail/inbound/")  # warm the session and user caches
    with django_assert_num_queries(5):  # session, user, roles (nav), count, page: nothing per row
        response = client.get("/mail/inbound/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("02_raw_gbk_header.eml", "17_xlsx_valid.eml", "26_known_dealer_no_form.eml",
                 "09_confirm_stranger.eml"):
        ingest_stdin(eml(name))
    with django_assert_num_queries(5):
        assert client.get("/mail/inbound/").content.decode().count('<tr data-status="') == len(SOME) + 4
    for subject in ("网吧服务器无法开机，急！", "咨询保修期", "Undelivered Mail Returned to Sender", "售后服务单"):
        assert subject in html
    assert html.count('<tr data-status="') == len(SOME)


def test_the_log_filters_by_status_and_text(client_for, service_center, taken):
    client = client_for(service_center)
    html = client.get("/mail/inbound/", {"status": "unmatched"}).content.decode()
    assert html.count('<tr data-status="unmatched"') == 2 and 'data-status="bounce"' not in html
    html = client.get("/mail/inbound/", {"q": "cafe-example"}).content.decode()
    assert html.count('<tr data-status="') == 2
    fragment = client.get("/mail/inbound/", {"status": "bounce"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and fragment.count('<tr data-status="bounce"') == 1
    # An unknown status is ignored, not an error.
    assert client.get("/mail/inbound/", {"status": "nonsense"}).status_code == 200


def test_the_detail_shows_the_missing_fields_of_a_refused_form(client_for, service_center, taken):
    message = taken["<form18@dealer-a.cn>"]
    html = client_for(service_center).get(f"/mail/inbound/{message.pk}/").content.decode()
    assert "第 2 行：序列号 SN-NOPE-9999 不存在" in html
    assert "请处理。" in html


def test_staff_put_an_unmatched_message_on_an_order(client_for, service_center, taken, quoted_order):
    from shouhou.core.models import AuditEvent

    order = quoted_order(["paid_repair"], serial="SN-QUOTE-0002")
    message = taken["<refs20@dealer-a.cn>"]
    client = client_for(service_center)
    bad = client.post(f"/mail/inbound/{message.pk}/act", {"action": "assign", "order": "RMA2099-000001"})
    assert bad.status_code == 422 and "不存在" in bad.content.decode()
    message.refresh_from_db()
    assert (message.status, message.order_id) == ("unmatched", None)
    ok = client.post(f"/mail/inbound/{message.pk}/act", {"action": "assign", "order": order.number.lower()})
    assert ok.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.reason, message.order_id, message.handled_by) == (
        "threaded", "by_staff", order.pk, service_center)
    assert AuditEvent.objects.filter(object_type="rma.serviceorder", object_id=str(order.pk),
                                     verb="mail.reply_received", actor=service_center).count() == 1
    again = client.post(f"/mail/inbound/{message.pk}/act", {"action": "assign", "order": order.number})
    assert again.status_code == 422


def test_staff_close_an_open_message_only_with_a_note(client_for, service_center, taken):
    message = taken["<case24@cafe.cn>"]
    client = client_for(service_center)
    assert client.post(f"/mail/inbound/{message.pk}/act", {"action": "handled", "note": "  "}).status_code == 422
    assert client.post(f"/mail/inbound/{message.pk}/act", {"action": "nonsense"}).status_code == 400
    done = client.post(f"/mail/inbound/{message.pk}/act", {"action": "handled", "note": "已电话联系"})
    assert done.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.detail["note"]) == ("handled", "已电话联系")
    bounce = taken["<bounce15@mx.shouhou.example.cn>"]
    assert client.post(f"/mail/inbound/{bounce.pk}/act", {"action": "handled", "note": "x"}).status_code == 422


@pytest.mark.parametrize("sender", ["<form18@dealer-a.cn>", "<gbk01@mail.cafe-example.cn>"])
def test_dealers_get_404_for_any_message_their_own_dealers_included(client_for, alice, bob, taken, sender):
    message = taken[sender]
    for user in (alice, bob):
        client = client_for(user)
        assert client.get(f"/mail/inbound/{message.pk}/").status_code == 404
        assert client.post(f"/mail/inbound/{message.pk}/act", {"action": "handled", "note": "x"}).status_code == 404
    message.refresh_from_db()
    assert message.status != "handled"


def test_a_missing_message_is_404_for_staff(client_for, service_center, db):
    assert client_for(service_center).get("/mail/inbound/999999/").status_code == 404


def test_the_dashboard_counts_what_waits_for_staff_and_nothing_for_dealers(client_for, service_center, alice, taken):
    html = client_for(service_center).get("/").content.decode()
    assert 'data-stat="mail-unmatched">2<' in html
    assert 'data-stat="mail-form_refused">1<' in html
    assert f'data-stat="mail-today">{len(SOME)}<' in html
    assert 'data-panel="mail"' not in client_for(alice).get("/").content.decode()


def test_a_case_opened_by_mail_links_both_ways(client_for, service_center, taken):
    message = taken["<gbk01@mail.cafe-example.cn>"]
    client = client_for(service_center)
    assert f'href="/cases/{message.case_id}/"' in client.get("/mail/inbound/").content.decode()
    assert f'href="/cases/{message.case_id}/"' in client.get(f"/mail/inbound/{message.pk}/").content.decode()
    case_page = client.get(f"/cases/{message.case_id}/").content.decode()
    assert "由邮件创建" in case_page and "网吧服务器无法开机，急！" in case_page
