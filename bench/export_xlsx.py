"""Benchmark: the unit list's xlsx export at 1,000,000 rows keeps its memory flat.

    .venv/bin/python bench/export_xlsx.py --database shouhou_bench_reports_NNN [--sizes 10000,100000,1000000]

Runs on a database filled by `bench/reports.py --keep` (`shouhou demo generate`, 1,000,000+ units).
For each size, a fresh child process exports the first SIZE units (by id) as `/units/export.xlsx`
does (registry.exports.units_export_xlsx: rows read in chunks, coverage worked out per chunk, a
write-only workbook) and reports its wall time and peak memory (ru_maxrss). The baseline, in the
same run, is a child that sets up the same process and reads the same rows through a raw cursor
without writing anything: the memory the process needs whatever the export does.

Bounded memory means the peak does not grow with the row count: the 1,000,000-row export should
peak where the 10,000-row one does. See bench/README.md, "Reports".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")

CHILD = """
import json, os, resource, sys, time
from shouhou.core.cli import setup_django
setup_django()
from django.db import connection
from shouhou.registry.models import Unit
size, mode = int(sys.argv[1]), sys.argv[2]
last = Unit.objects.order_by("id").values_list("id", flat=True)[size - 1]
t0 = time.perf_counter()
if mode == "export":
    from shouhou.registry.exports import units_export_xlsx
    path = units_export_xlsx(Unit.objects.filter(id__lte=last))
    written = path.stat().st_size
    path.unlink()
else:  # the baseline: the same rows read and dropped
    written = 0
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM registry_unit WHERE id <= %s ORDER BY serial", [last])
        while cur.fetchmany(2000):
            pass
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": time.perf_counter() - t0, "peak_mb": peak_mb, "bytes": written}))
"""


def child(database: str, size: int, mode: str) -> dict[str, float]:
    env = {**os.environ, "DATABASE_URL": f"{PG_BASE}/{database}",
           "SHOUHOU_DATA_DIR": tempfile.mkdtemp(prefix="bench-export-")}
    env.pop("DEBUG", None)
    done = subprocess.run([sys.executable, "-c", CHILD, str(size), mode], env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="a database filled by bench/reports.py --keep")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    print("| units | export s | export peak MB | file MB | raw read s | raw read peak MB |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        ours, floor = child(args.database, size, "export"), child(args.database, size, "raw")
        print(f"| {size:,} | {ours['seconds']:.1f} | {ours['peak_mb']:.0f} | {ours['bytes'] / 2**20:.1f} "
              f"| {floor['seconds']:.1f} | {floor['peak_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
