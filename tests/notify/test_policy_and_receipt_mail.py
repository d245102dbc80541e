"""Mails of the policy texts and unannounced receipts over a real SMTP server on loopback: the
dealer is asked for the form, quotes and refusals link the policy version they rest on."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from shouhou.notify.sender import outbox_send_run
from shouhou.rma.services import line_apply
from tests.notify.conftest import TZ, approve

pytestmark = pytest.mark.django_db


def _plain(received) -> str:
    return received.message.get_body(("plain",)).get_content()


def test_an_unannounced_parcel_mails_its_dealer_for_the_form(mail_to, make_unit, service_center, settings):
    from shouhou.rma.services_receipts import receipt_log

    settings.BASE_URL = "https://shouhou.example.cn"
    make_unit("SN-MAIL-0100")
    receipt_log(actor=service_center, serial="SN-MAIL-0100", carrier="顺丰速运", tracking="SF8800",
                condition="外箱破损", at=datetime(2025, 9, 29, 16, tzinfo=TZ))
    assert outbox_send_run(now=timezone.now()).sent == 1
    [got] = mail_to.received
    assert got.rcpt == ["a@dealer-a.cn"]
    assert got.message["Subject"] == "请补交售后服务单：未预约到货 SN-MAIL-0100"
    text = _plain(got)
    assert "2025-09-29 16:00" in text and "顺丰速运 SF8800" in text and "外箱破损" in text
    assert "https://shouhou.example.cn/portal/orders/new/?serial=SN-MAIL-0100" in text
    assert "https://shouhou.example.cn/policy/" in text


def test_a_rejection_mail_links_the_policy_in_force(mail_to, submitted_line, service_center, settings):
    settings.BASE_URL = "https://shouhou.example.cn"
    line_apply(line=submitted_line, event="reject", actor=service_center, version=submitted_line.version,
               at=datetime(2025, 9, 26, 15, tzinfo=TZ), fields={"reason": "序列号与型号不符"})
    outbox_send_run(now=timezone.now())
    [got] = mail_to.received
    assert "《售后服务政策》（第 1 版）：https://shouhou.example.cn/policy/?v=1" in _plain(got)


def test_a_quote_mail_links_the_policy_version_it_was_made_under(mail_to, submitted_line, service_center, manager,
                                                                 settings):
    from shouhou.domain.policy import format_checklist
    from shouhou.rma.policy import checklist, policy_current
    from shouhou.rma.services_policy import policy_edit

    settings.BASE_URL = "https://shouhou.example.cn"
    line = approve(submitted_line, service_center)
    for event, at, fields in (("receive", datetime(2025, 9, 30, 10, tzinfo=TZ), {"condition": "完好"}),
                              ("inspect", datetime(2025, 10, 9, 10, tzinfo=TZ),
                               {"fault_confirmed": True, "damage": ["liquid"]}),
                              ("send_quote", datetime(2025, 10, 9, 15, tzinfo=TZ),
                               {"items": [{"text": "更换主板", "amount": "680.00"}], "options": ["paid_repair"]})):
        line = line_apply(line=line, event=event, actor=service_center, version=line.version, at=at, fields=fields)
    current = policy_current()
    # Edited after the quote was sent, before the mail goes out: the mail keeps the quote's version.
    policy_edit(actor=manager, texts={"service_policy": current.service_policy + "\n\n补充。",
                                      "replacement_terms": current.replacement_terms,
                                      "free_repair_scope": current.free_repair_scope},
                checklist=format_checklist(checklist(current)), note="补充")
    outbox_send_run(now=timezone.now())
    [quote_mail] = [r for r in mail_to.received if "维修报价" in r.message["Subject"]]
    assert "（政策第 1 版）：https://shouhou.example.cn/policy/?v=1" in _plain(quote_mail)
