"""Chinese phone numbers as a match key: one form for every way a number is written.

Callers are recognised by phone (DESIGN §6 "Cases, callers and snapshots"), and the same number
reaches us as ``0771-556 1234``, ``(0771)5561234``, ``+86 771 5561234``, ``+86 138 0013 8000``,
``0086-13800138000`` or with full-width digits typed through a Chinese input method. ``phone_key``
turns each into the digits that identify the line:

- Full-width characters become ASCII (NFKC), then everything but digits is dropped.
- Country code: ``+86`` / ``0086`` is dropped; a bare ``86`` only in front of a mobile number
  (``8613800138000``), since ``86…`` can start a local landline number. A landline written
  internationally (``+86 771 5561234``) gets its trunk ``0`` back, so it equals ``0771-5561234``;
  ``+86 (0)771 …`` keeps its one ``0``.
- The area code is kept: ``0771-5561234`` → ``07715561234``. A local number without one stays as
  written (``5561234``) and matches only numbers stored the same way.
- Extensions are not part of the key, so a caller from any extension is recognised by the
  switchboard number: ``转 8001``, ``分机 8001``, ``ext. 8001``, ``x8001``, ``#8001`` and a trailing
  ``-8001`` after a complete number (``0771-5561234-8001``). ``split_extension`` returns the
  extension for display. A group after a hyphen counts as an extension only when the digits before
  it already form a complete number (``0`` + area code + 7–8 digits, or an 11-digit mobile), so
  ``0771-556-1234`` and ``138-0013-8000`` are numbers in groups, not extensions.
- Other countries' numbers keep all their digits (``+852 2345 6789`` → ``85223456789``).

Text without digits has the empty key: it matches nothing.
"""

from __future__ import annotations

import re
import unicodedata

# An explicit extension marker and the digits after it, at the end of the text.
_EXT_MARKER = re.compile(r"(?:转|分机|ext\.?|extension|x|#|,|;)\s*(\d{1,6})\s*$", re.IGNORECASE | re.ASCII)
# A trailing group of 1-6 digits after a dash (any dash) or a space run: a candidate extension.
_EXT_TAIL = re.compile(r"^(.*\d)\s*[-‐‑–—]\s*(\d{1,6})\s*$", re.ASCII)
_NON_DIGIT = re.compile(r"\D+", re.ASCII)
_MOBILE = re.compile(r"1[3-9]\d{9}")
# A landline with its area code: 0, a 2-3 digit area code, and a 7-8 digit subscriber number.
_LANDLINE = re.compile(r"0(?:10|2\d|[3-9]\d\d)\d{7,8}")
# An area code written without its trunk 0 (Beijing 10, 2x, 3xx-9xx): +86 771 5561234.
_AREA_WITHOUT_TRUNK = re.compile(r"(?:10|2\d|[3-9]\d\d)\d{7,8}")


def _ascii(text: str) -> str:
    """Full-width forms become ASCII (NFKC); digits of any other script become 0-9."""
    text = unicodedata.normalize("NFKC", text or "")
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def _digits(text: str) -> str:
    return _NON_DIGIT.sub("", text)


def _national(digits: str, *, international: bool) -> str:
    """DIGITS without the country code, in the form dialled inside China."""
    if digits.startswith("0086"):
        rest = digits[4:]
    elif digits.startswith("86") and (international or _MOBILE.fullmatch(digits[2:])):
        rest = digits[2:]
    else:
        return digits
    if _AREA_WITHOUT_TRUNK.fullmatch(rest):
        return "0" + rest  # +86 771 5561234: the trunk 0 is left out internationally
    return rest


def _complete(digits: str) -> bool:
    return bool(_MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits))


def split_extension(raw: str) -> tuple[str, str]:
    """RAW as (number text, extension digits); the extension is "" when there is none."""
    text = _ascii(raw).strip()
    marked = _EXT_MARKER.search(text)
    if marked and _digits(text[: marked.start()]):
        return text[: marked.start()].strip(), marked.group(1)
    tail = _EXT_TAIL.match(text)
    if tail:
        head = tail.group(1)
        if _complete(_national(_digits(head), international=head.lstrip().startswith("+"))):
            return head.strip(), tail.group(2)
    return text, ""


def phone_key(raw: str) -> str:
    """The match key of RAW: the national digits of the line, without extension ("" for no digits)."""
    number, _extension = split_extension(raw)
    return _national(_digits(number), international=number.lstrip().startswith("+"))
