"""Two web and two worker processes against one PostgreSQL lose and duplicate nothing (DESIGN §4).

Service orders are created and approved through both web processes at once; each approval
queues a return-authorisation PDF that one of the two workers renders. Afterwards every order
exists once, RMA numbers have no gaps or repeats, and every document task ran exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="several processes on one database: the PostgreSQL deployment",
)

UNITS = 24

SEED = f"""
import datetime
from shouhou.registry.models import Dealer, ProductModel, Unit
dealer = Dealer.objects.create(code="GX-MP01", name="南宁并发测试电脑", email="mp@dealer.cn")
model = ProductModel.objects.create(code="SN-MP1", name="并发测试服务器", replacement_days=90, warranty_months=36)
Unit.objects.bulk_create([Unit(serial=f"MP{{i:06d}}", product_model=model, dealer=dealer,
                               shipped_on=datetime.date(2025, 9, 1), status="with_dealer") for i in range({UNITS})])
"""


def _run(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "shouhou", *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _call(url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _wait_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not start")


def test_two_webs_and_two_workers_lose_and_duplicate_nothing(server_database_url, tmp_path: Path):
    env = {**os.environ, "DATABASE_URL": server_database_url, "SHOUHOU_DATA_DIR": str(tmp_path / "var"),
           "SHOUHOU_PUBLIC_RATE": "100000/m"}
    env.pop("DEBUG", None)
    _run(env, "manage", "migrate", "-v0")
    _run(env, "manage", "shell", "-c", SEED)
    _run(env, "user", "create", "zhao", "--role", "service_center")
    token = _run(env, "token", "create", "zhao").strip()

    ports = [free_port(), free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "shouhou", "web", "--port", str(p), "--workers", "1"],
                              env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for p in ports]
    procs += [subprocess.Popen([sys.executable, "-m", "shouhou", "worker"], env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        webs = [f"http://127.0.0.1:{p}" for p in ports]
        for web in webs:
            _wait_up(web)

        def create(i: int) -> dict:
            status, order = _call(f"{webs[i % 2]}/api/v1/service-orders", token, {
                "dealer": "GX-MP01", "contact": {"name": "黄海", "phone": "0771-5882301", "email": "mp@dealer.cn"},
                "return_address": "南宁市青秀区民族大道 100 号", "case": None, "submitted_at": None,
                "lines": [{"serial": f"MP{i:06d}", "fault": "无法开机", "advance_replacement": False,
                           "advance_reason": ""}]})
            assert status == 201, order
            return order

        with ThreadPoolExecutor(max_workers=8) as pool:
            orders = list(pool.map(create, range(UNITS)))

        def approve(i: int) -> tuple[int, dict]:
            order = orders[i]
            line = order["lines"][0]
            return _call(f"{webs[(i + 1) % 2]}/api/v1/service-orders/{order['id']}/lines/{line['id']}/approve",
                         token, {"version": line["version"]})

        with ThreadPoolExecutor(max_workers=8) as pool:
            approvals = list(pool.map(approve, range(UNITS)))
        assert [status for status, _ in approvals] == [200] * UNITS, approvals

        check = """
import json, time
from django_tasks_db.models import DBTaskResult
from shouhou.notify.models import Event
from shouhou.rma.models import ServiceOrder
deadline = time.monotonic() + 90
while time.monotonic() < deadline and DBTaskResult.objects.exclude(status="SUCCESSFUL").exists():
    time.sleep(0.5)
print(json.dumps({
    "orders": ServiceOrder.objects.count(),
    "numbers": sorted(ServiceOrder.objects.values_list("number", flat=True)),
    "notices": Event.objects.filter(name="rma.return_authorisation").count(),
    "attached": Event.objects.filter(name="rma.return_authorisation").exclude(attachment="").count(),
    "tasks": list(DBTaskResult.objects.filter(task_path__endswith="event_attach_document")
                  .values_list("status", flat=True)),
    "runs": [len(ws) for ws in DBTaskResult.objects.filter(task_path__endswith="event_attach_document")
             .values_list("worker_ids", flat=True)],
}))
"""
        facts = json.loads(_run(env, "manage", "shell", "-c", check).strip().splitlines()[-1])
        assert facts["orders"] == UNITS
        year = facts["numbers"][0][3:7]
        assert facts["numbers"] == [f"RMA{year}-{n:06d}" for n in range(1, UNITS + 1)]
        assert facts["notices"] == UNITS
        assert facts["attached"] == UNITS
        assert facts["tasks"] == ["SUCCESSFUL"] * UNITS  # one task per document
        assert facts["runs"] == [1] * UNITS  # each taken by exactly one worker, once
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
