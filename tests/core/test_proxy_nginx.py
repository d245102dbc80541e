"""Behind a real nginx on loopback, as docs/deploy.md sets it up.

nginx listens on 127.0.0.1 and is the one trusted proxy (SHOUHOU_TRUSTED_PROXIES=127.0.0.1). Its
upstreams are a real `shouhou serve` and a second `shouhou web` on the same data dir, taken in
turn, so the public budget is counted by two web processes. Visitors connect from other loopback
addresses (127.0.0.2, 127.0.0.3: Linux routes all of 127/8 to lo), which nginx appends to
X-Forwarded-For as it would a visitor's internet address.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.conftest import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
RATE = 4  # per day: no window ends during the test

CONFIG = """
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    log_format upstream '$remote_addr "$http_x_forwarded_for" $status $upstream_addr';
    access_log {tmp}/access.log upstream;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream shouhou {{
        server 127.0.0.1:{serve_port};
        server 127.0.0.1:{web_port};
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://shouhou;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


class Visitor:
    """An HTTP client connecting from SOURCE, keeping its cookies."""

    def __init__(self, port: int, source: str) -> None:
        self.port, self.source = port, source
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(self.source, 0))
        sent = {**(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"http://127.0.0.1:{self.port}/accounts/login/"
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
        finally:
            conn.close()

    def coverage(self, **headers: str) -> int:
        return self.request("GET", "/api/v1/units/NOPE-0001/coverage", headers=headers)[0]

    def login(self, username: str, password: str, **headers: str) -> tuple[int, dict[str, str]]:
        _, _, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        status, got, _ = self.request("POST", "/accounts/login/", headers=headers, form={
            "csrfmiddlewaretoken": token[1], "username": username, "password": password})
        return status, got


@pytest.fixture
def behind_nginx(server_factory, tmp_path: Path):
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: install Debian's nginx-light (scripts/setup --test does)")
    server = server_factory()
    server.env.update({"SHOUHOU_TRUSTED_PROXIES": "127.0.0.1", "SHOUHOU_PUBLIC_RATE": f"{RATE}/d",
                       "SHOUHOU_LOGIN_FAILURE_LIMIT": "3", "SHOUHOU_WEB_WORKERS": "1"})
    server.start(timeout=600)  # migrating a fresh data dir is slow on a loaded machine
    web_port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "shouhou", "web", "--port", str(web_port), "--workers", "1"],
                           env=server.env, start_new_session=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    nginx_dir = tmp_path / "nginx"
    nginx_dir.mkdir()
    port = free_port()
    (nginx_dir / "nginx.conf").write_text(CONFIG.format(tmp=nginx_dir, port=port, serve_port=server.port,
                                                        web_port=web_port), encoding="utf-8")
    nginx = subprocess.Popen([NGINX, "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        for target in (port, web_port):
            while True:
                try:
                    if Visitor(target, "127.0.0.1").request("GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert nginx.poll() is None, nginx.stderr.read() if nginx.stderr else ""
                assert time.monotonic() < deadline, f"port {target} did not answer"
                time.sleep(0.3)
        yield server, port, nginx_dir
    finally:
        for proc in (nginx, web):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_clients_behind_nginx_get_their_own_budget_counted_by_both_web_processes(behind_nginx):
    _server, port, nginx_dir = behind_nginx
    alice, bob = Visitor(port, "127.0.0.2"), Visitor(port, "127.0.0.3")

    alice_statuses = [alice.coverage() for _ in range(RATE + 2)]
    assert alice_statuses == [404] * RATE + [429, 429]  # one budget across the two web processes
    status, headers, body = alice.request("GET", "/api/v1/units/NOPE-0001/coverage")
    assert status == 429 and 1 <= int(headers["retry-after"]) <= 24 * 3600
    assert json.loads(body)["code"] == "rate_limited"
    # A public page over the same budget: the 429 page says when to come back too.
    status, headers, _ = alice.request("GET", "/warranty/")
    assert status == 429 and int(headers["retry-after"]) >= 1

    # Bob, behind the same proxy, has a budget of his own; a forged X-Forwarded-For does not let
    # him borrow someone else's (nginx appends his real address, which is what counts).
    assert [bob.coverage(**{"X-Forwarded-For": f"198.51.100.{i}"}) for i in range(RATE + 1)] == [404] * RATE + [429]

    # Both web processes answered (round robin), so the shared counter is what held the limit.
    log = (nginx_dir / "access.log").read_text(encoding="utf-8")
    upstreams = set(re.findall(r"127\.0\.0\.1:(\d+)$", log, flags=re.MULTILINE))
    assert len(upstreams) == 2, log


def test_a_spoofed_header_sent_straight_to_the_web_process_is_ignored(behind_nginx):
    server, _, _ = behind_nginx
    direct = Visitor(server.port, "127.0.0.4")  # not a trusted proxy
    statuses = [direct.coverage(**{"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(RATE + 1)]
    assert statuses == [404] * RATE + [429]


def test_locking_out_one_client_behind_nginx_does_not_lock_out_another(behind_nginx):
    server, port, _ = behind_nginx
    password = server.admin_password
    assert password
    mallory, admin = Visitor(port, "127.0.0.3"), Visitor(port, "127.0.0.2")
    # Mallory guesses, claiming to be the admin's address: nginx appends hers and that is what counts.
    statuses = [mallory.login("admin", "guess-" + str(i), **{"X-Forwarded-For": "127.0.0.2"})[0] for i in range(4)]
    assert statuses[-1] == 429
    status, headers = mallory.login("admin", password)
    assert status == 429 and int(headers["retry-after"]) == 15 * 60  # locked out, even with the password
    # The admin, behind the same proxy, signs in.
    status, headers = admin.login("admin", password)
    assert status == 302, headers
    assert headers["location"] != "/accounts/login/"
