"""Every crafted message of tests/mail/eml/ through the ingestion entry point of `shouhou mail ingest`
(`ingest_stdin`, what the command runs on standard input), asserting what it became and the exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from shouhou.mail.commands import ingest_stdin
from shouhou.mail.models import InboundMessage
from tests.mail.conftest import eml

pytestmark = pytest.mark.django_db


def ingest(name: str) -> tuple[int, InboundMessage | None]:
    code = ingest_stdin(eml(name))
    return code, InboundMessage.objects.order_by("-id").first()


@pytest.mark.parametrize(("name", "subject", "text"), [
    ("01_gbk_subject_gb2312_body.eml", "网吧服务器无法开机，急！", "镕铭路 88 号"),
    ("02_raw_gbk_header.eml", "硬盘报错咨询", "硬盘报错，请问怎么处理？"),
    ("03_utf8_plain.eml", "咨询保修期", "请问 SN-S200 的保修期是多久？\n谢谢"),
    ("04_html_only.eml", "风扇异响", "设备 SN-HTML-01 风扇异响。\n请安排检测。"),
    ("21_no_message_id.eml", "没有编号的邮件", "我们的服务器风扇坏了。"),
])
def test_an_unknown_sender_opens_a_case_in_the_triage_queue_decoded(dealer_a, service_center, name, subject, text):
    from shouhou.cases.selectors import case_search
    from shouhou.core.models import AuditEvent

    code, message = ingest(name)
    assert code == 0
    assert (message.status, message.reason, message.dealer) == ("case_opened", "unknown_sender", None)
    assert message.subject == subject
    assert text in message.text
    assert bytes(message.raw) == eml(name)
    assert message.reply_state == ""
    case = message.case
    assert (case.channel, case.case_type, case.status, case.subject, case.description) == (
        "email", "fault", "new", subject, message.text)
    assert case.reporter_email == message.from_address and case.number == message.case_number
    staff = type(case.created_by).objects.get(username="mail-intake")
    assert (case.created_by, staff.is_active, staff.is_vendor_staff) == (staff, False, True)
    assert list(case_search(service_center, queue="triage", now=case.opened_at)) == [case]
    assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk), verb="mail.case_opened").exists()


def test_a_message_without_message_id_is_still_taken_once(db):
    from shouhou.cases.models import Case

    assert ingest_stdin(eml("21_no_message_id.eml")) == 0
    assert ingest_stdin(eml("21_no_message_id.eml")) == 0
    message = InboundMessage.objects.get()
    assert message.message_id.endswith("@no-message-id.invalid>")
    assert Case.objects.count() == 1


def test_the_same_message_id_twice_is_taken_once(db):
    assert ingest_stdin(eml("03_utf8_plain.eml")) == 0
    assert ingest_stdin(eml("03_utf8_plain.eml")) == 0
    assert InboundMessage.objects.count() == 1


@pytest.mark.parametrize(("name", "text"), [
    ("05_qq_reply.eml", "收到，我们周一寄出。"),
    ("06_foxmail_reply.eml", "请问维修大概要几天？"),
    ("07_outlook_reply.eml", "Please call me about the price."),
])
def test_a_reply_threads_to_its_order_without_the_quoted_history(quoted_order, name, text):
    from shouhou.core.models import AuditEvent

    order = quoted_order(["paid_repair"])
    code, message = ingest(name)
    assert code == 0
    assert (message.status, message.reason, message.order_id) == ("threaded", "by_subject", order.pk)
    assert message.text == text
    event = AuditEvent.objects.get(object_type="rma.serviceorder", object_id=str(order.pk),
                                   verb="mail.reply_received")
    assert event.data["text"] == text and event.data["inbound"] == message.pk
    assert order.lines.get().state == "quoted"  # not a confirmation


def test_a_reply_by_references_only_threads_through_the_message_id_we_sent(quoted_order):
    from shouhou.notify.models import Message
    from shouhou.notify.services import emit

    order = quoted_order(["paid_repair"])
    event = emit("rma.quote", dealer=order.dealer, thread=order.number, data={"number": order.number})
    sent = Message.objects.filter(event=event, transport="email")
    assert sent.update(message_id="<quote-123.1@shouhou.example.cn>") == 1  # the id the fixture replies to
    code, message = ingest("20_references_only.eml")
    assert code == 0
    assert (message.status, message.reason, message.order_id) == ("threaded", "by_references", order.pk)
    assert message.text == "价格可以再优惠一点吗？"


def test_a_reply_by_references_we_never_sent_stays_unmatched(dealer_a):
    code, message = ingest("20_references_only.eml")
    assert (code, message.status, message.reason, message.dealer_id) == (0, "unmatched", "known_dealer", dealer_a.pk)


def _expected_due(line, days: int):
    """DAYS working days after the confirmation (DESIGN §6: paid repair 10, paid replacement 3)."""
    from shouhou.rma.policy import work_calendar

    return work_calendar().due(line.last_event_at, days)


def test_a_confirmation_from_the_registered_address_confirms_the_quote(quoted_order):
    from shouhou.rma.models import Quote

    order = quoted_order(["paid_repair"])
    code, message = ingest("08_confirm_registered.eml")
    assert code == 0
    assert (message.status, message.reason) == ("quote_confirmed", "confirmed")
    line = order.lines.get()
    assert (line.state, line.path) == ("repairing", "paid_repair")
    assert line.due_at == _expected_due(line, 10)
    quote = Quote.objects.get(line=line)
    assert (quote.status, quote.choice) == ("confirmed", "paid_repair")
    assert message.detail["lines"] == [{"line": line.pk, "choice": "paid_repair",
                                        "due": _expected_due(line, 10).isoformat()}]


def test_the_same_confirmation_from_another_address_only_goes_on_the_staff_timeline(quoted_order, alice,
                                                                                     client_for, service_center):
    from shouhou.core.models import AuditEvent
    from shouhou.core.scoping import scoped

    order = quoted_order(["paid_repair"])
    code, message = ingest("09_confirm_stranger.eml")
    assert code == 0
    assert (message.status, message.reason) == ("threaded", "confirmation_from_unregistered_address")
    line = order.lines.get()
    assert (line.state, line.due_at) == ("quoted", None)
    mails = AuditEvent.objects.filter(object_type="rma.serviceorder", object_id=str(order.pk),
                                      verb="mail.reply_received")
    assert mails.count() == 1 and not scoped(alice, mails).exists()
    staff_page = client_for(service_center).get(f"/rma/orders/{order.pk}/").content.decode()
    assert "someone@stranger.cn" in staff_page and "确认有偿维修，谢谢！" in staff_page and "收到邮件" in staff_page


def test_a_reply_from_the_dealers_address_is_on_the_dealers_timeline_too(quoted_order, alice):
    from shouhou.core.models import AuditEvent
    from shouhou.core.scoping import scoped

    order = quoted_order(["paid_repair"])
    assert ingest("05_qq_reply.eml")[0] == 0
    assert scoped(alice, AuditEvent).filter(object_id=str(order.pk), verb="mail.reply_received").count() == 1


def test_a_users_confirmation_naming_one_of_two_options_chooses_it(quoted_order, li):
    order = quoted_order(["paid_replacement", "paid_repair"])
    code, message = ingest("10_confirm_option.eml")
    assert (code, message.status) == (0, "quote_confirmed")
    line = order.lines.get()
    assert (line.state, line.path) == ("replacing", "paid_replacement")
    assert line.due_at == _expected_due(line, 3)
    from shouhou.rma.models import Quote

    assert Quote.objects.get(line=line).answered_by == li


def test_a_confirmation_without_the_option_when_two_are_offered_does_not_confirm(quoted_order):
    order = quoted_order(["paid_replacement", "paid_repair"])
    code, message = ingest("11_confirm_without_option.eml")
    assert (code, message.status, message.reason) == (0, "threaded", "option_missing")
    assert order.lines.get().state == "quoted"


def test_an_html_only_english_confirmation_confirms(quoted_order):
    order = quoted_order(["paid_replacement", "paid_repair"])
    code, message = ingest("12_confirm_html.eml")
    assert (code, message.status) == (0, "quote_confirmed")
    assert order.lines.get().path == "paid_repair"


def test_an_auto_reply_that_says_confirm_never_confirms_and_is_never_answered(quoted_order):
    order = quoted_order(["paid_repair"])
    code, message = ingest("13_auto_reply.eml")
    assert (code, message.status, message.reason, message.auto) == (0, "threaded", "auto_submitted", True)
    assert order.lines.get().state == "quoted"


@pytest.mark.parametrize(("name", "reason"), [
    ("14_precedence_bulk.eml", "precedence"),
    ("22_mailer_daemon.eml", "robot_sender"),
    ("23_own_message.eml", "own_message"),
])
def test_automatic_mail_is_ignored_and_never_answered(dealer_a, name, reason):
    code, message = ingest(name)
    assert (code, message.status, message.reason, message.auto, message.reply_state) == (
        0, "ignored", reason, True, "")


def test_our_own_message_with_an_order_number_does_not_thread(quoted_order):
    quoted_order(["paid_repair"])
    code, message = ingest("23_own_message.eml")
    assert (code, message.status, message.order_id) == (0, "ignored", None)


def test_a_bounce_marks_the_address_failing_in_the_outbox(db):
    from shouhou.notify.models import FailingAddress

    code, message = ingest("15_bounce.eml")
    assert (code, message.status, message.reason, message.auto) == (0, "bounce", "dsn_failed", True)
    failing = FailingAddress.objects.get()
    assert failing.address == "old.contact@dealer-b.cn"
    assert "User unknown" in failing.reason
    assert message.detail["failed"][0]["address"] == "old.contact@dealer-b.cn"


def test_an_oversized_message_is_refused_with_a_log_entry_and_no_body(dealer_a, caplog):
    code, message = ingest("16_oversized.eml")
    assert code == 65
    assert (message.status, message.reason, message.raw, message.size) == (
        "refused", "too_large", None, len(eml("16_oversized.eml")))
    assert message.subject == "现场照片"
    assert "refused" in caplog.text and "big16@dealer-a.cn" in caplog.text


def test_an_unusable_message_stores_nothing(db):
    assert ingest_stdin(eml("25_unusable.eml")) == 65
    assert ingest_stdin(b"") == 65
    assert InboundMessage.objects.count() == 0


def test_a_known_dealers_valid_form_creates_a_draft_order(make_unit, li, dealer_a):
    make_unit("SN-MAIL-0001")
    make_unit("SN-MAIL-0002")
    code, message = ingest("17_xlsx_valid.eml")
    assert (code, message.status, message.reason) == (0, "order_drafted", "form_valid")
    order = message.order
    assert (order.dealer, order.source, order.submitted_at, order.contact_name) == (dealer_a, "email", None, "李工")
    assert [(ln.serial, ln.fault, ln.state) for ln in order.lines.order_by("position")] == [
        ("SN-MAIL-0001", "无法开机，电源灯不亮", "draft"), ("SN-MAIL-0002", "内存报错", "draft")]
    assert message.attachments[0]["name"] == "售后服务单.xlsx" and message.attachments[0]["kind"] == "xlsx"


def test_an_incomplete_form_gets_a_reply_listing_exactly_what_is_missing(make_unit, dealer_a):
    from shouhou.rma.models import ServiceOrder

    make_unit("SN-MAIL-0001")
    from shouhou.notify.models import Event, Message

    code, message = ingest("18_xlsx_incomplete.eml")
    assert (code, message.status, message.reply_state) == (0, "form_refused", "queued")
    # The one service-form validator's messages (rma.xlsx_form → validate_service_form), rows as in the sheet.
    errors = [
        "缺少联系人",
        "第 2 行：序列号 SN-NOPE-9999 不存在或不属于本代理商",
        "第 3 行：缺少故障描述",
        "第 3 行：申请提前换货须填写理由",
    ]
    assert message.reply["errors"] == errors
    assert ServiceOrder.objects.count() == 0
    event = Event.objects.get(name="mail.reply")
    assert event.pk == message.reply["notify_event"]
    assert event.data == {"original_subject": "售后服务单", "items": errors, "in_reply_to": "<form18@dealer-a.cn>"}
    assert list(Message.objects.filter(event=event).values_list("transport", "address")) == [
        ("email", "a@dealer-a.cn")]
    # The same mail delivered again is neither stored nor answered twice.
    assert ingest_stdin(eml("18_xlsx_incomplete.eml")) == 0
    assert (InboundMessage.objects.count(), Event.objects.filter(name="mail.reply").count()) == (1, 1)


def test_an_xlsx_that_is_really_a_program_is_refused_by_content(dealer_a):
    from shouhou.rma.models import ServiceOrder

    code, message = ingest("19_xlsx_really_exe.eml")
    assert (code, message.status) == (0, "form_refused")
    assert message.reply["errors"] == ["附件 售后服务单.xlsx 不是 Excel（.xlsx）文件，请使用下载的模板。"]
    assert message.attachments[0]["kind"] == "exe" and message.attachments[0]["matches_name"] is False
    assert ServiceOrder.objects.count() == 0


def test_a_reply_with_an_unknown_case_number_waits_with_it(db):
    code, message = ingest("24_case_reply.eml")
    assert (code, message.status, message.reason, message.case_number) == (0, "unmatched", "unknown_case",
                                                                            "C2026-000456")
    assert message.text == "问题已经解决了，谢谢。"


def test_a_case_reply_lands_on_the_cases_timeline(db):
    from shouhou.cases.models import Case
    from shouhou.cases.services import Reporter, case_open
    from shouhou.core.models import AuditEvent
    from shouhou.mail.services import intake_user

    case = case_open(actor=intake_user(), channel="email", case_type="consultation", subject="咨询",
                     reporter=Reporter(email="wang@cafe-example.cn"))
    Case.objects.filter(pk=case.pk).update(number="C2026-000456")
    code, message = ingest("24_case_reply.eml")
    assert (code, message.status, message.reason, message.case_id) == (0, "threaded", "by_subject", case.pk)
    event = AuditEvent.objects.get(object_type="cases.case", object_id=str(case.pk), verb="mail.reply_received")
    assert event.data["text"] == "问题已经解决了，谢谢。"


def test_any_message_carrying_our_outbox_header_is_ours(db):
    raw = eml("03_utf8_plain.eml").replace(b"MIME-Version: 1.0", b"X-Shouhou-Event: rma.quote\r\nMIME-Version: 1.0")
    assert ingest_stdin(raw) == 0
    message = InboundMessage.objects.get()
    assert (message.status, message.reason, message.case) == ("ignored", "own_message", None)


def test_a_known_dealer_without_number_or_form_waits_for_staff(li, dealer_a):
    code, message = ingest("26_known_dealer_no_form.eml")
    assert (code, message.status, message.reason, message.dealer) == (0, "unmatched", "known_dealer", dealer_a)


def test_every_fixture_is_covered(db):
    from tests.mail.conftest import EML

    names = {p.name for p in EML.glob("*.eml")}
    assert len(names) >= 20
    source = Path(__file__).read_text(encoding="utf-8")
    assert all(name in source for name in names), names - {n for n in names if n in source}




def test_nul_bytes_in_headers_and_body_do_not_stop_the_message(db):
    raw = (b"From: wang@cafe-example.cn\r\nSubject: \xe7\xbd\x91\x00\xe5\x90\xa7\r\nMessage-ID: <nul@x.cn>\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\n\xe4\xbd\xa0\x00\xe5\xa5\xbd\r\n")
    assert ingest_stdin(raw) == 0
    message = InboundMessage.objects.get()
    assert (message.subject, message.text) == ("网吧", "你好")
