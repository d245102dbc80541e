#!/usr/bin/env python3
"""Choose the production HTTP server by measurement: gunicorn (gthread) vs granian (WSGI).

Both serve the same Shouhou WSGI application, same data dir (SQLite) and settings, with the same
number of worker processes and threads; wrk drives each with 8 connections for DURATION seconds
on two pages: /healthz (one database query) and /accounts/login/ (template rendering).

    .venv/bin/python bench/http_server.py [--duration 15]

Prints requests/s and p99 latency for each and the ratio granian/gunicorn.
"""

from __future__ import annotations

import argparse
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

VENV_BIN = Path(sys.executable).parent
WORKERS = 2
THREADS = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def servers(port: int) -> dict[str, list[str]]:
    return {
        "gunicorn": [str(VENV_BIN / "gunicorn"), "shouhou.core.wsgi:application", "--bind", f"127.0.0.1:{port}",
                     "--workers", str(WORKERS), "--worker-class", "gthread", "--threads", str(THREADS),
                     "--log-level", "warning"],
        "granian": [str(VENV_BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                    "--workers", str(WORKERS), "--blocking-threads", str(THREADS), "--log-level", "warning",
                    "shouhou.core.wsgi:application"],
    }


def wait_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


def wrk(url: str, duration: int) -> tuple[float, float]:
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    value, unit = float(p99.group(1)), p99.group(2)
    return rps, value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15)
    args = parser.parse_args()
    # Checked before anything is created: say what to install rather than fail half-way.
    missing = [tool for tool in ("wrk",) if shutil.which(tool) is None]
    if missing:
        raise SystemExit(f"{', '.join(missing)} not found: run `scripts/setup --bench` as root, or "
                         "`sudo apt-get install -y wrk postgresql-client` (Debian packages)")
    data = tempfile.mkdtemp(prefix="shouhou-bench-http-")
    env = {**os.environ, "SHOUHOU_DATA_DIR": data, "DJANGO_SETTINGS_MODULE": "shouhou.core.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run([str(VENV_BIN / "shouhou"), "manage", "migrate", "-v0"], env=env, check=True)
    subprocess.run([str(VENV_BIN / "shouhou"), "manage", "collectstatic", "--noinput", "-v0"], env=env, check=True)
    results: dict[str, dict[str, tuple[float, float]]] = {}
    for name, argv in servers(free_port()).items():
        port = int(argv[argv.index("--bind") + 1].rsplit(":", 1)[1]) if "--bind" in argv else int(
            argv[argv.index("--port") + 1])
        proc = subprocess.Popen(argv, env=env, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_up(base + "/healthz")
            wrk(base + "/healthz", 2)  # warm-up
            results[name] = {path: wrk(base + path, args.duration) for path in ("/healthz", "/accounts/login/")}
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    print(f"{WORKERS} workers x {THREADS} threads, wrk 8 connections, {args.duration}s, {os.cpu_count()} cores")
    print(f"{'server':<10} {'path':<18} {'req/s':>10} {'p99 ms':>8}")
    for name, by_path in results.items():
        for path, (rps, p99) in by_path.items():
            print(f"{name:<10} {path:<18} {rps:>10.0f} {p99:>8.1f}")
    for path in ("/healthz", "/accounts/login/"):
        ratio = results["granian"][path][0] / results["gunicorn"][path][0]
        print(f"granian/gunicorn req/s on {path}: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
