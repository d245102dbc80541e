"""`shouhou demo generate`: generated service data at any size (see shouhou.reports.generate)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from shouhou.core.cli import register, setup_django


def configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    gen = sub.add_parser("generate", help="generate years of units, service orders and cases (fast, repeatable)",
                         description="Generate realistic data for demos, tests and benchmarks: units shipped over "
                         "several years, service orders along every path with on-time and late steps on the "
                         "working-day calendar, and service cases. The same --seed and --until give the same data.")
    gen.add_argument("--units", type=int, required=True, help="units shipped to dealers, e.g. 1000000")
    gen.add_argument("--orders", type=int, required=True, help="service orders (1–3 units each), e.g. 200000")
    gen.add_argument("--cases", type=int, required=True, help="service cases, e.g. 300000")
    gen.add_argument("--seed", type=int, default=1, help="random seed, 0–999999 (codes are prefixed G<seed>)")
    gen.add_argument("--years", type=int, default=3, help="years of history up to --until (default 3)")
    gen.add_argument("--until", type=date.fromisoformat, default=None,
                     help="last day of the data, YYYY-MM-DD (default: today)")


def run(args: argparse.Namespace) -> int:
    setup_django()
    from shouhou.domain.errors import ShouhouError
    from shouhou.reports.generate import Spec, generate

    spec = Spec(units=args.units, orders=args.orders, cases=args.cases, seed=args.seed, years=args.years,
                until=args.until)
    try:
        summary = generate(spec, out=sys.stdout)
    except ShouhouError as exc:
        print(f"shouhou: {exc}", file=sys.stderr)
        return 2
    for label, n in summary.counts.items():
        print(f"{label}: {n}")
    print(f"paths: {dict(sorted(summary.paths.items()))}")
    print(f"steps on time {summary.on_time}, late {summary.late}; {summary.seconds:.1f} s")
    return 0


register("demo", "Demo data: `shouhou demo generate --units N --orders M --cases K [--seed S] [--years Y]`.",
         configure, run)
