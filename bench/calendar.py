"""Benchmark: add N working days / due, ours against peers in the same run.

Run: .venv/bin/python bench/calendar.py [--calls 100000] [--workalendar-calls 2000]

Start dates are random within 2018–2023 (the years workalendar's China calendar knows), N in
{1, 3, 10}. Peers: workalendar ``China().add_working_days``, a day-by-day loop over
``chinese_calendar.is_workday``, and a bare ``bisect`` over a plain list of ordinals (the floor).
"""

# This file is named calendar.py, and running it puts bench/ first on sys.path, where it would
# shadow the standard library's calendar module for everything imported below.
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from bisect import bisect_right  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import date, datetime, timedelta  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import chinese_calendar  # noqa: E402

from shouhou.domain.calendar import china_calendar  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
# Starts end in November so that start + 10 WD stays inside 2023, the last year workalendar knows.
FIRST, LAST = date(2018, 1, 1), date(2023, 11, 30)


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best of ``repeat`` wall-clock runs: the least disturbed by other processes."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--workalendar-calls", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    span = (LAST - FIRST).days
    cases = [(FIRST + timedelta(days=rng.randrange(span)), rng.choice((1, 3, 10))) for _ in range(args.calls)]
    events = [
        (datetime.combine(d, datetime.min.time(), SH) + timedelta(hours=rng.randrange(24)), n)
        for d, n in cases
    ]

    cal = china_calendar()
    cal.add_working_days(FIRST, 1)  # build the table outside the timing, as a server would
    floor_table = list(cal._ordinals)

    def ours() -> list[date]:
        add = cal.add_working_days
        return [add(d, n) for d, n in cases]

    def floor() -> list[date]:
        t, fromord = floor_table, date.fromordinal
        return [fromord(t[bisect_right(t, d.toordinal()) + n - 1]) for d, n in cases]

    def due() -> list[datetime]:
        f = cal.due
        return [f(e, n) for e, n in events]

    def cc_loop() -> list[date]:
        is_workday, one = chinese_calendar.is_workday, timedelta(days=1)
        out = []
        for d, n in cases:
            while n:
                d += one
                n -= is_workday(d)
            out.append(d)
        return out

    assert ours() == floor(), "ours and the floor disagree"
    results: list[tuple[str, int, float]] = [
        ("ours WorkCalendar.add_working_days", args.calls, timed(ours)),
        ("bare bisect over a list (floor)", args.calls, timed(floor)),
        ("ours WorkCalendar.due (aware datetimes)", args.calls, timed(due)),
        ("chinese_calendar.is_workday day loop", args.calls, timed(cc_loop)),
    ]
    try:
        from workalendar.asia import China
    except ImportError:
        print("workalendar not installed (pip install -e '.[bench]'): skipped")
    else:
        china = China()
        few = cases[: args.workalendar_calls]

        def wl() -> list[date]:
            return [china.add_working_days(d, n) for d, n in few]

        wl()  # workalendar caches holidays per year on first use; time the warm path
        results.append(("workalendar China().add_working_days", len(few), timed(wl, repeat=1)))

    rate = {name: calls / seconds for name, calls, seconds in results}
    ours_rate = rate["ours WorkCalendar.add_working_days"]
    due_rate = rate["ours WorkCalendar.due (aware datetimes)"]
    floor_rate = rate["bare bisect over a list (floor)"]
    print(
        f"calendar bench {date.today()} python {platform.python_version()} "
        f"{platform.machine()} {os.cpu_count()} cpus; {args.calls:,} calls, N in {{1, 3, 10}}, "
        f"starts 2018–2023"
    )
    print(f"{'implementation':44} {'calls':>8} {'seconds':>9} {'calls/s':>12} {'ours add ×':>11}")
    for name, calls, seconds in results:
        scaled = "" if calls == args.calls else f"  (ran {calls:,} calls; rate scaled)"
        print(
            f"{name:44} {calls:>8,} {seconds:>9.3f} {rate[name]:>12,.0f} "
            f"{ours_rate / rate[name]:>10.2f}×{scaled}"
        )
    print(f"floor / ours add_working_days: {floor_rate / ours_rate:.2f}× (target ≤ 2)")
    print(f"floor / ours due:              {floor_rate / due_rate:.2f}× (target ≤ 3)")
    if "workalendar China().add_working_days" in rate:
        speedup = ours_rate / rate["workalendar China().add_working_days"]
        print(f"ours / workalendar:            {speedup:,.0f}× (target ≥ 100)")


if __name__ == "__main__":
    main()
