"""Decoding and quoting rules on their own (plain Python, no database), with properties over generated text."""

from __future__ import annotations

import base64
import email.header

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shouhou.mail import decode, quoting

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=200)
# Chinese text as dealers write it: CJK ideographs, full-width punctuation, ASCII letters, digits, spaces.
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
TEXT_CHAR = st.one_of(CJK, st.sampled_from("，。！？、：ABCxyz0123456789 -"))
LINE = st.text(TEXT_CHAR, min_size=1, max_size=30)


def norm(text: str) -> str:
    return " ".join(text.split())


@SETTINGS
@given(st.text(TEXT_CHAR, min_size=1, max_size=60), st.sampled_from(["utf-8", "gb18030", "gbk", "gb2312"]))
def test_rfc2047_headers_decode_to_the_text_written(text, charset):
    codec = "gb18030" if charset != "utf-8" else "utf-8"
    try:
        text.encode("gb2312" if charset == "gb2312" else codec)
    except UnicodeEncodeError:
        assume(False)
    if charset == "utf-8":
        encoded = email.header.Header(text, charset="utf-8").encode()  # folds long text into several words
    else:
        encoded = f"=?{charset}?B?{base64.b64encode(text.encode(codec)).decode()}?="
    assert decode.header_text(encoded) == norm(text)


@SETTINGS
@given(st.text(TEXT_CHAR, min_size=1, max_size=40))
def test_raw_gbk_bytes_in_a_header_decode_as_gb18030(text):
    raw = text.encode("gbk")
    try:
        raw.decode("utf-8")
        assume(False)  # bytes that are valid UTF-8 too are read as UTF-8 (documented limit)
    except UnicodeDecodeError:
        pass
    message = b"From: a@b.cn\r\nSubject: " + raw + b"\r\n\r\nbody\r\n"
    assert decode.parse(message).subject == norm(text)


@SETTINGS
@given(st.lists(LINE, min_size=1, max_size=5), st.lists(LINE, max_size=5),
       st.sampled_from([
           "------------------ 原始邮件 ------------------",
           "------------------ Original ------------------",
           "-----Original Message-----",
           "在 2026年11月28日 10:00，售后服务 <service@example.cn> 写道：",
           "On Sat, Nov 28, 2026 at 10:00 AM 售后服务 <service@example.cn> wrote:",
           "________________________________\n发件人: 售后服务\n发送时间: 2026年11月28日",
           "From: service@example.cn\nSent: Saturday",
       ]))
def test_the_new_text_is_kept_and_the_history_dropped(new, history, separator):
    body = "\n".join(new) + "\n\n" + separator + "\n" + "\n".join(history) + "\n> 引用\n"
    kept = quoting.strip_quoted(body)
    expected = [ln.rstrip() for ln in "\n".join(new).split("\n")]
    while expected and not expected[0].strip():
        expected.pop(0)
    while expected and not expected[-1].strip():
        expected.pop()
    assert kept == "\n".join(expected)


@SETTINGS
@given(st.sampled_from(["确认", "同意", "confirm", "CONFIRM", "Confirm"]), st.sampled_from(list(quoting.OPTION_WORDS)),
       st.text(TEXT_CHAR, max_size=10))
def test_a_confirmation_naming_an_option_chooses_it_among_two(word, option, tail):
    assume(not any(w in tail for w in quoting.OPTION_WORDS))
    found = quoting.confirmation(f"{word} {option}{tail}\n\n> 报价单")
    assert found is not None
    assert found.choice_among(["paid_repair", "paid_replacement"]) == quoting.OPTION_WORDS[option]


def test_what_is_not_a_confirmation():
    assert quoting.confirmation("请问能确认一下价格吗") is None
    assert quoting.confirmation("> 确认\n不同意") is None
    assert quoting.confirmation("") is None
    both = quoting.confirmation("确认 有偿维修 或 收费换货")
    assert both is not None and both.choice_among(["paid_repair", "paid_replacement"]) is None
    only = quoting.confirmation("同意")
    assert only.choice_among(["paid_repair"]) == "paid_repair"
    assert only.choice_among(["paid_repair", "paid_replacement"]) is None
    assert quoting.confirmation("确认收费换货").choice_among(["paid_repair"]) is None  # not offered


def test_a_from_line_without_a_header_block_is_kept():
    assert quoting.strip_quoted("From: 南宁的门店\n设备已寄出") == "From: 南宁的门店\n设备已寄出"


def test_html_to_text_keeps_lines_and_quotes_blockquotes():
    html = ("<div>第一行<br>第二行</div><p>第三&nbsp;行</p><blockquote><div>引用一</div>"
            "<blockquote>引用二</blockquote></blockquote><script>alert(1)</script>")
    text = decode.html_to_text(html)
    assert quoting.strip_quoted(text) == "第一行\n第二行\n\n第三 行"
    assert "alert" not in text and "> 引用一" in text


def test_content_decides_the_attachment_type():
    assert decode.sniff(b"%PDF-1.7 ...") == "pdf"
    assert decode.sniff(b"\x89PNG\r\n\x1a\n....") == "png"
    assert decode.sniff(b"\xff\xd8\xff\xe0") == "jpeg"
    assert decode.sniff(b"MZ\x90\x00") == "exe"
    assert decode.sniff(b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml xl/workbook.xml") == "xlsx"
    assert decode.sniff(b"PK\x03\x04" + b"\x00" * 26 + b"readme.txt") == "zip"
    exe = decode.Attachment(name="表.xlsx", content_type="application/vnd.ms-excel", data=b"MZ", kind="exe")
    assert (exe.claimed, exe.matches_name) == ("xlsx", False)


def test_charsets_mislabelled_or_missing_still_decode():
    gbk = "镕铭路".encode("gbk")  # 镕 is outside GB2312: mailers still label such text GB2312
    assert decode.decode_bytes(gbk, "gb2312") == "镕铭路"
    assert decode.decode_bytes(gbk, None) == "镕铭路"
    assert decode.decode_bytes("镕铭路".encode(), "x-unknown-charset") == "镕铭路"
    assert decode.decode_bytes(gbk, "utf-8") == "镕铭路"  # wrong label: fall back rather than mangle


def test_unusable_input_raises():
    for raw in (b"", b"   \r\n", b"Subject: no sender\r\n\r\nhi"):
        try:
            decode.parse(raw)
        except decode.Unusable:
            continue
        raise AssertionError(raw)


HEADER_NAMES = st.sampled_from(["From", "Subject", "Content-Type", "Content-Transfer-Encoding", "Message-ID",
                                "References", "Auto-Submitted", "X-Junk"])


@SETTINGS
@given(st.booleans(), st.lists(st.tuples(HEADER_NAMES, st.binary(max_size=60)), max_size=8), st.binary(max_size=400))
def test_any_bytes_decode_or_are_refused_as_unusable(sender, headers, body):
    raw = b"".join(name.encode() + b": " + value + b"\r\n" for name, value in headers) + b"\r\n" + body
    if sender:
        raw = b"From: a@b.cn\r\n" + raw
    try:
        decoded = decode.parse(raw)
    except decode.Unusable:
        return
    assert decoded.from_address and "@" in decoded.from_address
    assert decoded.message_id.startswith("<") and decoded.message_id.endswith(">")
    quoting.strip_quoted(decoded.body)
    quoting.confirmation(decoded.body)
    # What is stored must fit PostgreSQL text and jsonb: no NUL anywhere.
    texts = [decoded.subject, decoded.from_name, decoded.body, *decoded.headers.values(),
             *(a.name for a in decoded.attachments), *(a.content_type for a in decoded.attachments),
             decoded.message_id, decoded.from_address]
    assert not any("\x00" in t for t in texts)
