"""`shouhou serve --port P` without SHOUHOU_BASE_URL: links and label QR codes use port P."""

from __future__ import annotations

import http.cookiejar
import re
import subprocess
import sys
import urllib.parse
import urllib.request

from tests.registry.test_labels import decoded

MAKE_UNIT = (
    "from shouhou.registry import services; "
    "m = services.product_model_create(actor=None, code='SN-D200', name='无盘服务器', replacement_days=90, "
    "warranty_months=36, discontinued_on=None); "
    "services.unit_create(actor=None, serial='SND200-2501-0007', product_model=m, dealer=None, shipped_on=None, "
    "sold_on=None, status='in_stock')"
)


def _login(base: str, password: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "admin", "password": password})
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=body.encode(),
                                       headers={"Referer": f"{base}/accounts/login/"}), timeout=30)
    return opener


def test_labels_encode_the_port_serve_runs_on(server_factory, tmp_path):
    server = server_factory()
    del server.env["SHOUHOU_BASE_URL"]  # the newcomer's case: nothing set, a port of their choosing
    output = server.start()
    assert f"base URL for links and labels: http://127.0.0.1:{server.port}" in output
    made = subprocess.run([sys.executable, "-m", "shouhou", "manage", "shell", "-c", MAKE_UNIT], env=server.env,
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr

    opener = _login(server.url, server.admin_password)
    units_page = opener.open(f"{server.url}/units/", timeout=30).read().decode()
    assert f"标签二维码将指向 http://127.0.0.1:{server.port}" in units_page  # and it says that is loopback
    pdf = opener.open(f"{server.url}/units/labels.pdf?format=60x40&q=SND200-2501-0007", timeout=60).read()
    assert decoded(pdf, tmp_path) == {
        ("QRCODE", f"http://127.0.0.1:{server.port}/u/SND200-2501-0007"),
        ("CODE128", "SND200-2501-0007"),
    }
