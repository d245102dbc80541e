"""Benchmark: the managers' reports at a real vendor's size vs the raw SQL they run, same run.

    .venv/bin/python bench/reports.py --orders 200000 --units 1000000 --cases 300000

Creates a scratch PostgreSQL database (shouhou_bench_reports_<pid>, dropped afterwards unless
--keep), migrates it, and fills it with set-based SQL: 20 models, 300 dealers in three provinces,
the units, one line per service order over 1,000 days (every closed path, 3 % still open and
overdue, one unit in 50 back within 90 days), ~3 deadline records per line with on-time and late
ones, a shipment per closed line, and the cases. Then, for each report (the selector a page or
the API calls) and for the whole manager dashboard, over the last 90 days of data:

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
PG_BASE = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
FIRST_DAY = date(2023, 12, 1)  # the first report date of the generated orders
DAYS = 1000

FILL = """
INSERT INTO registry_productmodel (code, name, category, replacement_days, warranty_months, replacement_terms,
                                   free_repair_scope, active, created_at, updated_at)
SELECT 'BM-' || lpad(i::text, 3, '0'), '型号 ' || i, '', 90, 36, '', '', true, now(), now()
FROM generate_series(1, 20) i;

INSERT INTO registry_dealer (code, name, phone, email, active, created_at, address, cc_emails, contact_name, mobile,
                             region_code, mobile_key, phone_key)
SELECT 'BD-' || lpad(i::text, 4, '0'), '代理商 ' || i, '', '', true, now(), '', '', '', '',
       (ARRAY['450100', '440100', '430100'])[1 + i %% 3], '', ''
FROM generate_series(1, 300) i;

INSERT INTO registry_unit (serial, shipped_on, region_code, status, created_at, updated_at, dealer_id,
                           product_model_id)
SELECT 'BU' || lpad(i::text, 9, '0'), DATE '2023-01-01' + (i %% 1000), '', 'in_service', now(), now(),
       (SELECT min(id) FROM registry_dealer) + i %% 300, (SELECT min(id) FROM registry_productmodel) + i %% 20
FROM generate_series(1, %(units)s) i;

-- Orders: report times spread over DAYS days, 09:00–17:00 Asia/Shanghai.
INSERT INTO rma_serviceorder (id, number, contact_name, contact_phone, contact_email, return_address,
                              reported_at, submitted_at, source, created_at, dealer_id)
SELECT i, 'RMAB-' || i, '', '', '', '', t, t, 'web', t, (SELECT min(id) FROM registry_dealer) + (u %% 300)
FROM (SELECT i, (i * 5) %% %(units)s AS u,
             TIMESTAMPTZ '%(first)s 09:00+08' + ((i::bigint * %(days)s) / %(orders)s) * INTERVAL '1 day'
             + (i %% 8) * INTERVAL '1 hour' AS t
      FROM generate_series(1, %(orders)s) i) s;

-- One line per order: one in 50 is a repeat of the unit of the line before (a return within
-- 90 days); the last 3 percent are still waiting for review, past due.
INSERT INTO rma_orderline (id, order_id, position, serial, fault, topology, advance_requested, advance_reason,
                           coverage, state, path, due_at, damage, components, quote_options, charge_required,
                           scrap, version, unit_id, fault_confirmed, received_at)
SELECT o.id, o.id, 1, '', '', '', false, '', 'warranty',
       CASE WHEN o.id > %(orders)s * 0.97 THEN 'submitted' ELSE 'closed' END,
       CASE WHEN o.id > %(orders)s * 0.97 THEN NULL
            ELSE (ARRAY['free_repair', 'free_replacement', 'paid_repair', 'paid_replacement',
                        'no_fault_found'])[1 + o.id %% 5] END,
       CASE WHEN o.id > %(orders)s * 0.97 THEN o.reported_at + INTERVAL '1 day' END,
       '[]', (ARRAY['["主板"]', '["内存"]', '["主板", "电源"]', '["硬盘"]'])[1 + o.id %% 4]::jsonb, '[]', false, false,
       1, (SELECT min(id) FROM registry_unit) + CASE WHEN o.id %% 50 = 0 AND o.id <= %(orders)s * 0.97
                                                     THEN ((o.id - 1) * 5) %% %(units)s
                                                     ELSE (o.id * 5) %% %(units)s END,
       CASE WHEN o.id > %(orders)s * 0.97 THEN NULL ELSE o.id %% 5 <> 4 END,
       CASE WHEN o.id > %(orders)s * 0.97 THEN NULL ELSE o.reported_at + INTERVAL '2 days' END
FROM rma_serviceorder o;

-- Review (1 WD), contact/decide after receipt (3 WD), ship (10 WD): one in 7 late.
INSERT INTO rma_deadlinerecord (line_id, kind, party, started_at, due_at, met_at, late)
SELECT l.id, k.kind, 'vendor', o.reported_at + k.start, o.reported_at + k.start + k.span,
       CASE WHEN l.state = 'closed' THEN o.reported_at + k.start
            + CASE WHEN l.id %% 7 = 0 THEN k.span + INTERVAL '5 hours' ELSE k.span / 2 END END,
       CASE WHEN l.state = 'closed' THEN l.id %% 7 = 0 END
FROM rma_orderline l JOIN rma_serviceorder o ON o.id = l.order_id
JOIN (VALUES ('review', INTERVAL '0', INTERVAL '1 day'), ('inspect', INTERVAL '2 days', INTERVAL '3 days'),
             ('ship', INTERVAL '5 days', INTERVAL '10 days')) AS k(kind, start, span)
  ON k.kind = 'review' OR l.state = 'closed';

INSERT INTO rma_shipment (line_id, direction, kind, carrier, tracking, shipped_at, replacement_serial)
SELECT l.id, 'to_dealer', CASE WHEN l.path LIKE '%%replacement' THEN 'replacement' ELSE 'repaired' END, '顺丰',
       'SFB' || l.id, o.reported_at + (5 + l.id %% 12) * INTERVAL '1 day', ''
FROM rma_orderline l JOIN rma_serviceorder o ON o.id = l.order_id WHERE l.state = 'closed';

INSERT INTO cases_case (number, channel, case_type, status, subject, description, reporter_name, reporter_phone,
                        reporter_phone_key, reporter_email, reporter_qq, serial, region_code, coverage, resolution,
                        resolution_category, version, opened_at, pickup_at, first_response_due, resolution_due,
                        first_responded_at, resolved_at, closed_at, owner_id, first_responder_id, dealer_id,
                        about_dealer_id)
SELECT 'CB-' || i, (ARRAY['hotline', 'qq', 'email', 'web', 'portal', 'api'])[1 + i %% 6],
       (ARRAY['consultation', 'fault', 'repair', 'complaint'])[1 + i %% 4], 'closed', '主题', '', '', '', '', '',
       '', '', '', '', '已解决', (ARRAY['resolved_by_faq', 'remote_fix', 'service_order'])[1 + i %% 3], 1,
       t, t, t + INTERVAL '1 hour', t + INTERVAL '3 days',
       t + CASE WHEN i %% 9 = 0 THEN INTERVAL '2 hours' ELSE INTERVAL '20 minutes' END,
       t + CASE WHEN i %% 11 = 0 THEN INTERVAL '4 days' ELSE INTERVAL '1 day' END, t + INTERVAL '5 days',
       %(user)s, %(user)s,
       CASE WHEN i %% 4 = 3 THEN NULL ELSE (SELECT min(id) FROM registry_dealer) + i %% 300 END,
       CASE WHEN i %% 4 = 3 THEN (SELECT min(id) FROM registry_dealer) + i %% 300 END
FROM (SELECT i, TIMESTAMPTZ '%(first)s 10:30+08' + ((i::bigint * %(days)s) / %(cases)s) * INTERVAL '1 day' AS t
      FROM generate_series(1, %(cases)s) i) s;

SELECT setval(pg_get_serial_sequence('rma_serviceorder', 'id'), %(orders)s);
SELECT setval(pg_get_serial_sequence('rma_orderline', 'id'), %(orders)s);
"""


def _sql(args: argparse.Namespace, user_id: int) -> str:
    # The template uses %% for a literal % where psycopg would see it; the rest is formatted here.
    values = {"units": args.units, "orders": args.orders, "cases": args.cases, "days": DAYS,
              "first": FIRST_DAY.isoformat(), "user": user_id}
    return FILL % values


def fill(args: argparse.Namespace) -> None:
    from django.db import connection

    from shouhou.core.services import user_create

    user = user_create(username="bench.manager", role="manager", password="Bench-Reports-42")
    started = time.perf_counter()
    with connection.cursor() as cur:
        for statement in _sql(args, user.pk).split(";\n"):
            if statement.strip():
                cur.execute(statement)
        cur.execute("ANALYZE")
    print(f"filled in {time.perf_counter() - started:.0f} s", flush=True)


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
    last = FIRST_DAY + timedelta(days=DAYS - 1)
    f = selectors.Filters(Period(last - timedelta(days=89), last))
    one_dealer = selectors.Filters(f.period, dealer="BD-0007")
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
    if args.units < args.orders * 5:
        parser.error("--units must be at least 5 × --orders (each order takes its own unit)")
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
