"""The per-IP rate limit of the public pages and the public coverage API.

One group for both, so a scraper cannot double its budget by switching between page and API.
The rate comes from ``SHOUHOU_PUBLIC_RATE`` (settings.PUBLIC_RATE: "30/m", "100/h", "500/5m";
"off" disables it), read per request so that tests and benchmarks can change it without restarting.

Where the counts live depends on ``CACHE_URL``:

- set (Redis): django-ratelimit on the shared cache, so the limit holds across every web process
  and machine;
- not set: a fixed-window counter in the memory of each web process. A check costs a dict lookup
  instead of a cache file written per request (the file cache cost 1.5 ms of the 1.8 ms coverage
  lookup, bench/README.md "Coverage lookups over HTTP"). The limit then holds per process: a client
  spread over N web processes may get up to N times the rate. Set ``CACHE_URL`` where that matters.
"""

from __future__ import annotations

import functools
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django_ratelimit.core import _get_ip, _split_rate, is_ratelimited

GROUP = "shouhou.public"
_OFF = {"", "0", "off", "none", "false", "no"}
# Local counters kept at most; beyond it, counters of past windows are dropped (then all).
_MAX_KEYS = 100_000

_lock = threading.Lock()
_counts: dict[tuple[str, str], tuple[int, int]] = {}  # (rate, ip) -> (window, hits in it)


def public_rate(group: str, request: HttpRequest) -> str | None:
    rate = str(getattr(settings, "PUBLIC_RATE", "30/m")).strip()
    return None if rate.lower() in _OFF else rate


def _shared_cache() -> bool:
    return settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


@functools.lru_cache(maxsize=64)
def _limit_and_period(rate: str) -> tuple[int, int]:
    return _split_rate(rate)  # a regex per request otherwise; the rate rarely changes


def _local_limited(ip: str, rate: str, group: str = GROUP) -> bool:
    limit, period = _limit_and_period(rate)
    window = int(time.time()) // period
    key = (rate, ip) if group == GROUP else (f"{group}:{rate}", ip)
    with _lock:
        seen_window, hits = _counts.get(key, (window, 0))
        hits = hits + 1 if seen_window == window else 1
        _counts[key] = (window, hits)
        if len(_counts) > _MAX_KEYS:
            _prune(window)
    return hits > limit


def _prune(window: int) -> None:
    for key in [k for k, (w, _) in _counts.items() if w != window]:
        del _counts[key]
    if len(_counts) > _MAX_KEYS:
        _counts.clear()


def public_limited(request: HttpRequest) -> bool:
    """Count this request against the caller's IP; True once the caller is over the limit."""
    rate = public_rate(GROUP, request)
    if rate is None:
        return False
    if _shared_cache():
        return is_ratelimited(request, group=GROUP, key="ip", rate=rate, increment=True)
    return _local_limited(_get_ip(request), rate)


def limited(request: HttpRequest, *, group: str, rate: str | None) -> bool:
    """Count this request in GROUP, a budget of its own beside the public one (e.g. cases opened
    from the public unit page); True once the caller's IP is over RATE (None or "off": never)."""
    if rate is None or rate.strip().lower() in _OFF:
        return False
    if _shared_cache():
        return is_ratelimited(request, group=group, key="ip", rate=rate, increment=True)
    return _local_limited(_get_ip(request), rate, group)


def reset() -> None:
    """Forget every count, local and shared (tests)."""
    with _lock:
        _counts.clear()
    if _shared_cache():
        cache.clear()
