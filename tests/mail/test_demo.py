"""The demo's inbound mail goes through the real ingestion path, after the RMA demo, once."""

from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_shows_each_kind_of_inbound_mail_once():
    from shouhou.core.bootstrap import ensure_admin, load_demo
    from shouhou.core.models import AuditEvent
    from shouhou.mail.models import InboundMessage

    out = io.StringIO()
    ensure_admin(out)
    load_demo(out)
    assert "demo inbound mail: 5" in out.getvalue()
    got = dict(InboundMessage.objects.values_list("message_id", "status"))
    assert got == {
        "<demo-1@demo.shouhou.invalid>": "case_opened",
        "<demo-2@demo.shouhou.invalid>": "ignored",
        "<bounce-1@demo.shouhou.invalid>": "bounce",
        "<demo-3@demo.shouhou.invalid>": "threaded",
        "<demo-4@demo.shouhou.invalid>": "unmatched",
    }
    case = InboundMessage.objects.get(message_id="<demo-1@demo.shouhou.invalid>").case
    assert case.subject == "服务器无法开机，请尽快处理" and "电源灯不亮" in case.description
    reply = InboundMessage.objects.get(message_id="<demo-3@demo.shouhou.invalid>")
    assert reply.text == "收到，我们明天把故障件寄出，单号稍后告知。"
    assert AuditEvent.objects.filter(object_type="rma.serviceorder", object_id=str(reply.order_id),
                                     verb="mail.reply_received").count() == 1
    again = io.StringIO()
    load_demo(again)
    assert "demo inbound mail" not in again.getvalue()
    assert InboundMessage.objects.count() == 5
