"""A Shouhou site of real processes for the soak and load benchmarks: a fresh PostgreSQL
database, a data dir, `shouhou web` and `shouhou worker` processes with their logs, and the seed
both benchmarks drive (the product's demo data plus dealers' units, users and API tokens).

Not a benchmark itself: `bench/soak.py` and `bench/load.py` import it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

VENV_BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Soak-Horse-42"
# The smallest valid PNG: a 1x1 transparent pixel (a dealer's topology diagram).
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001"
                    "0d0a2db40000000049454e44ae426082")

SEED = """
import datetime, io, json, random
from shouhou.core import bootstrap
from shouhou.core.services import token_create, user_create
from django.db import connection
from shouhou.registry.models import Customer, Dealer, ProductModel

bootstrap.load_policy_pack()
if {demo}:
    bootstrap.load_demo(io.StringIO())
UNITS = {units}
PASSWORD = {password!r}
today = datetime.date.today()
model = ProductModel.objects.create(code="SN-SOAK", name="压测服务器", replacement_days=90, warranty_months=36)
dealers = [Dealer.objects.create(code=f"SK-{{i:02d}}", name=f"压测代理商{{i:02d}}", contact_name="黄工",
                                 phone=f"0771-58{{i:05d}}", email=f"sk{{i:02d}}@dealer.example.cn",
                                 address="广西南宁市青秀区民族大道 100 号", region_code="450103")
           for i in range({dealers})]
out = {{"staff": [], "dealers": []}}
for i, role in enumerate(["admin", "service_center", "service_center", "customer_service", "support_engineer"]):
    name = f"soak-staff-{{i}}"
    user_create(username=name, role=role, password=PASSWORD, name=f"压测员工{{i}}")
    out["staff"].append({{"username": name, "role": role, "token": token_create(username=name, name="soak")[1]}})
rng = random.Random(7)


def units_sql(prefix, count, *, dealer, customers, status):
    # PREFIX000000…: set-based, as a bulk_create of 100,000 units takes minutes on a busy machine.
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO registry_unit (serial, shipped_on, sold_on, region_code, status, created_at, updated_at, "
            "customer_id, dealer_id, product_model_id) "
            "SELECT %s || lpad(k::text, 6, '0'), %s, %s, '', %s, now(), now(), (%s::bigint[])[1 + k %% %s], %s, %s "
            "FROM generate_series(0, %s - 1) k",
            [prefix, today - datetime.timedelta(days=40) if dealer else None,
             today - datetime.timedelta(days=30) if dealer else None, status, customers, len(customers), dealer,
             model.pk, count])


for d in dealers:
    name = f"soak-{{d.code.lower()}}"
    user_create(username=name, role="dealer", dealer_code=d.code, password=PASSWORD, name=f"{{d.name}}售后")
    customers = Customer.objects.bulk_create([
        Customer(name=f"{{d.code}}网吧{{k:03d}}", contact_name="韦老板", phone=f"138{{rng.randrange(10**8):08d}}",
                 region_code="450103", dealer=d) for k in range(50)])
    units_sql(f"{{d.code.replace('-', '')}}X", UNITS, dealer=d.pk, customers=[c.pk for c in customers],
              status="in_service")
    out["dealers"].append({{"code": d.code, "username": name, "token": token_create(username=name, name="soak")[1],
                           "prefix": d.code.replace("-", "") + "X", "units": UNITS,
                           "phones": [c.phone for c in customers]}})
units_sql("SKSTOCK", {stock}, dealer=None, customers=[None], status="in_stock")
print("SEED " + json.dumps(out))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_admin_url() -> str:
    return os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


class Stack:
    """A fresh PostgreSQL database and data dir; web and worker processes started on them."""

    def __init__(self, name: str, *, env: dict[str, str] | None = None, keep: bool = False) -> None:
        import psycopg

        self.keep = keep
        self.dbname = f"shouhou_{name}_{os.getpid()}"
        admin = pg_admin_url()
        self.database_url = admin.rsplit("/", 1)[0] + "/" + self.dbname
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}"')
            conn.execute(f'CREATE DATABASE "{self.dbname}"')
        self.dir = Path(tempfile.mkdtemp(prefix=f"shouhou-{name}-"))
        self.logs = self.dir / "logs"
        self.logs.mkdir()
        self.env = {**os.environ, "SHOUHOU_DATA_DIR": str(self.dir / "var"), "DATABASE_URL": self.database_url,
                    "SHOUHOU_PUBLIC_RATE": "off", "DJANGO_SETTINGS_MODULE": "shouhou.core.settings",
                    **(env or {})}
        self.env.pop("DEBUG", None)
        self.procs: list[tuple[str, subprocess.Popen[bytes], Any]] = []
        self.webs: list[str] = []

    # --- commands -------------------------------------------------------------------------------
    def run(self, *args: str, stdin: bytes | None = None) -> str:
        done = subprocess.run([sys.executable, "-m", "shouhou", *args], env=self.env, input=stdin,
                              capture_output=True, timeout=1800)
        if done.returncode != 0:
            raise SystemExit(f"shouhou {' '.join(args[:2])} failed:\n{done.stderr.decode(errors='replace')}")
        return done.stdout.decode()

    def seed(self, *, dealers: int, units: int, stock: int, demo: bool = False) -> dict[str, Any]:
        collect = self.collectstatic()
        self.run("manage", "migrate", "-v0")
        if collect is not None and collect.wait() != 0:
            raise SystemExit("shouhou manage collectstatic failed")
        out = self.run("manage", "shell", "-c", SEED.format(demo=demo, units=units, dealers=dealers, stock=stock,
                                                             password=PASSWORD))
        self.remember_static()
        line = next(ln for ln in out.splitlines() if ln.startswith("SEED "))
        return json.loads(line[5:])

    def collectstatic(self) -> subprocess.Popen[bytes] | None:
        """Copy the static files collected by an earlier run of the same sources (compressing them
        takes minutes on a busy machine), or start collecting them (returned, to wait for)."""
        static = ROOT / "src" / "shouhou" / "static"
        key = hashlib.sha256("\n".join(f"{p.relative_to(static)} {p.stat().st_size} {p.stat().st_mtime_ns}"
                                       for p in sorted(static.rglob("*")) if p.is_file()).encode()).hexdigest()[:16]
        cache = Path(tempfile.gettempdir()) / f"shouhou-bench-static-{key}"
        target = self.dir / "var" / "static"
        if (cache / "staticfiles.json").exists():
            shutil.copytree(cache, target)
            return None
        self.static_cache = (cache, target)
        return subprocess.Popen([sys.executable, "-m", "shouhou", "manage", "collectstatic", "--noinput", "-v0"],
                                env=self.env)

    def remember_static(self) -> None:
        cache, target = getattr(self, "static_cache", (None, None))
        if cache is not None and not cache.exists():
            tmp = Path(tempfile.mkdtemp(prefix="shouhou-bench-static-"))
            shutil.copytree(target, tmp, dirs_exist_ok=True)
            tmp.rename(cache)

    # --- processes ------------------------------------------------------------------------------
    def start(self, label: str, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{label}.log", "wb")  # noqa: SIM115 (closed in stop())
        proc = subprocess.Popen([sys.executable, "-m", "shouhou", *args], env=self.env, start_new_session=True,
                                stdout=log, stderr=subprocess.STDOUT)
        self.procs.append((label, proc, log))
        return proc

    def start_web(self, count: int, *, workers: int = 1) -> list[str]:
        for i in range(count):
            port = free_port()
            self.start(f"web{i + 1}", "web", "--port", str(port), "--workers", str(workers))
            self.webs.append(f"http://127.0.0.1:{port}")
        for url in self.webs:
            wait_up(url + "/healthz")
        return self.webs

    def start_workers(self, count: int) -> None:
        for i in range(count):
            self.start(f"worker{i + 1}", "worker")

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(sql, params or None).fetchall()

    def dead(self) -> list[str]:
        return [f"{label} (exit {proc.returncode})" for label, proc, _log in self.procs if proc.poll() is not None]

    def stop(self) -> None:
        for _label, proc, _log in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _label, proc, log in self.procs:
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            log.close()

    def drop(self) -> None:
        if self.keep:
            print(f"kept database {self.dbname} and {self.dir}")
            return
        import psycopg

        with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    def cleanup(self, *, ok: bool) -> None:
        """Remove the data dir and logs after a run that passed (kept with --keep or on failure)."""
        if ok and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print(f"data dir and logs kept in {self.dir}")

    # --- logs -----------------------------------------------------------------------------------
    FAULTS = re.compile(r"deadlock detected|could not serialize|SerializationFailure|DeadlockDetected|"
                        r"Traceback \(most recent call last\)|Internal Server Error")

    def log_faults(self) -> dict[str, list[str]]:
        """Lines of each process log that name a deadlock, a serialization failure or a traceback."""
        found: dict[str, list[str]] = {}
        for path in sorted(self.logs.glob("*.log")):
            lines = [ln for ln in path.read_text(errors="replace").splitlines() if self.FAULTS.search(ln)]
            if lines:
                found[path.stem] = lines
        return found


def wait_up(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"
