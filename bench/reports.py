"""Benchmark: the managers' reports at a real vendor's size vs the raw SQL they run, same run.

    .venv/bin/python bench/reports.py --orders 200000 --units 1000000 --cases 300000

Creates a scratch PostgreSQL database (shouhou_bench_reports_<pid>, dropped afterwards unless
--keep), migrates it, and fills it with `shouhou demo generate` (shouhou.reports.generate, seed 1,
three years up to 2026-11-30: every path, on-time and late steps on the working-day calendar, open
lines, repeat returns, cases of every channel and type). Then, for each report (the selector a
page or the API calls) and for the whole manager dashboard, over the last 90 days of data:

- ours: the selector through the ORM and the domain, as a manager (every dealer);
- floor: the exact SQL statements that call sent, captured once and replayed alone with a raw
  cursor (execute + fetchall), i.e. the database's own time for the same aggregates.

Each is run --repeat times after one warm-up; p50/p95 in ms and ours/floor. Goal (issue 15):
p95 < 500 ms and ≤ 3× the floor. See bench/README.md, "Reports".
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# bench/calendar.py would shadow the standard library's `calendar` that the product imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
PG_BASE = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")

UNTIL = date(2026, 11, 30)  # the last day of the generated data
SEED = 1


def fill(args: argparse.Namespace) -> None:
    from shouhou.core.services import user_create
    from shouhou.reports.generate import Spec, generate

    user_create(username="bench.manager", role="manager", password="Bench-Reports-42")
    summary = generate(Spec(units=args.units, orders=args.orders, cases=args.cases, seed=SEED, years=3, until=UNTIL),
                       out=sys.stdout)
    print(f"generated in {summary.seconds:.0f} s: {summary.counts}", flush=True)


def measure(fn: Callable[[], Any], repeat: int) -> list[float]:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def floor_of(fn: Callable[[], Any], repeat: int) -> tuple[list[float], int]:
    """Capture FN's SQL once, then time replaying it alone with a raw cursor."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    statements = [q["sql"] for q in ctx.captured_queries if "workdays_" not in q["sql"]
                  and "auth_group" not in q["sql"]]

    def replay() -> None:
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
                cur.fetchall()

    return measure(replay, repeat), len(statements)


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    if not args.database:
        call_command("migrate", verbosity=0)
        fill(args)
    from shouhou.core.models import User
    from shouhou.domain.reports import Period
    from shouhou.reports import figures, selectors

    user = User.objects.get(username="bench.manager")
    assert user.is_vendor_staff
    last = UNTIL
    f = selectors.Filters(Period(last - timedelta(days=89), last))
    one_dealer = selectors.Filters(f.period, dealer=f"G{SEED}-D007")
    now = timezone.now()
    cases = {
        "deadlines report": lambda: selectors.deadlines_report(user, f, now=now),
        "deadlines, one dealer": lambda: selectors.deadlines_report(user, one_dealer, now=now),
        "deadlines per week": lambda: selectors.deadlines_by(user, f, now=now, unit="week"),
        "backlog": lambda: selectors.backlog(user, f, now=now),
        "turnaround": lambda: selectors.turnaround(user, f),
        "quality (3 parts)": lambda: (selectors.return_rates(user, f), selectors.quality_by_model(user, f),
                                      selectors.failing_components(user, f)),
        "dealers": lambda: selectors.dealers(user, f, now=now),
        "cases": lambda: selectors.cases(user, f, now=now),
        "manager dashboard (all figures)": lambda: figures.dashboard(user, f, now=now),
    }
    rows = []
    for name, fn in cases.items():
        ours = measure(fn, args.repeat)
        floor, n = floor_of(fn, args.repeat)
        rows.append((name, n, p(ours, 0.5), p(ours, 0.95), p(floor, 0.5), p(floor, 0.95)))
        print(f"{name}: ours p50 {p(ours, .5):.1f} p95 {p(ours, .95):.1f} ms; floor p50 {p(floor, .5):.1f} "
              f"p95 {p(floor, .95):.1f} ms; {p(ours, .5) / p(floor, .5):.2f}×", flush=True)
    print()
    print("| report | queries | ours p50 ms | ours p95 ms | raw SQL p50 ms | raw SQL p95 ms | ours / raw (p50) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, n, o50, o95, f50, f95 in rows:
        print(f"| {name} | {n} | {o50:.1f} | {o95:.1f} | {f50:.1f} | {f95:.1f} | {o50 / f50:.2f}× |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--database", help="measure an existing database filled by an earlier --keep run")
    args = parser.parse_args()
    import psycopg

    name = args.database or f"shouhou_bench_reports_{os.getpid()}"
    if args.database:
        args.keep = True
    else:
        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.update({"DATABASE_URL": f"{PG_BASE}/{name}", "DJANGO_SETTINGS_MODULE": "shouhou.core.settings",
                       "SHOUHOU_DATA_DIR": tempfile.mkdtemp(prefix="bench-reports-")})
    sys.path.insert(0, str(ROOT / "src"))
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            print(f"kept database {name}")


if __name__ == "__main__":
    main()
