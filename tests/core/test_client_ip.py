"""The client address behind a proxy (core/client_ip.py) and what keys on it: the public rate limit,
the login lockout (django-axes) and its records; Retry-After on every 429; HTTPS settings.

The same behaviour through a real nginx and real processes: tests/core/test_proxy_nginx.py.
"""

from __future__ import annotations

import ipaddress
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from shouhou.core.client_ip import resolve
from shouhou.registry import throttle

SRC = Path(__file__).resolve().parents[2] / "src" / "shouhou"
PROXIES = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8"))


@pytest.mark.parametrize(("remote", "forwarded", "trusted", "client"), [
    # No trusted proxy: the connecting address, whatever the header says.
    ("203.0.113.9", "198.51.100.1", (), "203.0.113.9"),
    # From an untrusted address the header is ignored (a spoof from the internet).
    ("203.0.113.9", "198.51.100.1", PROXIES, "203.0.113.9"),
    # From the proxy: the address it appended.
    ("127.0.0.1", "198.51.100.1", PROXIES, "198.51.100.1"),
    # The client's own X-Forwarded-For is kept by nginx and the real address appended: the rightmost counts.
    ("127.0.0.1", "6.6.6.6, 198.51.100.1", PROXIES, "198.51.100.1"),
    # Two trusted proxies in a row (load balancer → nginx): skip both.
    ("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3", PROXIES, "198.51.100.1"),
    # Ports and brackets as some proxies write them; IPv4-mapped IPv6 is IPv4.
    ("127.0.0.1", "198.51.100.1:40112", PROXIES, "198.51.100.1"),
    ("127.0.0.1", "[2001:db8::7]:443", PROXIES, "2001:db8::7"),
    ("::ffff:127.0.0.1", "2001:db8::7", PROXIES, "2001:db8::7"),
    # Garbage in the header: the last hop that could be read (here the trusted proxy itself).
    ("127.0.0.1", "not-an-address", PROXIES, "127.0.0.1"),
    ("127.0.0.1", "198.51.100.1, junk, 10.0.0.2", PROXIES, "10.0.0.2"),
    # Only proxies: the farthest one.
    ("127.0.0.1", "10.0.0.9, 10.0.0.2", PROXIES, "10.0.0.9"),
    # A proxy that sent no header.
    ("127.0.0.1", "", PROXIES, "127.0.0.1"),
    # No usable connecting address (a Unix socket): one shared bucket.
    ("", "198.51.100.1", PROXIES, "0.0.0.0"),
])
def test_the_client_is_the_rightmost_untrusted_hop(remote, forwarded, trusted, client):
    assert resolve(remote, forwarded, trusted) == client


def test_a_bad_trusted_proxy_setting_stops_start_up_naming_the_entry(monkeypatch):
    from shouhou.core.env import envnetworks

    monkeypatch.setenv("SHOUHOU_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/33")
    with pytest.raises(ImproperlyConfigured, match=r"'10\.0\.0\.0/33'"):
        envnetworks("SHOUHOU_TRUSTED_PROXIES")
    monkeypatch.setenv("SHOUHOU_TRUSTED_PROXIES", " 127.0.0.1 , 10.0.0.0/8,::1 ")
    assert [str(n) for n in envnetworks("SHOUHOU_TRUSTED_PROXIES")] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]


def test_nothing_but_core_client_ip_reads_the_connecting_address():
    readers = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
               if re.search(r"REMOTE_ADDR|HTTP_X_FORWARDED_FOR|_get_ip\b", p.read_text(encoding="utf-8"))]
    assert readers == ["core/client_ip.py"]


def test_throttle_uses_no_private_django_ratelimit_helper():
    source = (SRC / "registry" / "throttle.py").read_text(encoding="utf-8")
    assert not re.search(r"from django_ratelimit\.\w+ import .*\b_\w+", source)


# --- through Django ----------------------------------------------------------------------------
def coverage(client, serial: str, **headers: str):
    return client.get(f"/api/v1/units/{serial}/coverage", {"on": "2025-02-01"}, **headers)


@pytest.fixture
def limited_to_two(settings):
    settings.PUBLIC_RATE = "2/m"
    settings.TRUSTED_PROXIES = PROXIES
    throttle.reset()
    yield
    throttle.reset()


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(client, db, limited_to_two):
    alice = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    bob = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    assert [coverage(client, "NOPE", **alice).status_code for _ in range(3)] == [404, 404, 429]
    assert [coverage(client, "NOPE", **bob).status_code for _ in range(2)] == [404, 404]
    # Alice cannot escape by prepending addresses of her own choosing.
    spoof = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.77, 198.51.100.1"}
    assert coverage(client, "NOPE", **spoof).status_code == 429


def test_a_spoofed_header_from_an_untrusted_address_is_ignored(client, db, limited_to_two):
    statuses = [coverage(client, "NOPE", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
                for i in range(3)]
    assert statuses == [404, 404, 429]


def test_the_api_429_says_when_to_come_back(client, db, limited_to_two):
    for _ in range(2):
        coverage(client, "NOPE")
    refused = coverage(client, "NOPE")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["retry_after"] == int(refused["Retry-After"])

    faq = client.get("/api/v1/faq/search", {"q": "raid"})
    assert faq.status_code == 429 and 1 <= int(faq["Retry-After"]) <= 60


def test_the_limit_is_one_counter_in_the_shared_cache(client, db, limited_to_two):
    """The counts are in the database cache, not in this process: another process's hits count
    (simulated here by writing the counter as a second process would, through the cache)."""
    from django.conf import settings
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"] == "shouhou.core.cache.DatabaseCache"
    coverage(client, "NOPE")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM shouhou_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert len(keys) == 1
    cache_key = keys[0].split(":", 2)[2]  # KEY_PREFIX:VERSION:key
    assert cache.incr(cache_key) == 2
    assert coverage(client, "NOPE").status_code == 429


def test_the_database_cache_counts_without_losing_hits_and_keeps_the_expiry(db):
    from django.core.cache import cache

    assert cache.add("n", 1, 3600) is True
    assert cache.add("n", 1, 3600) is False  # a second process starting the same window
    assert [cache.incr("n") for _ in range(5)] == [2, 3, 4, 5, 6]
    assert cache.get("n") == 6
    with pytest.raises(ValueError):
        cache.incr("missing")
    assert cache.add("gone", 1, -1) is True  # already expired: the next add starts afresh
    assert cache.add("gone", 7, 60) is True and cache.get("gone") == 7


# --- login lockout (django-axes) ----------------------------------------------------------------
@pytest.fixture
def lockout(settings):
    settings.TRUSTED_PROXIES = PROXIES
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def login(client, password: str, address: str):
    return client.post("/accounts/login/", {"username": "zhao", "password": password},
                       REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address)


def test_locking_out_one_client_does_not_lock_out_another(client, make_user, lockout):
    from axes.models import AccessAttempt

    make_user("customer_service", username="zhao")
    statuses = [login(client, "wrong", "198.51.100.66").status_code for _ in range(4)]
    assert statuses[-1] == 429
    assert login(client, "Correct-Horse-42", "198.51.100.66").status_code == 429  # the attacker stays out
    locked = login(client, "wrong", "198.51.100.66")
    assert int(locked["Retry-After"]) == 15 * 60
    # Zhao, from his own address behind the same proxy, still signs in.
    assert login(client, "Correct-Horse-42", "198.51.100.7").status_code == 302
    # And the records name the real client, not the proxy.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}


# --- HTTPS: HSTS, redirect (check --deploy W004/W008) ---------------------------------------------
def _deploy_check(tmp_path: Path, **env: str) -> str:
    environ = {**os.environ, "SHOUHOU_DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 20 + "x" * 20 + "y" * 20,
               **env}
    environ.pop("DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "shouhou", "manage", "check", "--deploy"], env=environ,
                          capture_output=True, text=True, timeout=120)
    return done.stdout + done.stderr


def test_https_base_url_turns_on_hsts_and_the_ssl_redirect(tmp_path):
    https = _deploy_check(tmp_path, SHOUHOU_BASE_URL="https://service.example.cn", ALLOWED_HOSTS="service.example.cn")
    assert "W004" not in https and "W008" not in https, https
    opted_out = _deploy_check(tmp_path, SHOUHOU_BASE_URL="https://service.example.cn",
                              ALLOWED_HOSTS="service.example.cn", SHOUHOU_HSTS_SECONDS="0")
    assert "W004" in opted_out and "W008" not in opted_out, opted_out
    http = _deploy_check(tmp_path, SHOUHOU_BASE_URL="http://service.example.cn")
    assert "W004" in http and "W008" in http, http


def test_https_redirects_plain_requests_but_not_the_health_check(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    plain = client.get("/warranty/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200
    secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
