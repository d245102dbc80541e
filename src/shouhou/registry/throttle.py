"""The per-client rate limit of the public pages and the public coverage API.

One group for both, so a scraper cannot double its budget by switching between page and API.
The rate comes from ``SHOUHOU_PUBLIC_RATE`` (settings.PUBLIC_RATE: "30/m", "100/h", "500/5m";
"off" disables it), read per request so that tests and benchmarks can change it without restarting.

The client is ``shouhou.core.client_ip.client_ip`` (X-Forwarded-For from trusted proxies only),
which django-ratelimit's ``key="ip"`` uses through ``RATELIMIT_IP_META_KEY``. The counts live in
the default cache, which every web process shares: Redis with ``CACHE_URL``, else the database
(core/cache.py, an atomic counter), so N web processes give a client one budget, not N.

``public_limited`` and ``limited`` answer 0 under the limit and otherwise the seconds until the
window ends: what the 429's ``Retry-After`` says.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django_ratelimit.core import get_usage

GROUP = "shouhou.public"
_OFF = {"", "0", "off", "none", "false", "no"}


def public_rate(group: str, request: HttpRequest) -> str | None:
    rate = str(getattr(settings, "PUBLIC_RATE", "30/m")).strip()
    return None if rate.lower() in _OFF else rate


def _count(request: HttpRequest, group: str, rate: str) -> int:
    usage = get_usage(request, group=group, key="ip", rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return 0
    return max(1, int(usage["time_left"]))


def public_limited(request: HttpRequest) -> int:
    """Count this request against the caller; 0 under the limit, else the seconds to wait."""
    rate = public_rate(GROUP, request)
    if rate is None:
        return 0
    return _count(request, GROUP, rate)


def limited(request: HttpRequest, *, group: str, rate: str | None) -> int:
    """Count this request in GROUP, a budget of its own beside the public one (e.g. cases opened
    from the public unit page); 0 while the caller is within RATE (None or "off": always), else the
    seconds to wait."""
    if rate is None or rate.strip().lower() in _OFF:
        return 0
    return _count(request, group, rate)


def retry_after(seconds: int) -> str:
    """The Retry-After header's value: whole seconds, at least one."""
    return str(max(1, int(seconds)))


def reset() -> None:
    """Forget every count (tests)."""
    cache.clear()
