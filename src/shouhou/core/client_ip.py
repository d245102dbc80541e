"""The client's address: the one place that reads REMOTE_ADDR and X-Forwarded-For.

Behind a reverse proxy every request connects from the proxy, so the connecting address
(REMOTE_ADDR) says nothing about who is asking. ``SHOUHOU_TRUSTED_PROXIES`` (settings.TRUSTED_PROXIES)
names the proxies whose X-Forwarded-For we believe. The client is then the rightmost address in
X-Forwarded-For that is not one of them: each trusted proxy appends the address it was connected from,
so everything left of the first untrusted hop was written by someone we do not trust (a client can
send any X-Forwarded-For it likes; nginx's ``$proxy_add_x_forwarded_for`` keeps it and appends).

A request that does not come from a trusted proxy is taken at its connecting address and its
X-Forwarded-For is ignored, so a spoofed header from the internet changes nothing.

Used by the public rate limits (registry/throttle.py, django-ratelimit's ``RATELIMIT_IP_META_KEY``),
the login lockout (django-axes' ``AXES_CLIENT_IP_CALLABLE``, which also writes the address into the
login attempts and access logs) and anything else that needs "who is this".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# When not even the connecting address is usable (a Unix socket gives none): one shared bucket.
UNKNOWN = "0.0.0.0"  # noqa: S104  (a placeholder address, nothing binds to it)
_ATTR = "_shouhou_client_ip"


def _address(raw: str) -> IPAddress | None:
    """One hop as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443`, `2001:db8::1`."""
    raw = raw.strip().strip('"')
    if raw.startswith("["):
        raw = raw[1:].partition("]")[0]
    elif raw.count(":") == 1:  # IPv4 with a port; an IPv6 address has two or more colons
        raw = raw.partition(":")[0]
    try:
        found = ipaddress.ip_address(raw)
    except ValueError:
        return None
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped  # ::ffff:1.2.3.4 from a dual-stack socket is 1.2.3.4
    return found


def _trusted(address: IPAddress, networks: Iterable[Network]) -> bool:
    return any(address in network for network in networks)


def resolve(remote_addr: str, forwarded_for: str, trusted: Iterable[Network]) -> str:
    """The client address for a connection from REMOTE_ADDR carrying X-Forwarded-For FORWARDED_FOR."""
    trusted = tuple(trusted)
    hop = _address(remote_addr)
    if hop is None:
        return UNKNOWN
    if not trusted or not _trusted(hop, trusted):
        return str(hop)
    for raw in reversed(forwarded_for.split(",") if forwarded_for else []):
        previous = _address(raw)
        if previous is None:
            break  # garbage written by an untrusted party: the last hop we could read is the client
        hop = previous
        if not _trusted(hop, trusted):
            break
    return str(hop)


def client_ip(request: HttpRequest) -> str:
    """The address of whoever sent REQUEST (see the module docstring); computed once per request."""
    known = getattr(request, _ATTR, None)
    if known is None:
        known = resolve(request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""),
                        getattr(settings, "TRUSTED_PROXIES", ()))
        setattr(request, _ATTR, known)
    return known
