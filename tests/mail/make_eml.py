"""Writes the crafted .eml fixtures of tests/mail/eml/ (run it again after changing one):

    .venv/bin/python tests/mail/make_eml.py

Each message is built byte by byte the way the mailer it imitates sends it (QQ Mail, Foxmail,
Outlook, an MTA's bounce…); GBK text is real GBK bytes. The tests read the files, not this script.
"""

from __future__ import annotations

import base64
import io
import quopri
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent / "eml"
ORDER = "RMA2026-000123"
DEALER = "a@dealer-a.cn"  # dealer A's registered address in tests/conftest.py
USER = "li@dealer-a.cn"  # the address of a user of dealer A (created by the tests)


def b64(text: str, charset: str) -> str:
    codec = "gb18030" if charset.lower() in ("gbk", "gb2312", "gb18030") else charset
    return f"=?{charset}?B?{base64.b64encode(text.encode(codec)).decode()}?="


def headers(*, frm: str, subject: str, mid: str | None, extra: str = "") -> bytes:
    lines = [f"From: {frm}", "To: service@shouhou.example.cn", f"Subject: {subject}",
             "Date: Mon, 30 Nov 2026 10:00:00 +0800", "MIME-Version: 1.0"]
    if mid:
        lines.append(f"Message-ID: <{mid}>")
    if extra:
        lines.extend(extra.strip().splitlines())
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def text_part(body: str, charset: str = "utf-8", cte: str = "base64") -> bytes:
    codec = "gb18030" if charset.lower() in ("gbk", "gb2312", "gb18030") else charset
    data = body.replace("\r\n", "\n").encode(codec)
    encoded = base64.encodebytes(data) if cte == "base64" else quopri.encodestring(data)
    return (f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
            .encode() + encoded.replace(b"\n", b"\r\n"))


def single(head: bytes, part: bytes) -> bytes:
    return head + part


def multipart(head: bytes, parts: list[bytes], subtype: str = "mixed", params: str = "") -> bytes:
    boundary = "----=_NextPart_5F3A_0001"
    out = head + f'Content-Type: multipart/{subtype}; boundary="{boundary}"{params}\r\n\r\n'.encode()
    out += b"This is a multi-part message in MIME format.\r\n\r\n"
    for part in parts:
        out += f"--{boundary}\r\n".encode() + part + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def attachment(name: str, data: bytes, ctype: str) -> bytes:
    return (f'Content-Type: {ctype}; name="{b64(name, "UTF-8")}"\r\nContent-Transfer-Encoding: base64\r\n'
            f'Content-Disposition: attachment; filename="{b64(name, "UTF-8")}"\r\n\r\n').encode() + \
        base64.encodebytes(data).replace(b"\n", b"\r\n")


def form_xlsx(rows: list[tuple[str, str, str, str]], *, contact: bool = True) -> bytes:
    wb = Workbook()
    wb.active.title = "填写说明"
    ws = wb.create_sheet("售后服务单")
    ws.append(["序列号", "故障描述", "申请提前换货", "提前换货理由"])
    for row in rows:
        ws.append(list(row))
    info = wb.create_sheet("联系信息")
    values = [("代理商代码", "GX-A01"), ("代理商名称", "南宁甲电脑"), ("联系人", "李工" if contact else ""),
              ("联系电话", "13800000000"), ("联系邮箱", USER), ("回寄地址", "广西南宁市青秀区民族大道 1 号")]
    for pair in values:
        info.append(list(pair))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


QQ_HISTORY = """

------------------ 原始邮件 ------------------
发件人: "售后服务"<service@shouhou.example.cn>;
发送时间: 2026年11月28日(星期六) 上午10:00
收件人: "南宁甲电脑"<a@dealer-a.cn>;
主题: [RMA2026-000123] 报价单

您好，报价如下：更换主板 680 元。请直接回复本邮件确认。
"""

FOXMAIL_HISTORY = """

\xa0
------------------ Original ------------------
From:  "售后服务"<service@shouhou.example.cn>;
Date:  Sat, Nov 28, 2026 10:00 AM
To:  "a"<a@dealer-a.cn>;
Subject:  [RMA2026-000123] 报价单

确认后请回复“确认”。
"""

OUTLOOK_HISTORY = """

-----Original Message-----
From: 售后服务 <service@shouhou.example.cn>
Sent: Saturday, November 28, 2026 10:00 AM
To: a@dealer-a.cn
Subject: [RMA2026-000123] 报价单

同意请回复。
"""

OUTLOOK_CN_HISTORY = """

________________________________
发件人: 售后服务 <service@shouhou.example.cn>
发送时间: 2026年11月28日 10:00
收件人: a@dealer-a.cn
主题: [RMA2026-000123] 报价单

> 请确认报价。
"""

GMAIL_HISTORY = """

在 2026年11月28日周六 10:00，售后服务 <service@shouhou.example.cn> 写道：
> 报价如下：更换主板 680 元。
> 请直接回复确认。
"""


def build() -> dict[str, bytes]:
    m: dict[str, bytes] = {}
    # 01: RFC 2047 GBK subject, GB2312-labelled body with GBK-only characters (the usual mislabel).
    m["01_gbk_subject_gb2312_body.eml"] = single(
        headers(frm=f'"{b64("王先生", "GBK")}" <wang@cafe-example.cn>', subject=b64("网吧服务器无法开机，急！", "GBK"),
                mid="gbk01@mail.cafe-example.cn"),
        text_part("你好，我们网吧的服务器昨天开始无法开机，序列号 SN-CAFE-0001。\r\n镕铭路 88 号，电话 0771-5550001。",
                  "gb2312", "base64"))
    # 02: the subject in raw 8-bit GBK bytes (no RFC 2047), body GB18030 quoted-printable.
    m["02_raw_gbk_header.eml"] = (
        b"From: =?GBK?B?1cXI/Q==?= <zhang@cafe-example.cn>\r\nTo: service@shouhou.example.cn\r\n"
        b"Subject: " + "硬盘报错咨询".encode("gbk") + b"\r\nMessage-ID: <rawgbk02@cafe-example.cn>\r\n"
        b"Date: Mon, 30 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
        + text_part("硬盘报错，请问怎么处理？", "GB18030", "quoted-printable"))
    # 03: UTF-8, quoted-printable, unknown sender.
    m["03_utf8_plain.eml"] = single(
        headers(frm="Chen Wei <chen@example.net>", subject=b64("咨询保修期", "UTF-8"), mid="utf8-03@example.net"),
        text_part("请问 SN-S200 的保修期是多久？\r\n谢谢", "utf-8", "quoted-printable"))
    # 04: HTML only (no text/plain part), base64 UTF-8.
    html = ("<html><head><style>p{color:red}</style></head><body><div>您好，</div><div>设备 <b>SN-HTML-01</b> "
            "风扇异响。<br>请安排检测。</div><p>&nbsp;</p></body></html>")
    m["04_html_only.eml"] = single(
        headers(frm="Liu <liu@example.org>", subject=b64("风扇异响", "UTF-8"), mid="html04@example.org"),
        b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(html.encode()).replace(b"\n", b"\r\n"))
    # 05: QQ Mail reply (GBK base64, multipart/alternative) threading by the number in the subject.
    qq_html = "<div>收到，我们周一寄出。</div><div><br></div><blockquote>报价如下：更换主板 680 元。</blockquote>"
    m["05_qq_reply.eml"] = multipart(
        headers(frm=f'"{b64("南宁甲电脑", "GBK")}" <{DEALER}>', subject=b64(f"回复：[{ORDER}] 报价单", "GBK"),
                mid="tencent_05@qq.com", extra="X-Mailer: QQMail 2.x"),
        [text_part("收到，我们周一寄出。" + QQ_HISTORY, "gb18030"),
         b"Content-Type: text/html; charset=gb18030\r\nContent-Transfer-Encoding: base64\r\n\r\n"
         + base64.encodebytes(qq_html.encode("gb18030")).replace(b"\n", b"\r\n")], "alternative")
    # 06: Foxmail reply, GBK quoted-printable.
    m["06_foxmail_reply.eml"] = single(
        headers(frm=f"{DEALER}", subject=b64(f"Re: [{ORDER}] 报价单", "GBK"), mid="foxmail06@dealer-a.cn",
                extra="X-Mailer: Foxmail 7.2.25.228[cn]"),
        text_part("请问维修大概要几天？" + FOXMAIL_HISTORY, "GBK", "quoted-printable"))
    # 07: Outlook reply (English separator), UTF-8.
    m["07_outlook_reply.eml"] = single(
        headers(frm=f"Li Gong <{DEALER}>", subject=f"RE: [{ORDER}] quote", mid="outlook07@dealer-a.cn",
                extra="X-Mailer: Microsoft Outlook 16.0"),
        text_part("Please call me about the price." + OUTLOOK_HISTORY, "utf-8"))
    # 08: a confirmation from the dealer's registered address, naming the option (one offered).
    m["08_confirm_registered.eml"] = single(
        headers(frm=f"{DEALER}", subject=b64(f"回复：[{ORDER}] 报价单", "GBK"), mid="confirm08@dealer-a.cn"),
        text_part("确认有偿维修，谢谢！" + QQ_HISTORY, "GBK"))
    # 09: the same reply from an address nobody registered.
    m["09_confirm_stranger.eml"] = single(
        headers(frm="someone@stranger.cn", subject=b64(f"回复：[{ORDER}] 报价单", "GBK"), mid="confirm09@stranger.cn"),
        text_part("确认有偿维修，谢谢！" + QQ_HISTORY, "GBK"))
    # 10: two options offered, the reply names one (Outlook, Chinese headers block).
    m["10_confirm_option.eml"] = single(
        headers(frm=f"Li <{USER}>", subject=b64(f"答复: [{ORDER}] 报价单", "utf-8"),
                mid="confirm10@dealer-a.cn"),
        text_part("同意 收费换货\r\n李工" + OUTLOOK_CN_HISTORY, "utf-8"))
    # 11: two options offered, the reply names none.
    m["11_confirm_without_option.eml"] = single(
        headers(frm=f"{DEALER}", subject=f"Re: [{ORDER}]", mid="confirm11@dealer-a.cn"),
        text_part("确认" + GMAIL_HISTORY, "utf-8"))
    # 12: an HTML-only English confirmation (QQ web mail), quote in a blockquote.
    html12 = ("<div>Confirm paid_repair please</div><div><br></div><div>------------------ 原始邮件 ------------------"
              "</div><blockquote>报价如下</blockquote>")
    m["12_confirm_html.eml"] = single(
        headers(frm=f"{DEALER}", subject=f"Re: [{ORDER}] quote", mid="confirm12@dealer-a.cn"),
        b"Content-Type: text/html; charset=GB2312\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(html12.encode("gb18030")).replace(b"\n", b"\r\n"))
    # 13: an out-of-office auto reply (Auto-Submitted) that even says 确认: never acts, never answered.
    m["13_auto_reply.eml"] = single(
        headers(frm=f"{DEALER}", subject=b64(f"自动回复: [{ORDER}] 报价单", "GBK"), mid="auto13@dealer-a.cn",
                extra="Auto-Submitted: auto-replied\r\nX-Autoreply: yes"),
        text_part("确认收到您的邮件，我正在休假，12月5日回来。", "GBK"))
    # 14: a newsletter (Precedence: bulk) from a dealer's address.
    m["14_precedence_bulk.eml"] = single(
        headers(frm=f"{DEALER}", subject=b64("本周特价", "UTF-8"), mid="bulk14@dealer-a.cn",
                extra="Precedence: bulk\r\nList-Unsubscribe: <mailto:unsub@dealer-a.cn>"),
        text_part("本周特价：路由器 99 元。", "utf-8"))
    # 15: a bounce (DSN, multipart/report) for a dealer contact.
    dsn = (b"Reporting-MTA: dns; mx.shouhou.example.cn\r\nArrival-Date: Mon, 30 Nov 2026 10:00:00 +0800\r\n\r\n"
           b"Final-Recipient: rfc822; Old.Contact@dealer-b.cn\r\nOriginal-Recipient: rfc822;old.contact@dealer-b.cn\r\n"
           b"Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <old.contact@dealer-b.cn>: "
           b"Recipient address rejected: User unknown\r\n")
    m["15_bounce.eml"] = multipart(
        headers(frm="MAILER-DAEMON@mx.shouhou.example.cn (Mail Delivery System)",
                subject="Undelivered Mail Returned to Sender", mid="bounce15@mx.shouhou.example.cn",
                extra="Auto-Submitted: auto-replied"),
        [b"Content-Type: text/plain; charset=us-ascii\r\n\r\nI'm sorry to have to inform you that your message "
         b"could not be delivered.\r\n",
         b"Content-Type: message/delivery-status\r\n\r\n" + dsn,
         b"Content-Type: text/rfc822-headers\r\n\r\nFrom: service@shouhou.example.cn\r\nTo: old.contact@dealer-b.cn\r\n"
         b"Subject: [RMA2026-000123] notice\r\nMessage-ID: <out-1@shouhou.example.cn>\r\n"],
        "report", "; report-type=delivery-status")
    # 16: too large (the tests set the limit to 100 KB): a 150 KB photo.
    m["16_oversized.eml"] = multipart(
        headers(frm=f"{DEALER}", subject=b64("现场照片", "UTF-8"), mid="big16@dealer-a.cn"),
        [text_part("见附件。", "utf-8"), attachment("现场.jpg", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 600,
                                                   "image/jpeg")])
    # 17: a known dealer's user sends a complete service form.
    m["17_xlsx_valid.eml"] = multipart(
        headers(frm=f"Li <{USER}>", subject=b64("售后服务单", "GBK"), mid="form17@dealer-a.cn"),
        [text_part("附件是本周的售后服务单，请审核。", "GBK"),
         attachment("售后服务单.xlsx", form_xlsx([("SN-MAIL-0001", "无法开机，电源灯不亮", "否", ""),
                                                 ("sn-mail-0002 ", "内存报错", "", "")]),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
    # 18: an incomplete form: unknown serial, missing fault, advance without reason, no contact.
    m["18_xlsx_incomplete.eml"] = multipart(
        headers(frm=f"{DEALER}", subject=b64("售后服务单", "UTF-8"), mid="form18@dealer-a.cn"),
        [text_part("请处理。", "utf-8"),
         attachment("服务单.xlsx", form_xlsx([("SN-NOPE-9999", "无法开机", "否", ""), ("SN-MAIL-0001", "", "是", "")],
                                           contact=False),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
    # 19: an ".xlsx" that is really a Windows program.
    m["19_xlsx_really_exe.eml"] = multipart(
        headers(frm=f"{DEALER}", subject=b64("售后服务单", "UTF-8"), mid="form19@dealer-a.cn"),
        [text_part("请查收。", "utf-8"),
         attachment("售后服务单.xlsx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(500), "application/octet-stream")])
    # 20: a reply that threads by References only (the subject has no number).
    m["20_references_only.eml"] = single(
        headers(frm=f"{DEALER}", subject=b64("回复：报价单", "UTF-8"), mid="refs20@dealer-a.cn",
                extra="In-Reply-To: <not-ours@elsewhere.cn>\r\n"
                      "References: <older@elsewhere.cn>\r\n <quote-123.1@shouhou.example.cn>"),
        text_part("价格可以再优惠一点吗？" + QQ_HISTORY, "utf-8"))
    # 21: no Message-ID at all.
    m["21_no_message_id.eml"] = single(
        headers(frm="zhao@example.com", subject=b64("没有编号的邮件", "UTF-8"), mid=None),
        text_part("我们的服务器风扇坏了。", "utf-8"))
    # 22: a mailer-daemon notice that is not a DSN.
    m["22_mailer_daemon.eml"] = single(
        headers(frm="Mail Delivery Subsystem <mailer-daemon@mx.example.net>", subject="Delivery delayed",
                mid="daemon22@mx.example.net"),
        text_part("Your message has not been delivered yet. Will retry.", "us-ascii"))
    # 23: one of our own messages coming back (a loop).
    m["23_own_message.eml"] = single(
        headers(frm="售后服务 <service@shouhou.example.cn>".replace("售后服务", b64("售后服务", "UTF-8")),
                subject=b64(f"[{ORDER}] 报价单", "UTF-8"), mid="own23@shouhou.example.cn"),
        text_part("报价如下。", "utf-8"))
    # 24: a reply about a service case.
    m["24_case_reply.eml"] = single(
        headers(frm="wang@cafe-example.cn", subject=b64("回复：[C2026-000456] 您的咨询", "GBK"), mid="case24@cafe.cn"),
        text_part("问题已经解决了，谢谢。" + GMAIL_HISTORY, "GBK"))
    # 25: not a message: no sender anywhere.
    m["25_unusable.eml"] = b"Subject: hello\r\nX-Nothing: here\r\n\r\njust text\r\n"
    # 26: a known dealer writes without a number or form.
    m["26_known_dealer_no_form.eml"] = single(
        headers(frm=f"{USER}", subject=b64("请问寄回地址", "UTF-8"), mid="known26@dealer-a.cn"),
        text_part("请问返修寄到哪里？", "utf-8"))
    return m


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    for name, data in build().items():
        (HERE / name).write_bytes(data)
    print(f"wrote {len(build())} files to {HERE}")
