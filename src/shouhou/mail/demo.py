"""Demo step: a few messages through the real ingestion path, so the inbound log shows each kind."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime
from typing import TextIO

from django.utils import timezone

DOMAIN = "demo.shouhou.invalid"


def _message(*, frm: str, subject: str, body: str, mid: str, charset: str = "utf-8",
             headers: dict[str, str] | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = frm, "service@localhost", subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = f"<{mid}@{DOMAIN}>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body, charset=charset)
    return msg.as_bytes()


def _bounce(address: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.localhost (Mail Delivery System)\r\nTo: service@localhost\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@{DOMAIN}>\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.localhost\r\n\r\n"
        f"Final-Recipient: rfc822; {address}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{address}>: User unknown\r\n--b--\r\n"
    ).encode()


def load_demo(out: TextIO) -> None:
    from shouhou.mail.models import InboundMessage
    from shouhou.mail.services import mail_ingest
    from shouhou.rma.models import ServiceOrder

    if InboundMessage.objects.filter(message_id__endswith=f"@{DOMAIN}>").exists():
        return
    order = (ServiceOrder.objects.select_related("dealer").filter(number__isnull=False).exclude(dealer__email="")
             .order_by("number").first())
    messages = [
        _message(frm="网吧老板 王先生 <wang@netcafe.invalid>", subject="服务器无法开机，请尽快处理", charset="gbk",
                 body="你好，我们网吧的无盘服务器今天早上开始无法开机，电源灯不亮。\n请问怎么处理？\n"
                      "王先生 138 0013 8000",
                 mid="demo-1"),
        _message(frm="postmaster@netcafe.invalid", subject="自动回复：您的来信已收到", mid="demo-2",
                 body="您好，我正在休假，12 月 5 日回来。", headers={"Auto-Submitted": "auto-replied"}),
        _bounce("old.contact@dealer.invalid"),
    ]
    if order is not None:
        messages.append(_message(
            frm=order.dealer.email, subject=f"回复：[{order.number}] 服务单进度", mid="demo-3",
            body="收到，我们明天把故障件寄出，单号稍后告知。\n\n------------------ 原始邮件 ------------------\n"
                 f"发件人: \"售后服务\"<service@localhost>;\n主题: [{order.number}] 服务单进度\n\n您好……"))
        messages.append(_message(frm=order.dealer.email, subject="请问返修地址", mid="demo-4",
                                 body="请问返修的设备寄到哪个地址？"))
    for raw in messages:
        mail_ingest(raw=raw)
    out.write(f"演示邮件 / demo inbound mail: {len(messages)}\n")
