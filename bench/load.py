#!/usr/bin/env python3
"""Load: the main journeys at 50 concurrent users for 10 minutes on PostgreSQL against two
`shouhou web` processes, with the bare view /healthz measured in the same run for scale.

    .venv/bin/pip install -e '.[bench]'          # locust
    .venv/bin/python bench/load.py               # --users 50 --minutes 10 --web 2; BENCH_PG=postgresql://…/postgres

Sets up a fresh database (`shouhou_load_<pid>`; migrated, 8 dealers with 30,000 units and 50
customers each, staff and dealer users), starts WEB `shouhou web` processes (one granian worker
each, 4 threads) and one `shouhou worker` (documents and mail the journeys cause), then runs locust
headless (bench/locustfile.py: dealer submits and tracks, service centre works the queue, hotline
screen, public warranty check, bare view; think time 1–3 s per user) for MINUTES, and prints the
error rate and p50/p95/p99 per journey (end to end) and per request, from locust's CSV.
Exits 1 when any request answered 5xx or failed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/ holds calendar.py, which would shadow the standard library's calendar module: look here last.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

from stack import PASSWORD, PNG, Stack, load_average  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--web", type=int, default=2, help="`shouhou web` processes (default 2)")
    parser.add_argument("--units", type=int, default=30_000, help="units per dealer (default 30,000)")
    parser.add_argument("--keep", action="store_true", help="keep the database and data dir")
    args = parser.parse_args()

    stack = Stack("load", keep=args.keep)
    try:
        print(f"load: database {stack.dbname}, logs in {stack.logs}; {os.cpu_count()} cores, "
              f"load average {load_average()}", flush=True)
        seed = stack.seed(dealers=8, units=args.units, stock=0)
        seed_file = stack.dir / "seed.json"
        seed_file.write_text(json.dumps(seed), encoding="utf-8")
        webs = stack.start_web(args.web)
        stack.start_workers(1)
        prefix = stack.dir / "locust"
        env = {**os.environ, "LOAD_SEED": str(seed_file), "LOAD_WEBS": ",".join(webs), "LOAD_PASSWORD": PASSWORD,
               "LOAD_PNG": PNG.hex()}
        before = load_average()
        print(f"load: {args.users} users, {args.minutes} min against {', '.join(webs)}; load average {before}",
              flush=True)
        started = time.time()
        subprocess.run([str(Path(sys.executable).parent / "locust"), "-f", str(HERE / "locustfile.py"),
                        "--headless", "--users", str(args.users), "--spawn-rate", "5",
                        "--run-time", f"{int(args.minutes * 60)}s", "--stop-timeout", "30",
                        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
                       env=env, check=False, cwd=HERE)
        after = load_average()
        faults = stack.log_faults()
    finally:
        stack.stop()
        stack.drop()

    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    print(f"\n{args.users} users, {args.minutes} min, {args.web} web processes, {os.cpu_count()} cores; "
          f"load average before {before}, after {after}; wall {time.time() - started:.0f} s")
    print(f"{'what':<36} {'requests':>9} {'errors':>7} {'error %':>8} {'req/s':>7} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'p99 ms':>7}")
    failed = 0
    for kind in ("JOURNEY", None):
        for row in rows:
            if row["Name"] == "Aggregated" or (row["Type"] == "JOURNEY") != (kind == "JOURNEY"):
                continue
            n, bad = int(row["Request Count"]), int(row["Failure Count"])
            failed += bad if row["Type"] != "JOURNEY" else 0
            label = row["Name"] if row["Type"] == "JOURNEY" else f"{row['Type']} {row['Name']}"
            print(f"{label:<36} {n:>9} {bad:>7} {100 * bad / max(n, 1):>7.2f}% "
                  f"{float(row['Requests/s']):>7.1f} {row['50%']:>7} {row['95%']:>7} {row['99%']:>7}")
        print()
    fails = Path(f"{prefix}_failures.csv")
    if fails.exists():
        for row in list(csv.DictReader(open(fails, encoding="utf-8")))[:20]:  # noqa: SIM115
            print(f"  ! {row['Method']} {row['Name']}: {row['Error']} x{row['Occurrences']}")
    print("process logs: " + ("; ".join(f"{k}: {v[0][:200]}" for k, v in faults.items()) or "no deadlock, "
                              "serialization failure or traceback"))
    stack.cleanup(ok=not (failed or faults))
    return 1 if failed or faults else 0


if __name__ == "__main__":
    sys.exit(main())
