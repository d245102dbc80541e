"""The per-IP rate limit of the public pages and the public coverage API (django-ratelimit).

One group for both, so a scraper cannot double its budget by switching between page and API.
The rate comes from ``SHOUHOU_PUBLIC_RATE`` (settings.PUBLIC_RATE), read per request so that tests
and benchmarks can change it without restarting.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

GROUP = "shouhou.public"
_OFF = {"", "0", "off", "none", "false", "no"}


def public_rate(group: str, request: HttpRequest) -> str | None:
    rate = str(getattr(settings, "PUBLIC_RATE", "30/m")).strip()
    return None if rate.lower() in _OFF else rate


def public_limited(request: HttpRequest) -> bool:
    """Count this request against the caller's IP; True once the caller is over the limit."""
    return is_ratelimited(request, group=GROUP, key="ip", rate=public_rate, increment=True)
