#!/usr/bin/env python3
"""Caller lookups (来电弹屏) on PostgreSQL with 1,000,000 units and 50,000 customers, against the
same lookups' raw SQL run alone.

    .venv/bin/python bench/callers.py [--units 1000000] [--customers 50000] [--calls 3000]

1. Creates a scratch database shouhou_bench_callers_<pid> next to DATABASE_URL (default
   postgresql://postgres@127.0.0.1:5432/postgres), migrates it with `shouhou manage migrate`, and
   fills it with set-based INSERT … SELECT generate_series: 8 models, 50 dealers (phone and
   mobile), 150 dealer contacts, CUSTOMERS customers (half on landlines, half on mobiles), UNITS units,
   one in five sold to a customer (4 units per customer), and CASES cases when the `cases` app's
   table exists (one in ten open; about customers' units, from customers' phones).
2. In this process (Django set up on the scratch database, one connection, as a web process has):
   CALLS lookups each of `callers_for(staff, phone=…)` with a random customer's or dealer's number
   written in one of the forms of DESIGN §6 (0771-5561234, (0771)5561234, +86 771 5561234,
   +86 138 0013 8000), and `callers_for(staff, serial=…)` with a random serial; then the raw SQL
   floor: the same statements callers_for needs (dealers by phone key, contacts, customers, their
   units, open orders and, when the cases app registers its provider, open cases; or unit by
   serial, its customer's units, open orders and cases) sent through the
   same psycopg connection as fixed SQL text, with the key already normalised, no ORM and no
   Python objects built. Both sides use the same random keys, interleaved key by key in alternating
   order, so that the machine's other load falls on both alike.
Prints p50/p95/p99 in ms and the ratios (goal: p95 of callers_for ≤ 3× the raw SQL's p95), then
drops the scratch database.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/ holds calendar.py, which would shadow the standard library's calendar module.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
VENV_BIN = Path(sys.executable).parent

import psycopg  # noqa: E402

FILL = [
    """INSERT INTO registry_productmodel (code, name, category, replacement_days, warranty_months,
         discontinued_on, replacement_terms, free_repair_scope, active, created_at, updated_at)
       SELECT 'SN-B' || i, '基准型号 ' || i, '服务器', 90, 12 * (1 + i % 3), NULL, '', '', true, now(), now()
         FROM generate_series(1, 8) i""",
    """INSERT INTO registry_dealer (code, name, contact_name, phone, phone_key, mobile, mobile_key, email,
         cc_emails, address, region_code, active, created_at)
       SELECT 'BD-' || lpad(i::text, 3, '0'), '基准代理商 ' || i, '联系人' || i, '0771-' || (6000000 + i),
              '0771' || (6000000 + i), '139' || lpad(i::text, 8, '0'), '139' || lpad(i::text, 8, '0'),
              '', '', '', '450100', true, now()
         FROM generate_series(1, 50) i""",
    """INSERT INTO registry_dealercontact (dealer_id, name, role, phone, phone_key, email, qq, created_at)
       SELECT (SELECT min(id) FROM registry_dealer) + i % 50, '技术' || i, '', '137' || lpad(i::text, 8, '0'),
              '137' || lpad(i::text, 8, '0'), '', '', now()
         FROM generate_series(1, 150) i""",
    """INSERT INTO registry_customer (name, contact_name, phone, phone_key, region_code, dealer_id, created_at)
       SELECT '基准网咖 ' || i, '老板' || i,
              CASE WHEN i % 2 = 0 THEN '0771-' || (5000000 + i) ELSE '138 ' || lpad(i::text, 8, '0') END,
              CASE WHEN i % 2 = 0 THEN '0771' || (5000000 + i) ELSE '138' || lpad(i::text, 8, '0') END,
              '450100', (SELECT min(id) FROM registry_dealer) + i % 50, now()
         FROM generate_series(1, {customers}) i""",
    """INSERT INTO registry_unit (serial, product_model_id, manufactured_on, shipped_on, sold_on, dealer_id,
         customer_id, region_code, replacement_days, warranty_months, replaces_id, status, created_at, updated_at)
       SELECT 'BN' || lpad(i::text, 8, '0'),
              (SELECT min(id) FROM registry_productmodel) + i % 8,
              date '2023-01-01' + (i % 1000),
              date '2023-01-20' + (i % 1000),
              CASE WHEN i % 5 = 0 THEN date '2023-01-20' + (i % 1000) + (i % 20) END,
              (SELECT min(id) FROM registry_dealer)  -- a sold unit's dealer is its customer's
                + CASE WHEN i % 5 = 0 THEN ((i / 5 - 1) % {customers} + 1) % 50 ELSE i % 50 END,
              CASE WHEN i % 5 = 0 THEN (SELECT min(id) FROM registry_customer) + (i / 5 - 1) % {customers} END,
              '450100', NULL, NULL, NULL, 'in_service', now(), now()
         FROM generate_series(1, {units}) i""",
    "ANALYZE",
]

# 300,000 cases when the cases app's table exists: one in ten open, one in three about a customer's unit,
# one in four reported from a customer's phone. Columns this list does not name get their type's
# empty value (every NOT NULL column without a default), so the fill survives new columns.
CASE_VALUES = {
    "number": "'C2026-' || lpad(i::text, 6, '0')", "channel": "'hotline'", "case_type": "'fault'",
    "status": "CASE WHEN i % 10 = 0 THEN 'new' ELSE 'closed' END",
    "subject": "'无盘客户机启动蓝屏 ' || i", "reporter_name": "'老板' || i",
    "reporter_phone": "'0771-' || (5000000 + (i % {customers}) + 1)",
    "reporter_phone_key": "'0771' || (5000000 + (i % {customers}) + 1)",
    "reporter_customer_id": "CASE WHEN i % 4 = 0 THEN (SELECT min(id) FROM registry_customer) + i % {customers} END",
    "unit_id": "CASE WHEN i % 3 = 0 THEN (SELECT min(id) FROM registry_unit) + (i * 5) % {units} END",
    "resolution": "CASE WHEN i % 10 = 0 THEN '' ELSE '远程重装驱动' END",
    "resolution_category": "CASE WHEN i % 10 = 0 THEN '' ELSE 'remote_fix' END",
    "version": "1", "opened_at": "now() - (i || ' minutes')::interval",
    "pickup_at": "now() - (i || ' minutes')::interval", "first_response_due": "now()", "resolution_due": "now()",
    "closed_at": "CASE WHEN i % 10 = 0 THEN NULL ELSE now() END",
}
EMPTY = {"integer": "0", "bigint": "0", "smallint": "0", "boolean": "false", "date": "current_date",
         "timestamp with time zone": "now()", "jsonb": "'{}'::jsonb", "numeric": "0"}


def fill_cases(conn: psycopg.Connection, cases: int, units: int, customers: int) -> bool:
    """Fill the cases table (CASES rows) when it exists; False when it does not."""
    if not conn.execute("SELECT to_regclass('cases_case') IS NOT NULL").fetchone()[0]:
        return False
    columns = conn.execute(
        "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns "
        "WHERE table_name = 'cases_case' AND column_name <> 'id'").fetchall()
    names, values = [], []
    for name, data_type, nullable, default in columns:
        if name in CASE_VALUES:
            names.append(name)
            values.append(CASE_VALUES[name].replace("{customers}", str(customers)).replace("{units}", str(units)))
        elif nullable == "NO" and default is None:
            names.append(name)
            values.append(EMPTY.get(data_type, "''"))
    conn.execute(f"INSERT INTO cases_case ({', '.join(names)}) SELECT {', '.join(values)} "
                 f"FROM generate_series(1, {cases}) i")
    conn.execute("ANALYZE cases_case")
    return True


# The raw floor: what callers_for asks the database, as fixed SQL text.
RAW_DEALERS = ("SELECT id, code, name, contact_name, phone, mobile, phone_key FROM registry_dealer "
               "WHERE phone_key = %s OR mobile_key = %s ORDER BY code LIMIT 20")
RAW_CONTACTS = ("SELECT c.id, c.name, c.phone, c.dealer_id, d.code, d.name FROM registry_dealercontact c "
                "JOIN registry_dealer d ON d.id = c.dealer_id WHERE c.phone_key = %s ORDER BY d.code, c.name LIMIT 20")
RAW_CUSTOMERS = ("SELECT c.id, c.name, c.contact_name, c.phone, c.dealer_id, d.code, d.name, d.phone, d.mobile "
                 "FROM registry_customer c LEFT JOIN registry_dealer d ON d.id = c.dealer_id "
                 "WHERE c.phone_key = %s ORDER BY c.name, c.id LIMIT 20")
RAW_UNITS_OF = ("SELECT u.id, u.serial, u.shipped_on, u.sold_on, u.replaces_id, u.customer_id, m.code, "
                "m.replacement_days, m.warranty_months, m.discontinued_on, d.code "
                "FROM registry_unit u JOIN registry_productmodel m ON m.id = u.product_model_id "
                "LEFT JOIN registry_dealer d ON d.id = u.dealer_id "
                "WHERE u.customer_id = ANY(%s) ORDER BY u.serial LIMIT 50")
RAW_UNIT = ("SELECT u.id, u.serial, u.shipped_on, u.sold_on, u.replaces_id, u.customer_id, m.code, "
            "m.replacement_days, m.warranty_months, m.discontinued_on, d.id, d.code, d.name, d.phone, "
            "c.id, c.name, c.phone, cd.code FROM registry_unit u "
            "JOIN registry_productmodel m ON m.id = u.product_model_id "
            "LEFT JOIN registry_dealer d ON d.id = u.dealer_id LEFT JOIN registry_customer c ON c.id = u.customer_id "
            "LEFT JOIN registry_dealer cd ON cd.id = c.dealer_id WHERE u.serial = %s LIMIT 1")
RAW_CASES = ("SELECT c.number, c.subject, c.id FROM cases_case c WHERE c.status = ANY(%s) AND "
             "(c.unit_id = ANY(%s) OR c.reporter_customer_id = ANY(%s) OR c.reporter_dealer_id = ANY(%s)) "
             "ORDER BY c.opened_at DESC, c.id DESC LIMIT 20")
RAW_ORDERS = ("SELECT o.id, o.number FROM rma_serviceorder o WHERE o.submitted_at IS NOT NULL AND o.id IN ("
              "SELECT l.order_id FROM rma_orderline l JOIN rma_serviceorder lo ON lo.id = l.order_id "
              "WHERE (l.unit_id = ANY(%s) OR lo.dealer_id = ANY(%s)) AND l.state = ANY(%s)) "
              "ORDER BY o.submitted_at DESC, o.id DESC LIMIT 20")


def phone_forms(rng: random.Random, customers: int) -> list[str]:
    """A caller's number as a telephony system or an operator writes it: customers and dealers."""
    i = rng.randint(1, customers)
    if rng.random() < 0.05:  # a dealer's phone or mobile
        d = rng.randint(1, 50)
        return [f"0771-{6000000 + d}", f"+86 139 {d:08d}"]
    if i % 2 == 0:
        local = 5000000 + i
        return [f"0771-{local}", f"(0771){local}", f"+86 771 {local}"]
    mobile = f"138{i:08d}"
    return [f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}", mobile, f"0086-{mobile}"]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def run(args: argparse.Namespace, db_url: str) -> dict[str, list[float]]:
    os.environ["DATABASE_URL"] = db_url
    import django

    django.setup()
    from django.db import connection

    from shouhou.core.services import user_create
    from shouhou.domain.phones import phone_key
    from shouhou.registry.callers import callers_for
    from shouhou.rma.models import OPEN_STATES

    staff = user_create(username="bench-kefu", role="customer_service", password="Bench-Horse-42-x")
    staff.roles  # noqa: B018  (cached after the first check, as for a signed-in request's user)
    rng = random.Random(args.seed)
    phones = [rng.choice(phone_forms(rng, args.customers)) for _ in range(args.calls)]
    serials = [f"BN{rng.randint(1, args.units):08d}" for _ in range(args.calls)]
    open_states = list(OPEN_STATES)
    from shouhou.registry.callers import _PROVIDERS

    # The floor asks for open cases only where callers_for does: when the cases app registered them.
    with_cases = "open_cases" in _PROVIDERS
    if with_cases:
        from shouhou.cases.models import OPEN_STATUSES

        open_cases = list(OPEN_STATUSES)
    print(f"providers: {', '.join(sorted(_PROVIDERS))}")
    connection.ensure_connection()
    raw = connection.connection  # the same psycopg connection Django uses

    def raw_phone(text: str) -> None:
        key = phone_key(text)
        with raw.cursor() as cur:
            dealer_ids = [r[0] for r in cur.execute(RAW_DEALERS, [key, key]).fetchall()]
            dealer_ids += [r[3] for r in cur.execute(RAW_CONTACTS, [key]).fetchall()]
            customer_ids = [r[0] for r in cur.execute(RAW_CUSTOMERS, [key]).fetchall()]
            unit_ids = [r[0] for r in cur.execute(RAW_UNITS_OF, [customer_ids]).fetchall()] if customer_ids else []
            if unit_ids or dealer_ids:
                cur.execute(RAW_ORDERS, [unit_ids, dealer_ids, open_states]).fetchall()
            if with_cases and (unit_ids or dealer_ids or customer_ids):
                cur.execute(RAW_CASES, [open_cases, unit_ids, customer_ids, dealer_ids]).fetchall()

    def raw_serial(serial: str) -> None:
        with raw.cursor() as cur:
            row = cur.execute(RAW_UNIT, [serial]).fetchone()
            unit_ids = [row[0]] if row else []
            customer_ids = [row[14]] if row and row[14] is not None else []
            if customer_ids:
                unit_ids += [r[0] for r in cur.execute(RAW_UNITS_OF, [customer_ids]).fetchall()]
            if unit_ids:
                cur.execute(RAW_ORDERS, [unit_ids, [], open_states]).fetchall()
            if with_cases and unit_ids:
                cur.execute(RAW_CASES, [open_cases, unit_ids, customer_ids, []]).fetchall()

    found = sum(1 for p in phones[:200] if callers_for(staff, phone=p).found)
    print(f"sample: {found} of 200 phone lookups found a caller; "
          f"{callers_for(staff, phone=phones[0])!r:.300}")
    timings: dict[str, list[float]] = {}
    # Interleaved, in alternating order: the machine's other load falls on both sides alike.
    for kind, ours, floor, keys in (
        ("phone", lambda k: callers_for(staff, phone=k), raw_phone, phones),
        ("serial", lambda k: callers_for(staff, serial=k), raw_serial, serials),
    ):
        for key in keys[:200]:  # warm-up: plans, caches
            ours(key)
            floor(key)
        mine, raw_times = timings.setdefault(f"callers_for({kind})", []), timings.setdefault(f"raw SQL ({kind})", [])
        for n, key in enumerate(keys):
            pair = ((ours, mine), (floor, raw_times)) if n % 2 == 0 else ((floor, raw_times), (ours, mine))
            for fn, samples in pair:
                started = time.perf_counter_ns()
                fn(key)
                samples.append((time.perf_counter_ns() - started) / 1e6)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (to EXPLAIN the lookups)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]

    base_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]
    name = f"shouhou_bench_callers_{os.getpid()}"
    db_url = f"{base_url}/{name}"
    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    workdir = Path(tempfile.mkdtemp(prefix="shouhou-bench-callers-"))
    os.environ.update({"SHOUHOU_DATA_DIR": str(workdir / "var"), "DJANGO_SETTINGS_MODULE": "shouhou.core.settings"})
    os.environ.pop("DEBUG", None)
    try:
        started = time.monotonic()
        subprocess.run([str(VENV_BIN / "shouhou"), "manage", "migrate", "-v0"],
                       env={**os.environ, "DATABASE_URL": db_url}, check=True)
        with psycopg.connect(db_url, autocommit=True) as conn:
            for sql in FILL:
                conn.execute(sql.replace("{units}", str(args.units))  # type: ignore[arg-type]
                             .replace("{customers}", str(args.customers)))
            cases = fill_cases(conn, args.cases, args.units, args.customers)
        print(f"database {name}: migrated and filled with {args.units:,} units, {args.customers:,} customers, "
              f"{args.cases if cases else 0:,} cases{'' if cases else ' (no cases table)'} in "
              f"{time.monotonic() - started:.1f}s")
        timings = run(args, db_url)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept database {db_url}")
        else:
            with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"{args.units:,} units, {args.customers:,} customers, {args.calls} lookups each, {os.cpu_count()} cores, "
          f"load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f}")
    print(f"{'what':<22} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for label, samples in timings.items():
        print(f"{label:<22} {percentile(samples, 0.5):>8.3f} {percentile(samples, 0.95):>8.3f} "
              f"{percentile(samples, 0.99):>8.3f}")
    ok = True
    for kind in ("phone", "serial"):
        ours, floor = percentile(timings[f"callers_for({kind})"], 0.95), percentile(timings[f"raw SQL ({kind})"], 0.95)
        print(f"p95 callers_for / raw SQL by {kind}: {ours / floor:.2f}x (goal <= 3)")
        ok = ok and ours / floor <= 3
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
