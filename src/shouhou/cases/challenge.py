"""The bot challenge of the public fault report (扫码报修), with no third-party service.

Chosen: a signed, time-stamped form token plus a honeypot field. A proof-of-work or a CAPTCHA
widget needs JavaScript or an outside service, and the form must work without JavaScript in
WeChat's in-app browser. The token (Django's Signer over the serial, a random nonce and the time
of issue) is issued when the unit page is rendered, so a submission must come from a page this
server served for that unit; it must be at least MIN_FILL_SECONDS old (people take longer to type a fault
than scripts take to post) and at most MAX_AGE_SECONDS (a harvested token goes stale); each nonce
is accepted once (kept in the cache for MAX_AGE_SECONDS). The honeypot `website` is hidden from
people by CSS and `aria-hidden`; form-filling bots fill it. The per-IP rate limit
(registry/throttle.py) bounds what a patient script can do with fresh tokens.
"""

from __future__ import annotations

import secrets
import time

from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

from shouhou.domain.errors import Invalid

SALT = "shouhou.cases.report"
MIN_FILL_SECONDS = 3
MAX_AGE_SECONDS = 2 * 60 * 60
HONEYPOT = "website"


def issue(serial: str, *, now: float | None = None) -> str:
    """A fresh form token for the report form of the unit SERIAL (issued at NOW, epoch seconds)."""
    issued = int(time.time() if now is None else now)
    return signing.Signer(salt=SALT).sign_object({"s": serial, "n": secrets.token_urlsafe(12), "t": issued})


def _nonce_key(data: dict[str, object]) -> str:
    return f"{SALT}:{data.get('n')}"


def check(token: str, serial: str, *, honeypot: str = "", now: float | None = None) -> None:
    """Raises Invalid (field "challenge") unless TOKEN was issued for SERIAL between MIN_FILL_SECONDS
    and MAX_AGE_SECONDS before NOW, has not been used, and the honeypot is empty."""
    refused = Invalid(_("表单已过期或提交过快，请刷新页面后重新填写。"), field="challenge")
    if honeypot.strip():
        raise refused
    try:
        data = signing.Signer(salt=SALT).unsign_object(token or "")
    except signing.BadSignature:
        raise refused from None
    if not isinstance(data, dict) or data.get("s") != serial or not isinstance(data.get("t"), int):
        raise refused
    age = (time.time() if now is None else now) - data["t"]
    if not MIN_FILL_SECONDS <= age <= MAX_AGE_SECONDS or cache.get(_nonce_key(data)) is not None:
        raise refused


def consume(token: str) -> None:
    """Mark TOKEN (which check() accepted) used, so that it opens one case only."""
    data = signing.Signer(salt=SALT).unsign_object(token)
    cache.set(_nonce_key(data), 1, MAX_AGE_SECONDS + 60)
