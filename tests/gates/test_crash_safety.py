"""Crash safety with real processes: a `shouhou worker` killed with SIGKILL in the middle of an
import, and a `shouhou web` killed with requests in flight, leave no partial state; the import runs
again when a worker starts (core/task_recovery.py), and the database (SQLite included) stays sound.

Runs on SQLite by default and on PostgreSQL when DATABASE_URL points at one (a fresh database).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port

UNITS = 60_000  # enough rows that the import is still running when the worker is killed
ORDERS = 400  # more than can be sent before the kill; every one has LINES lines or does not exist
LINES = 4

SEED = f"""
import datetime
from shouhou.registry.models import Dealer, ProductModel, Unit
dealer = Dealer.objects.create(code="GX-CR01", name="南宁崩溃测试电脑", email="cr@dealer.cn")
model = ProductModel.objects.create(code="SN-CR1", name="崩溃测试服务器", replacement_days=90, warranty_months=36)
Unit.objects.bulk_create([Unit(serial=f"CRW{{i:06d}}", product_model=model, dealer=dealer,
                               shipped_on=datetime.date(2025, 9, 1), status="with_dealer")
                          for i in range({ORDERS * LINES + 1})])
"""

IMPORT = """
from django.core.files.uploadedfile import SimpleUploadedFile
from shouhou.core.models import User
from shouhou.registry.imports.jobs import import_job_create
data = open({path!r}, "rb").read()
job = import_job_create(kind="units", upload=SimpleUploadedFile("units.csv", data), all_or_nothing=False,
                        actor=User.objects.get(username="zhao"))
print(job.pk)
"""


class Site:
    """A data dir and database of its own, and the shouhou commands run against them."""

    def __init__(self, tmp_path: Path, database_url: str | None) -> None:
        self.data_dir = tmp_path / "var"
        self.database_url = database_url
        self.env = {**os.environ, "SHOUHOU_DATA_DIR": str(self.data_dir), "SHOUHOU_PUBLIC_RATE": "100000/m"}
        self.env.pop("DEBUG", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        else:
            self.env.pop("DATABASE_URL", None)
        self.procs: list[subprocess.Popen[str]] = []

    def run(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "shouhou", *args], env=self.env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self, *args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen([sys.executable, "-m", "shouhou", *args], env=self.env, start_new_session=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.procs.append(proc)
        return proc

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Read the database directly, as an operator would after a crash."""
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url, autocommit=True) as conn:
                return conn.execute(sql).fetchall()
        with sqlite3.connect(self.data_dir / "shouhou.sqlite3", timeout=30) as conn:
            return conn.execute(sql).fetchall()

    def wait_for(self, sql: str, expected: Any, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.query(sql) == expected:
                return
            time.sleep(0.05)
        raise AssertionError(f"{sql} never gave {expected}: {self.query(sql)}")

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


@pytest.fixture
def site(tmp_path: Path, sites: Any) -> Any:
    database_url, _ = sites.prepare(tmp_path / "var")  # migrated, as `serve` leaves it
    made = Site(tmp_path, database_url)
    made.run("manage", "shell", "-c", SEED)
    made.run("user", "create", "zhao", "--role", "service_center")
    yield made
    made.stop_all()


def test_a_worker_killed_mid_import_leaves_it_to_run_again(site: Site, tmp_path: Path) -> None:
    csv = tmp_path / "units.csv"
    csv.write_text("serial,model,shipped_on,sold_on,dealer,region,customer,replaces\n" + "".join(
        f"CRI{i:07d},SN-CR1,2025-09-01,,GX-CR01,,,\n" for i in range(UNITS)), encoding="utf-8")
    job = int(site.run("manage", "shell", "-c", IMPORT.format(path=str(csv))).strip().splitlines()[-1])
    worker = site.start("worker")
    # Killed while it writes: the rows are in, the units table is being filled in one transaction.
    site.wait_for(f"SELECT status, phase FROM registry_importjob WHERE id = {job}", [("running", "write")])
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)

    # The kill left the task RUNNING and the job "running": nothing would ever run it again.
    assert site.query("SELECT status FROM django_tasks_database_dbtaskresult") == [("RUNNING",)]
    written = site.query("SELECT COUNT(*) FROM registry_unit WHERE serial LIKE 'CRI%'")[0][0]
    assert written in {0, UNITS}, written  # one transaction: all of it or nothing

    # A worker starting up takes the lost task back and runs it to the end.
    again = site.start("worker", "--batch")
    output = again.communicate(timeout=600)[0]
    assert again.returncode == 0, output
    assert "queued again" in output
    assert site.query(f"SELECT status, created_count + updated_count FROM registry_importjob WHERE id = {job}") == [
        ("done", UNITS)]
    assert site.query("SELECT COUNT(*) FROM registry_unit WHERE serial LIKE 'CRI%'") == [(UNITS,)]
    [(status, workers)] = site.query("SELECT status, worker_ids FROM django_tasks_database_dbtaskresult")
    assert status == "SUCCESSFUL"
    assert len(workers if isinstance(workers, list) else json.loads(workers)) == 2  # killed once, then done
    if not site.database_url:
        assert site.query("PRAGMA integrity_check") == [("ok",)]


APPROVE = """
from shouhou.core.models import User
from shouhou.registry.models import Dealer
from shouhou.rma.services import line_apply, order_submit
actor = User.objects.get(username="zhao")
for i in range({count}):
    order = order_submit(dealer=Dealer.objects.get(code="GX-CR01"), actor=actor, contact_name="黄海",
                         contact_phone="0771-5882301", contact_email="cr@dealer.cn", return_address="南宁市",
                         source="staff", topology_required=False,
                         lines=[{{"serial": f"CRW{{i:06d}}", "fault": "无法开机"}}])
    line = order.lines.get()
    line_apply(line=line, event="approve", actor=actor, version=line.version)
"""
SEND_TASKS = "FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%outbox_send'"


class HeldSmtp:
    """A real SMTP server on loopback that holds the first message (the worker is then mid-send)
    until released, and takes every later one."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.received: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        if not self.entered.is_set():
            self.entered.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 try again later"
        self.received.append(envelope.content)
        return "250 OK"


def test_a_worker_killed_mid_email_send_sends_each_message_once_after_restart(site: Site) -> None:
    from email import message_from_bytes

    from aiosmtpd.controller import Controller

    smtp = HeldSmtp()
    controller = Controller(smtp, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        site.env.update(EMAIL_URL=f"smtp://127.0.0.1:{controller.port}", SHOUHOU_NOTIFY_LEASE_SECONDS="2")
        site.run("manage", "shell", "-c", APPROVE.format(count=3))  # each approval mails the dealer
        emails = site.query("SELECT COUNT(*) FROM notify_message WHERE transport = 'email'")[0][0]
        assert emails >= 3
        worker = site.start("worker")
        assert smtp.entered.wait(timeout=300), "the worker never sent"
        os.killpg(worker.pid, signal.SIGKILL)  # in the middle of the SMTP transaction
        worker.wait(timeout=30)
        smtp.release.set()
        assert site.query(f"SELECT COUNT(*) {SEND_TASKS} AND status = 'RUNNING'") == [(1,)]
        time.sleep(2.5)  # the killed sender's lease on its messages runs out

        again = site.start("worker", "--batch")
        output = again.communicate(timeout=600)[0]
        assert again.returncode == 0, output
        assert "queued again" in output
        assert site.query("SELECT state, COUNT(*) FROM notify_message WHERE transport = 'email' GROUP BY state") == [
            ("sent", emails)]
        ids = [message_from_bytes(raw)["Message-ID"] for raw in smtp.received]
        assert len(ids) == emails and len(set(ids)) == emails  # each message delivered once
    finally:
        smtp.release.set()
        controller.stop()


def _post(url: str, token: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0  # the server died under the request


def test_a_web_process_killed_mid_request_leaves_whole_orders_only(site: Site) -> None:
    token = site.run("token", "create", "zhao").strip()
    port = free_port()
    web = site.start("web", "--port", str(port), "--workers", "1")
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "web did not start"
            time.sleep(0.2)

    statuses: list[int] = []

    def submit(first: int) -> None:
        for i in range(first, ORDERS, 4):
            statuses.append(_post(f"{url}/api/v1/service-orders", token, {
                "dealer": "GX-CR01", "contact": {"name": "黄海", "phone": "0771-5882301", "email": "cr@dealer.cn"},
                "return_address": "南宁市青秀区民族大道 100 号", "case": None, "submitted_at": None,
                "lines": [{"serial": f"CRW{i * LINES + n:06d}", "fault": "无法开机", "advance_replacement": False,
                           "advance_reason": ""} for n in range(LINES)]}))
            if statuses[-1] == 0:
                return

    threads = [threading.Thread(target=submit, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    while statuses.count(201) < 10:
        time.sleep(0.01)
    os.killpg(web.pid, signal.SIGKILL)  # with requests in flight
    web.wait(timeout=30)
    for t in threads:
        t.join()

    created = statuses.count(201)
    assert 10 <= created < ORDERS
    per_order = site.query("SELECT o.id, COUNT(l.id) FROM rma_serviceorder o "
                           "LEFT JOIN rma_orderline l ON l.order_id = o.id GROUP BY o.id")
    assert {n for _id, n in per_order} == {LINES}, per_order  # no order without all of its lines
    assert created <= len(per_order) <= created + 4  # at most the in-flight ones committed unanswered
    audited = site.query("SELECT COUNT(DISTINCT object_id) FROM core_auditevent WHERE verb = 'order.submitted'")
    assert audited == [(len(per_order),)]
    if not site.database_url:
        assert site.query("PRAGMA integrity_check") == [("ok",)]

    # The site works on after the crash.
    web = site.start("web", "--port", str(port), "--workers", "1")
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "web did not restart"
            time.sleep(0.2)
    assert _post(f"{url}/api/v1/service-orders", token, {
        "dealer": "GX-CR01", "contact": {"name": "黄海", "phone": "0771-5882301", "email": "cr@dealer.cn"},
        "return_address": "南宁市青秀区民族大道 100 号", "case": None, "submitted_at": None,
        "lines": [{"serial": f"CRW{ORDERS * LINES:06d}", "fault": "无法开机", "advance_replacement": False,
                   "advance_reason": ""}]}) == 201
