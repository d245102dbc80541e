"""Phone numbers compared as keys (DESIGN §6 "callers"): digits only, a leading +86 / 0086 / 86
dropped for mobiles, the area code of a landline kept. No Django."""

from __future__ import annotations

import re

_NOT_DIGIT = re.compile(r"\D+")
MOBILE_DIGITS = 11


def phone_key(raw: str) -> str:
    """The comparable form of RAW: ``0771-556 1234`` → ``07715561234``, ``+86 138 0013 8000`` →
    ``13800138000``. Empty for text without digits."""
    digits = _NOT_DIGIT.sub("", raw or "")
    for prefix in ("0086", "86"):
        rest = digits[len(prefix):]
        if digits.startswith(prefix) and len(rest) == MOBILE_DIGITS and rest.startswith("1"):
            return rest
    return digits
