"""The new text of a reply, without the quoted history, and what its first line says.

Plain Python (no Django). Reply styles seen from dealers: QQ Mail
(``------------------ 原始邮件 ------------------`` then 发件人/发送时间/收件人/主题), Foxmail
(``------------------ Original ------------------`` then From/Date/To/Subject), Outlook
(``-----Original Message-----`` or an underscore rule, then 发件人:/From: and 发送时间:/Sent:),
Gmail/Apple/QQ mobile (``在 2025年9月26日 10:00，张三 <a@b.cn> 写道：`` / ``On … wrote:``), and ``>``
quoting anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:原始邮件|original(?:\s+message)?|回复的原邮件|转发邮件|forwarded message)\s*-{2,}"
    r"|_{10,})\s*$",
    re.IGNORECASE,
)
_WROTE = re.compile(r"^\s*(?:在|于|on\b).{0,200}(?:写道|wrote)\s*[:：]?\s*$|^.{0,200}\s于\s.{0,80}写道\s*[:：]\s*$",
                    re.IGNORECASE)
_HEADER_START = re.compile(r"^\s*\**\s*(?:发件人|from)\s*\**\s*[:：]", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\s*\**\s*(?:发送时间|日期|时间|sent|date|收件人|to|主题|subject|抄送|cc)\s*\**\s*[:：]",
                          re.IGNORECASE)


def strip_quoted(text: str) -> str:
    """TEXT up to where the quoted history starts, without '>' lines and trailing blank lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        if _SEPARATOR.match(line) or _WROTE.match(line):
            break
        if _HEADER_START.match(line) and any(_HEADER_NEXT.match(nxt) for nxt in lines[i + 1:i + 4]):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    while kept and not kept[-1].strip():
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    return "\n".join(kept)


def first_line(text: str) -> str:
    """The first non-empty line of the new text."""
    for line in strip_quoted(text).split("\n"):
        if line.strip():
            return line.strip()
    return ""


# --- quote confirmations (DESIGN §6) --------------------------------------------------------
_CONFIRM = re.compile(r"^(?:确认|同意|confirm)", re.IGNORECASE)
OPTION_WORDS = {
    "有偿维修": "paid_repair",
    "paid_repair": "paid_repair",
    "收费换货": "paid_replacement",
    "paid_replacement": "paid_replacement",
}
_OPTION = re.compile("|".join(re.escape(w) for w in OPTION_WORDS), re.IGNORECASE)


@dataclass(frozen=True)
class Confirmation:
    """A first line that confirms: `options` are the options it names (empty: none named)."""

    options: frozenset[str]

    def choice_among(self, offered: list[str] | tuple[str, ...]) -> str | None:
        """The chosen option when the quote offers OFFERED, or None when the reply does not say which.

        One option offered: naming it or nothing chooses it. Two offered: exactly one of them must
        be named. Naming an option that is not offered chooses nothing.
        """
        offered_set = set(offered)
        if self.options - offered_set:
            return None
        if len(self.options) == 1:
            return next(iter(self.options))
        if not self.options and len(offered_set) == 1:
            return next(iter(offered_set))
        return None


def confirmation(text: str) -> Confirmation | None:
    """Whether the reply's first new line confirms (确认 / 同意 / confirm, any case), and the options it names."""
    line = first_line(text)
    if not _CONFIRM.match(line):
        return None
    return Confirmation(frozenset(OPTION_WORDS[m.lower() if m.isascii() else m] for m in _OPTION.findall(line)))
