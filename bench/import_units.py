"""Benchmark: `shouhou import units` of a 1,000,000-unit CSV vs PostgreSQL's own `\\copy`.

    .venv/bin/python bench/import_units.py --rows 1000000

Generates a CSV (realistic serials, 50 models, 300 dealers, dates, regions, customers, a few
replacements), then on PostgreSQL (a scratch database shouhou_bench_<pid>, created and dropped)
and on SQLite (a temp file) runs our full import (parse, validate, upsert, audit) in a child
process, and `psql -c "\\copy …"` of the same file into a plain table of the same columns. Prints
rows/s, peak RSS and the ratio to \\copy (goal ≥ 25%). See bench/README.md, "Import".
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
COLUMNS = ["serial", "model", "shipped_on", "sold_on", "dealer", "region", "customer", "replaces"]


def models() -> list[str]:
    return [f"{p}-{n}" for p in ("RT", "SW", "AP", "GW", "NS") for n in range(1100, 1200, 10)]


def dealers() -> list[str]:
    provinces = ["GX", "GD", "HN", "HB", "SC", "YN", "GZ", "FJ", "ZJ", "JS"]
    return [f"{p}-{chr(65 + i // 30)}{i % 30:02d}" for p in provinces for i in range(30)]


def generate_csv(path: Path, rows: int, seed: int) -> None:
    """Rows whose replacement targets are earlier rows of the same file (one in 500)."""
    sys.path.insert(0, str(ROOT / "src"))
    from shouhou.domain.regions import cities, provinces

    rnd = random.Random(seed)
    model_codes, dealer_codes = models(), dealers()
    city_list = [c for p in provinces() for c in cities(p.code)]
    start = date(2019, 1, 1).toordinal()
    recent: dict[int, str] = {}
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for i in range(rows):
            model = model_codes[i % 50]
            shipped = date.fromordinal(start + rnd.randrange(2400))
            serial = f"SH{model[:2]}{shipped:%y%m}{i:08d}"
            kind = rnd.random()
            ship_text = shipped.isoformat() if i % 3 else shipped.strftime("%Y/%m/%d")
            sold = region = customer = dealer = replaces = ""
            if kind < 0.08:  # still in the vendor's stock
                ship_text = ""
            else:
                dealer = dealer_codes[rnd.randrange(300)]
                if kind < 0.85:
                    sold = (shipped + timedelta(days=rnd.randrange(200))).isoformat()
                    city = city_list[rnd.randrange(len(city_list))]
                    region = city.code if kind < 0.5 else city.name
                    if kind < 0.35:
                        customer = f"网吧{rnd.randrange(20000):05d}"
            if i % 500 == 0:
                recent[i] = serial
                replaces = recent.pop(i - 1000, "")
            w.writerow([serial, model, ship_text, sold, dealer, region, customer, replaces])


CHILD = r"""
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouhou.core.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
sys.path.insert(0, os.environ["BENCH_DIR"])
from import_units import dealers, models
from shouhou.registry.models import Dealer, ProductModel
ProductModel.objects.bulk_create([ProductModel(code=c, name=c, replacement_days=15, warranty_months=24)
                                  for c in models()], ignore_conflicts=True)
Dealer.objects.bulk_create([Dealer(code=c, name=c) for c in dealers()], ignore_conflicts=True)
from shouhou.registry.imports import run_import
phases = {}
def progress(phase, *_args):
    phases.setdefault(phase, time.perf_counter())
t0 = time.perf_counter()
r = run_import("units", sys.argv[1], bulk=os.environ.get("BENCH_BULK") == "1", progress=progress)
seconds = time.perf_counter() - t0
marks = sorted([*phases.items(), ("end", t0 + seconds)], key=lambda kv: kv[1])
phases = {k: round(marks[i + 1][1] - v, 2) for i, (k, v) in enumerate(marks[:-1])}
from shouhou.registry.models import Unit
print(json.dumps({"seconds": seconds, "rows": r.rows, "created": r.created, "updated": r.updated,
                  "rejected": r.rejected, "units": Unit.objects.count(), "phases": phases,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def ours(csv_path: Path, database_url: str, data_dir: Path, bulk: bool = False) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "SHOUHOU_DATA_DIR": str(data_dir),
           "BENCH_DIR": str(ROOT / "bench"), "LOG_LEVEL": "WARNING", "BENCH_BULK": "1" if bulk else "0",
           # Foreign keys checked once per key (the bench connects as a superuser); =0 to measure without.
           "SHOUHOU_IMPORT_FK_CHECKS_ONCE": os.environ.get("SHOUHOU_IMPORT_FK_CHECKS_ONCE", "1")}
    out = subprocess.run([sys.executable, "-c", CHILD, str(csv_path)], env=env, check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def pg_copy(csv_path: Path, database_url: str) -> dict:
    psql = shutil.which("psql")
    create = ("DROP TABLE IF EXISTS bench_plain; CREATE TABLE bench_plain (serial varchar(64), model varchar(32), "
              "shipped_on text, sold_on text, dealer varchar(32), region varchar(20), customer varchar(200), "
              "replaces varchar(64))")
    subprocess.run([psql, database_url, "-q", "-c", create], check=True)
    t0 = time.perf_counter()
    subprocess.run([psql, database_url, "-q", "-c",
                    f"\\copy bench_plain ({', '.join(COLUMNS)}) FROM '{csv_path}' WITH (FORMAT csv, HEADER true)"],
                   check=True)
    seconds = time.perf_counter() - t0
    out = subprocess.run([psql, database_url, "-tAc", "SELECT COUNT(*) FROM bench_plain"], check=True,
                         capture_output=True, text=True)
    return {"seconds": seconds, "rows": int(out.stdout.strip())}


def pg_write_floor(csv_path: Path, database_url: str) -> dict:
    """The write alone: the file's rows, already typed and resolved (ids, dates, region codes,
    customers as our import created them), inserted into the empty unit table with its indexes,
    in serial order, in one transaction with the import's settings (synchronous_commit off, foreign
    keys not checked per row). No parsing, no validation: what no import into the live table can
    go below. Only the INSERT is timed; the typed table is built before."""
    import psycopg

    sys.path.insert(0, str(ROOT / "src"))
    from shouhou.domain.regions import cities, provinces

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("TRUNCATE registry_unit CASCADE")
        conn.execute("CREATE UNLOGGED TABLE bench_region (name text PRIMARY KEY, code text)")
        with conn.cursor().copy("COPY bench_region (name, code) FROM STDIN") as copy:
            names = {c.name: c.code for p in provinces() for c in cities(p.code)}
            for name, code in names.items():
                copy.write_row((name, code))
        conn.execute(
            "CREATE UNLOGGED TABLE bench_typed AS SELECT upper(p.serial) AS serial, m.id AS model_id, "
            "NULLIF(replace(p.shipped_on, '/', '-'), '')::date AS shipped_on, NULLIF(p.sold_on, '')::date AS sold_on, "
            "d.id AS dealer_id, c.id AS customer_id, COALESCE(r.code, p.region, '') AS region_code "
            "FROM bench_plain p JOIN registry_productmodel m ON m.code = p.model "
            "LEFT JOIN registry_dealer d ON d.code = p.dealer LEFT JOIN bench_region r ON r.name = p.region "
            "LEFT JOIN registry_customer c ON c.name = p.customer AND c.dealer_id = d.id"
        )
        conn.execute("VACUUM ANALYZE bench_typed")
        conn.execute("CHECKPOINT")
        t0 = time.perf_counter()
        with conn.transaction():
            conn.execute("SET LOCAL synchronous_commit = off")
            conn.execute("SET LOCAL session_replication_role = replica")
            cur = conn.execute(
                "INSERT INTO registry_unit (serial, product_model_id, shipped_on, sold_on, dealer_id, customer_id, "
                "region_code, status, created_at, updated_at) SELECT serial, model_id, shipped_on, sold_on, dealer_id, "
                "customer_id, region_code, CASE WHEN sold_on IS NOT NULL THEN 'in_service' ELSE 'with_dealer' END, "
                "now(), now() FROM bench_typed ORDER BY serial"
            )
            rows = cur.rowcount
        seconds = time.perf_counter() - t0
        conn.execute("DROP TABLE bench_typed, bench_region")
        conn.execute("TRUNCATE registry_unit CASCADE")
        conn.execute("CHECKPOINT")
    return {"seconds": seconds, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--bulk", action="store_true", help="also time `--bulk` (indexes rebuilt, table locked)")
    args = parser.parse_args()
    import psycopg

    work = Path(tempfile.mkdtemp(prefix="shouhou-bench-"))
    db = f"shouhou_bench_{os.getpid()}"
    try:
        csv_path = work / "units.csv"
        t0 = time.perf_counter()
        generate_csv(csv_path, args.rows, args.seed)
        print(f"generated {args.rows:,} rows, {csv_path.stat().st_size / 1024**2:.0f} MB "
              f"in {time.perf_counter() - t0:.1f} s", flush=True)
        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db}"')
        url = f"{PG_BASE}/{db}"
        results = {}
        base = pg_copy(csv_path, url)
        results["PostgreSQL \\copy (plain table)"] = base
        print(f"\\copy: {base['rows']:,} rows in {base['seconds']:.2f} s", flush=True)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
        results["ours, PostgreSQL"] = ours(csv_path, url, work / "pgdata")
        print(f"ours, PostgreSQL: {results['ours, PostgreSQL']}", flush=True)
        floor = pg_write_floor(csv_path, url)
        results["write floor: typed rows INSERTed into the unit table"] = floor
        print(f"write floor: {floor['rows']:,} rows in {floor['seconds']:.2f} s", flush=True)
        if args.bulk:
            with psycopg.connect(url, autocommit=True) as conn:  # the same empty tables as the first run
                conn.execute("TRUNCATE registry_unit, registry_customer CASCADE")
                conn.execute("CHECKPOINT")
            results["ours, PostgreSQL --bulk"] = ours(csv_path, url, work / "pgdata", bulk=True)
            print(f"ours, PostgreSQL --bulk: {results['ours, PostgreSQL --bulk']}", flush=True)
        if not args.skip_sqlite:
            sqlite_url = f"sqlite:///{work / 'bench.sqlite3'}"
            results["ours, SQLite"] = ours(csv_path, sqlite_url, work / "sqlitedata")
            print(f"ours, SQLite: {results['ours, SQLite']}", flush=True)
        base_rate = base["rows"] / base["seconds"]
        floor_rate = floor["rows"] / floor["seconds"]
        print()
        print("| run | rows | seconds | rows/s | peak RSS MB | × \\copy rows/s | × write floor rows/s |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, r in results.items():
            rate = r["rows"] / r["seconds"]
            rss = f"{r['peak_rss_mb']:.0f}" if "peak_rss_mb" in r else "—"
            versus_floor = "—" if "SQLite" in name else f"{rate / floor_rate:.1%}"  # the floor is PostgreSQL's
            print(f"| {name} | {r['rows']:,} | {r['seconds']:.2f} | {rate:,.0f} | {rss} | {rate / base_rate:.1%} "
                  f"| {versus_floor} |")
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"\nmax RSS of children (resource): {children:.0f} MB")
    finally:
        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
