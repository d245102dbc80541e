"""Turn raw RFC 822 bytes into what the inbound rules need, the way Chinese mail really arrives.

Plain Python (no Django), so it is tested and benchmarked on its own. The standard library's
``email`` parser with the ``compat32`` policy reads the structure (it is the fastest of its
policies, and we decode headers ourselves anyway); on top of it:

- charsets: GB2312 and GBK are decoded as GB18030 (their superset: mailers label GBK text as
  GB2312 all the time); a part without a charset, or with one Python does not know, is tried as
  UTF-8 and then GB18030;
- headers: RFC 2047 encoded words, and raw 8-bit GBK or UTF-8 bytes that some mailers put in
  headers unencoded;
- HTML-only bodies become text through BeautifulSoup (html.parser backend: no C library to
  install), block elements and ``<br>`` turned into line breaks, ``<blockquote>`` into ``>`` lines
  so the quoted history is stripped like in plain text;
- attachments: the name as the sender wrote it (RFC 2231 or RFC 2047) and the type by content.
"""

from __future__ import annotations

import email
import email.header
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from email.message import Message

# Labels that mean "GB18030 or a subset of it" in the wild.
GB_ALIASES = frozenset({"gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "x-euc-cn",
                        "csgb2312", "ms936", "windows-936", "hz-gb-2312"})


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    if name in GB_ALIASES:
        return "gb18030" if name != "hz-gb-2312" else "hz"
    if name in {"unknown-8bit", "x-unknown", "unknown", "us-ascii", "ascii", "default"}:
        return None
    try:
        "".encode(name)
    except LookupError:
        return None
    return name


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """DATA as text: its declared charset if usable, else UTF-8, else GB18030 (never raises).

    NUL characters are dropped: no mail program shows them, and PostgreSQL text cannot hold them.
    """
    codec = _codec(charset)
    text = None
    if codec:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            text = None
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
    return text.replace("\x00", "")


_SURROGATES = re.compile("[\udc80-\udcff]")


def header_text(value: object) -> str:
    """A header value as text: RFC 2047 words decoded, raw 8-bit bytes decoded as UTF-8 or GB18030."""
    if value is None:
        return ""
    if isinstance(value, str) and _SURROGATES.search(value):
        # compat32 hands raw 8-bit header bytes back as surrogate escapes.
        raw = value.encode("utf-8", "surrogateescape")
        return " ".join(decode_bytes(raw).split())
    if isinstance(value, str) and "=?" not in value:
        return " ".join(value.replace("\x00", "").split())
    try:
        chunks = email.header.decode_header(value)  # type: ignore[arg-type]
    except (email.errors.HeaderParseError, ValueError):
        return " ".join(str(value).replace("\x00", "").split())
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk.replace("\x00", ""))
        else:
            out.append(decode_bytes(chunk, charset))
    return " ".join("".join(out).split())


def address_of(value: object) -> tuple[str, str]:
    """(display name, lower-cased address) of a From-like header; ("", "") when there is none."""
    text = header_text(value)
    name, addr = email.utils.parseaddr(text)
    addr = addr.strip().lower()
    if "@" not in addr:
        return name, ""
    return name.strip(), addr


def message_ids(value: object) -> list[str]:
    """Every <id> of an In-Reply-To or References header, in order."""
    return re.findall(r"<[^<>\s]+>", header_text(value))


# --- bodies ---------------------------------------------------------------------------------
_BLOCK_TAGS = ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr", "pre")


def html_to_text(html: str) -> str:
    """Visible text of an HTML body: line breaks at block elements, quotes as '>' lines."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title"]):
        tag.decompose()
    for quote in soup.find_all("blockquote"):
        text = html_to_text(str(quote.decode_contents()))
        quote.replace_with("\n" + "\n".join("> " + ln for ln in text.splitlines()) + "\n")
    for tag in soup.find_all(_BLOCK_TAGS):
        if tag.name == "br":
            tag.replace_with("\n")
        else:
            tag.insert_before("\n")
            tag.insert_after("\n")
    text = soup.get_text().replace("\xa0", " ")
    lines = [ln.rstrip() for ln in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- attachments ----------------------------------------------------------------------------
MAGIC = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"),
         (b"MZ", "exe"), (b"\x7fELF", "exe"), (b"\xd0\xcf\x11\xe0", "ole"), (b"Rar!", "rar"),
         (b"7z\xbc\xaf", "7z"))
EXTENSIONS = {"xlsx": "xlsx", "xlsm": "xlsx", "pdf": "pdf", "png": "png", "jpg": "jpeg", "jpeg": "jpeg",
              "gif": "gif", "zip": "zip", "xls": "ole", "doc": "ole", "rar": "rar", "7z": "7z"}


def sniff(data: bytes) -> str:
    """What DATA is by its first bytes: pdf, png, jpeg, gif, xlsx, zip, exe, ole, rar, 7z or other."""
    if data.startswith(b"PK\x03\x04"):
        # An Office Open XML workbook names its parts in the zip's directory; a peek is enough.
        return "xlsx" if b"xl/" in data[:65536] or b"[Content_Types].xml" in data[:4096] else "zip"
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    return "other"


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes
    kind: str  # by content (sniff)

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def claimed(self) -> str:
        """What the file name says it is (by extension), or ""."""
        ext = self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""
        return EXTENSIONS.get(ext, "")

    @property
    def matches_name(self) -> bool:
        """Whether the content is what the name claims (a name without a known extension passes)."""
        return not self.claimed or self.claimed == self.kind

    def summary(self) -> dict[str, object]:
        return {"name": self.name, "content_type": self.content_type, "size": self.size, "kind": self.kind,
                "matches_name": self.matches_name}


# --- the whole message ----------------------------------------------------------------------
@dataclass
class Decoded:
    """What the inbound rules read from one message."""

    message_id: str
    from_name: str
    from_address: str
    to: list[str]
    subject: str
    date: str
    in_reply_to: list[str]
    references: list[str]
    auto_submitted: str
    precedence: str
    content_type: str
    report_type: str
    body: str  # full text (plain, or HTML converted), quoted history included
    body_was_html: bool
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    message: Message | None = None

    @property
    def is_dsn(self) -> bool:
        return self.content_type == "multipart/report" and self.report_type == "delivery-status"


class Unusable(ValueError):
    """Bytes that are not a message we can do anything with (EX_DATAERR)."""


KEPT_HEADERS = ("From", "To", "Cc", "Reply-To", "Date", "Subject", "Message-ID", "In-Reply-To", "References",
                "Auto-Submitted", "Precedence", "X-Autoreply", "X-Auto-Response-Suppress", "List-Id",
                "Return-Path", "X-Mailer", "Content-Type")


def synthetic_message_id(raw: bytes) -> str:
    """A stable stand-in for a message without a Message-ID, so a redelivery is still a duplicate."""
    return f"<sha256.{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.invalid>"


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    return b""


def parse(raw: bytes) -> Decoded:
    """Decode RAW; raises Unusable when it has no sender address or is not a message at all."""
    if not raw or not raw.strip():
        raise Unusable("empty message")
    msg = email.message_from_bytes(raw)
    if msg.defects and not msg.keys():
        raise Unusable("no headers")
    from_name, from_address = address_of(msg.get("From"))
    if not from_address:
        sender = msg.get("Sender") or msg.get("Return-Path")
        from_name, from_address = address_of(sender) if sender else ("", "")
    if not from_address and msg.get_content_type() != "multipart/report":
        raise Unusable("no sender address")
    ids = message_ids(msg.get("Message-ID"))
    message_id = ids[0] if ids else synthetic_message_id(raw)
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()
        filename = part.get_filename()
        if filename is not None or disposition == "attachment" or not ctype.startswith(("text/", "message/")):
            if ctype in ("message/delivery-status",):
                plain.append(_delivery_status_text(part))
                continue
            attachments.append(_attachment(part, filename, ctype))
            continue
        if ctype == "message/delivery-status":
            plain.append(_delivery_status_text(part))
            continue
        text = decode_bytes(_payload(part), part.get_content_charset())
        (html if ctype == "text/html" else plain).append(text)
    was_html = not plain and bool(html)
    body = "\n".join(plain) if plain else "\n".join(html_to_text(h) for h in html)
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    headers = {}
    for name in KEPT_HEADERS:
        value = msg.get(name)
        if value is not None:
            headers[name] = header_text(value)[:2000]
    return Decoded(
        message_id=message_id[:255],
        from_name=from_name[:200],
        from_address=from_address[:254],
        to=[a.lower() for _n, a in email.utils.getaddresses([header_text(v) for v in msg.get_all("To", [])])
            if a],
        subject=header_text(msg.get("Subject"))[:500],
        date=header_text(msg.get("Date")),
        in_reply_to=message_ids(msg.get("In-Reply-To")),
        references=message_ids(msg.get("References")),
        auto_submitted=header_text(msg.get("Auto-Submitted")).lower(),
        precedence=header_text(msg.get("Precedence")).lower(),
        content_type=msg.get_content_type(),
        report_type=(msg.get_param("report-type") or "").lower() if msg.get_content_type() == "multipart/report"
        else "",
        body=body,
        body_was_html=was_html,
        attachments=attachments,
        headers=headers,
        message=msg,
    )


def _attachment(part: Message, filename: str | None, ctype: str) -> Attachment:
    name = header_text(filename) if filename else ""
    if not name:
        name = header_text(part.get_param("name") or "")
    data = _payload(part)
    return Attachment(name=name[:200] or "(unnamed)", content_type=ctype.replace("\x00", "")[:100], data=data,
                      kind=sniff(data))


def _delivery_status_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):  # the parser splits the status into header blocks
        return "\n\n".join(str(block).strip() for block in payload)
    return decode_bytes(_payload(part))


def failed_recipients(decoded: Decoded) -> list[tuple[str, str]]:
    """(address, diagnostic) of each recipient a delivery status notification reports as failed."""
    if decoded.message is None:
        return []
    failures: list[tuple[str, str]] = []
    for part in decoded.message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else []
        for block in blocks[1:] if len(blocks) > 1 else blocks:
            action = (block.get("Action") or "").strip().lower()
            recipient = block.get("Final-Recipient") or block.get("Original-Recipient") or ""
            address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
            if action == "failed" and "@" in address:
                failures.append((address, header_text(block.get("Diagnostic-Code") or block.get("Status") or "")))
    return failures
