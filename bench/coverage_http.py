#!/usr/bin/env python3
"""Coverage lookups over HTTP on PostgreSQL with 1,000,000 units, against three baselines.

    .venv/bin/python bench/coverage_http.py [--units 1000000] [--duration 30] [--clients 8]

1. Creates a scratch database shouhou_bench_http_<pid> next to DATABASE_URL (default
   postgresql://postgres@127.0.0.1:5432/postgres), migrates it with `shouhou manage migrate`, and
   fills it with a set-based INSERT … SELECT generate_series (8 models, 50 dealers, N units).
2. Starts the production server (`shouhou web`) with the per-IP rate limit ON at a limit the run never
   reaches (SHOUHOU_PUBLIC_RATE=100000000/m, so every lookup pays for the check as deployed; --rate
   off to drop it) and a settings module from bench/coverage_bench that adds two baseline views: a bare
   view returning a fixed 200-byte JSON, and the one-query floor, which runs the endpoint's prepared
   coverage lookup for the requested serial and returns the same fixed JSON.
3. wrk, CLIENTS connections for DURATION s each: GET /api/v1/units/{random serial}/coverage (a Lua
   script picks the serial), GET /bench/bare and GET /bench/floor/{random serial}.
   For each, the CPU time per request of the web processes, of the PostgreSQL backends and of wrk
   (from /proc), which does not depend on what else the machine runs.
4. pgbench, CLIENTS clients for DURATION s: the same unit+model+dealer lookup by unique serial, with
   the simple protocol (a plan per query) and with prepared statements (what the endpoint uses):
   the raw PostgreSQL floor.
Prints requests/s, p99 and the ratios (goal: coverage ≥ 80% of the bare view's requests/s and
p99 within 2×), then drops the scratch database.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent

# wrk picks a random serial per request; a path's %%08d is Lua's %08d once Python has filled in %(units)d.
LUA_RANDOM_SERIAL = """
math.randomseed(os.time())
local n = %(units)d
request = function()
  return wrk.format("GET", string.format("%(path)s", math.random(1, n)))
end
"""
LUA = LUA_RANDOM_SERIAL.replace("%(path)s", "/api/v1/units/BN%%08d/coverage?on=2026-06-01")
LUA_FLOOR = LUA_RANDOM_SERIAL.replace("%(path)s", "/bench/floor/BN%%08d")

PGBENCH = """\\set i random(1, %(units)d)
SELECT u.serial, u.shipped_on, u.sold_on, u.replaces_id, u.replacement_days, u.warranty_months,
       m.code, m.replacement_days, m.warranty_months, m.discontinued_on, d.code, d.name, d.phone
  FROM registry_unit u JOIN registry_productmodel m ON m.id = u.product_model_id
  LEFT JOIN registry_dealer d ON d.id = u.dealer_id
 WHERE u.serial = 'BN' || lpad(:i::text, 8, '0');
"""

FILL = [
    """INSERT INTO registry_productmodel (code, name, category, replacement_days, warranty_months,
         discontinued_on, replacement_terms, free_repair_scope, active, created_at, updated_at)
       SELECT 'SN-B' || i, '基准型号 ' || i, '服务器', CASE WHEN i = 8 THEN 0 ELSE 90 END, 12 * (1 + i % 3),
              CASE WHEN i = 7 THEN date '2025-06-30' END, '', '', true, now(), now()
         FROM generate_series(1, 8) i""",
    """INSERT INTO registry_dealer (code, name, contact_name, phone, phone_key, mobile, mobile_key, email,
         cc_emails, address, region_code, active, created_at)
       SELECT 'BD-' || lpad(i::text, 3, '0'), '基准代理商 ' || i, '', '0771-' || (5000000 + i),
              '0771' || (5000000 + i), '', '', '', '', '', '450100', true, now()
         FROM generate_series(1, 50) i""",
    """INSERT INTO registry_unit (serial, product_model_id, manufactured_on, shipped_on, sold_on, dealer_id,
         customer_id, region_code, replacement_days, warranty_months, replaces_id, status, created_at, updated_at)
       SELECT 'BN' || lpad(i::text, 8, '0'),
              (SELECT min(id) FROM registry_productmodel) + i % 8,
              date '2023-01-01' + (i % 1000),
              date '2023-01-20' + (i % 1000),
              CASE WHEN i % 5 = 0 THEN NULL ELSE date '2023-01-20' + (i % 1000) + (i % 20) END,
              (SELECT min(id) FROM registry_dealer) + i % 50,
              NULL, '450100', NULL, NULL, NULL, 'in_service', now(), now()
         FROM generate_series(1, {units}) i""",
    "ANALYZE",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not start")


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    seen = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seen[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return seen


def _session_pids(sid: int) -> list[int]:
    return [int(p) for p in subprocess.run(["pgrep", "-s", str(sid)], capture_output=True, text=True).stdout.split()]


def _backend_pids(conn: psycopg.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                       "AND pid <> pg_backend_pid()")]


class _BackendCPU(threading.Thread):
    """CPU seconds of the scratch database's backends over a run, sampled every 0.5 s: Django reopens
    its connections (CONN_MAX_AGE), so backends come and go during a run (a backend's last 0.5 s may be
    missed)."""

    def __init__(self, db_url: str) -> None:
        super().__init__(daemon=True)
        self.conn = psycopg.connect(db_url, autocommit=True)
        self.first, self.last, self.done = _cpu_seconds(_backend_pids(self.conn)), {}, threading.Event()
        self.start()

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.last.update(_cpu_seconds(_backend_pids(self.conn)))

    def stop(self) -> float:
        self.done.set()
        self.join()
        self.last.update(_cpu_seconds(_backend_pids(self.conn)))
        self.conn.close()
        return sum(cpu - self.first.get(pid, 0.0) for pid, cpu in self.last.items())


def wrk(url: str, duration: int, clients: int, script: Path | None = None, *, server: int | None = None,
        db_url: str = "") -> tuple[float, float, tuple[float, float, float]]:
    """requests/s, p99 ms and CPU ms per request of (web processes, PostgreSQL backends, wrk)."""
    argv = ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{duration}s", "--latency"]
    if script:
        argv += ["-s", str(script)]
    web = _session_pids(server) if server else []
    backends = _BackendCPU(db_url) if server else None
    web0, wrk0 = sum(_cpu_seconds(web).values()), resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    wrk1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    web1, pg = sum(_cpu_seconds(web).values()), backends.stop() if backends else 0.0
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error responses on {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    value, unit = float(p99.group(1)), p99.group(2)
    per = 1000 / (rps * duration)
    cpu = ((web1 - web0) * per, pg * per,
           (wrk1.ru_utime + wrk1.ru_stime - wrk0.ru_utime - wrk0.ru_stime) * per)
    return rps, value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, cpu


def pgbench(db_url: str, duration: int, clients: int, units: int, workdir: Path,
            protocol: str = "simple") -> tuple[float, float]:
    script = workdir / "lookup.sql"
    script.write_text(PGBENCH % {"units": units})
    logs = workdir / f"pglog-{protocol}"
    logs.mkdir()
    out = subprocess.run(["pgbench", "-n", "-M", protocol, "-c", str(clients), "-j", str(min(clients, 2)),
                          "-T", str(duration),
                          "-f", str(script), "-l", "--log-prefix", str(logs / "tx"), db_url],
                         capture_output=True, text=True, check=True).stdout
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latencies = sorted(int(line.split()[2]) for f in logs.iterdir() for line in f.read_text().splitlines())
    return tps, latencies[int(len(latencies) * 0.99)] / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None, help="web processes (default: shouhou web's)")
    parser.add_argument("--rate", default="100000000/m",
                        help="SHOUHOU_PUBLIC_RATE for the server (default: on, at a limit never reached; off)")
    args = parser.parse_args()
    # Checked before anything is created: say what to install rather than fail half-way.
    missing = [tool for tool in ("wrk", "pgbench",) if shutil.which(tool) is None]
    if missing:
        raise SystemExit(f"{', '.join(missing)} not found: run `scripts/setup --bench` as root, or "
                         "`sudo apt-get install -y wrk postgresql-client` (Debian packages)")
    load_before = os.getloadavg()[0]

    base_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]
    name = f"shouhou_bench_http_{os.getpid()}"
    db_url = f"{base_url}/{name}"
    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    workdir = Path(tempfile.mkdtemp(prefix="shouhou-bench-coverage-"))
    # Put only the bench package on the path: bench/ itself holds calendar.py, which would shadow
    # the standard library's calendar module.
    (workdir / "path").mkdir()
    (workdir / "path" / "coverage_bench").symlink_to(HERE / "coverage_bench")
    env = {**os.environ, "DATABASE_URL": db_url, "SHOUHOU_DATA_DIR": str(workdir / "var"),
           "SHOUHOU_PUBLIC_RATE": args.rate, "DJANGO_SETTINGS_MODULE": "coverage_bench.settings",
           "PYTHONPATH": os.pathsep.join([str(workdir / "path"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    env.pop("DEBUG", None)
    proc = None
    try:
        started = time.monotonic()
        subprocess.run([str(VENV_BIN / "shouhou"), "manage", "migrate", "-v0"], env=env, check=True)
        with psycopg.connect(db_url, autocommit=True) as conn:
            for sql in FILL:
                conn.execute(sql.replace("{units}", str(args.units)))  # type: ignore[arg-type]
        print(f"database {name}: migrated and filled with {args.units:,} units in "
              f"{time.monotonic() - started:.1f}s")
        port = free_port()
        web = [str(VENV_BIN / "shouhou"), "web", "--port", str(port)]
        if args.workers:
            web += ["--workers", str(args.workers)]
        proc = subprocess.Popen(web, env=env, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        wait_up(base + "/healthz")
        lua = workdir / "coverage.lua"
        lua.write_text(LUA % {"units": args.units})
        lua_floor = workdir / "floor.lua"
        lua_floor.write_text(LUA_FLOOR % {"units": args.units})
        body = urllib.request.urlopen(base + "/api/v1/units/BN00000001/coverage?on=2026-06-01").read()
        print("sample:", body.decode())
        wrk(base + "/bench/bare", 3, args.clients)  # warm-up: connections, caches
        wrk(base + "/", 3, args.clients, lua)
        wrk(base + "/", 3, args.clients, lua_floor)
        bare = wrk(base + "/bench/bare", args.duration, args.clients, server=proc.pid, db_url=db_url)
        one_query = wrk(base + "/", args.duration, args.clients, lua_floor, server=proc.pid, db_url=db_url)
        coverage = wrk(base + "/", args.duration, args.clients, lua, server=proc.pid, db_url=db_url)
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        proc = None
        floor = pgbench(db_url, args.duration, args.clients, args.units, workdir)
        prepared = pgbench(db_url, args.duration, args.clients, args.units, workdir, "prepared")
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"{args.units:,} units, {args.clients} clients, {args.duration}s each, {os.cpu_count()} cores, "
          f"rate limit {args.rate}, load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f}")
    print(f"{'what':<36} {'req/s':>10} {'p99 ms':>8}   CPU ms/request: web / PostgreSQL / wrk")
    for label, (rps, p99, cpu) in (("coverage API (shouhou web)", coverage), ("bare Django view (same server)", bare),
                                   ("one-query floor (same server)", one_query)):
        print(f"{label:<36} {rps:>10.0f} {p99:>8.2f}   {cpu[0]:.3f} / {cpu[1]:.3f} / {cpu[2]:.3f}")
    for label, (rps, p99) in (("pgbench lookup, simple protocol", floor), ("pgbench lookup, prepared", prepared)):
        print(f"{label:<36} {rps:>10.0f} {p99:>8.2f}")
    rps_ratio, p99_ratio = coverage[0] / bare[0], coverage[1] / bare[1]
    print(f"coverage / bare view: req/s {rps_ratio:.2f} (goal >= 0.80), p99 {p99_ratio:.2f}x (goal <= 2)")
    print(f"coverage / one-query floor: req/s {coverage[0] / one_query[0]:.2f}, p99 {coverage[1] / one_query[1]:.2f}x; "
          f"one-query floor / bare view: req/s {one_query[0] / bare[0]:.2f}, p99 {one_query[1] / bare[1]:.2f}x")
    print(f"coverage / PostgreSQL floor: req/s {coverage[0] / floor[0]:.3f} (simple), "
          f"{coverage[0] / prepared[0]:.3f} (prepared)")
    cov_cpu, bare_cpu, floor_cpu = sum(coverage[2]), sum(bare[2]), sum(one_query[2])
    print(f"CPU per request: coverage {cov_cpu:.3f} ms, one-query floor {floor_cpu:.3f} ms, bare {bare_cpu:.3f} ms: "
          f"on a CPU-bound machine the req/s ratio cannot exceed {bare_cpu / cov_cpu:.2f} (coverage / bare) and "
          f"{bare_cpu / floor_cpu:.2f} for any endpoint with one database round trip; PostgreSQL's share of "
          f"coverage's CPU {coverage[2][1] / cov_cpu:.0%}")
    return 0 if rps_ratio >= 0.8 and p99_ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
