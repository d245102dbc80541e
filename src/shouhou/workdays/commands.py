"""`shouhou calendar due|show|import` (DESIGN.md §6).

The commands use the stored calendar when the database is migrated, else the shipped one, so
`shouhou calendar due` also works on a machine that never ran `shouhou serve`. Errors are one
line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

from shouhou.core.cli import register, setup_django
from shouhou.domain.calendar import WorkCalendar
from shouhou.domain.parsing import parse_month, parse_start, parse_working_days

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class UsageError(Exception):
    """Bad input: printed as one line, exit status 2."""


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"shouhou calendar: {message}\n")


def cli_calendar() -> WorkCalendar:
    """The stored calendar when the database has the workdays tables, else the shipped one."""
    from django.db import DatabaseError, connection

    from shouhou.domain.calendar import china_calendar

    if connection.vendor == "sqlite":
        name = str(connection.settings_dict.get("NAME") or "")
        if name != ":memory:" and "mode=memory" not in name and not Path(name).exists():
            return china_calendar()  # not set up yet: do not create an empty database file
    try:
        if "workdays_calendarsettings" not in connection.introspection.table_names():
            return china_calendar()
        from shouhou.workdays.selectors import calendar

        return calendar()
    except DatabaseError:
        return china_calendar()


# ----------------------------------------------------------------------------- configure / run
def configure(p: argparse.ArgumentParser) -> None:
    p.error = _OneLineParser.error.__get__(p)  # type: ignore[method-assign]
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=_OneLineParser)
    due = sub.add_parser("due", help="deadline for 'within N working days of START'")
    due.add_argument("start", metavar="START", help="YYYY-MM-DD or YYYY-MM-DDTHH:MM (Asia/Shanghai), or with +08:00")
    due.add_argument("n", metavar="N", help="working days (0 or more)")
    due.add_argument("--json", action="store_true", help='print {"start", "working_days", "due"}')
    show = sub.add_parser("show", help="each day of a month: working, rest, holiday, make-up, company day")
    show.add_argument("month", metavar="YYYY-MM")
    show.add_argument("--json", action="store_true", help='print [{"date", "kind", "name", "working"}]')
    imp = sub.add_parser("import", help="load official or company days from CSV/xlsx (date, kind, name)")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--year", type=int, default=None,
                     help="notice year of every official row (for New Year periods starting in December)")


def run(args: argparse.Namespace) -> int:
    setup_django()
    from shouhou.domain.errors import ShouhouError

    try:
        if args.action == "due":
            return _due(args)
        if args.action == "show":
            return _show(args)
        return _import(args)
    except UsageError as exc:
        print(f"shouhou calendar: {exc}", file=sys.stderr)
        return 2
    except ShouhouError as exc:
        print(f"shouhou calendar: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2


def _due(args: argparse.Namespace) -> int:
    from shouhou.workdays.selectors import missing_years

    n = parse_working_days(args.n)
    cal = cli_calendar()
    start = parse_start(args.start, cal.tz)
    info = cal.due_info(start, n)
    note = ""
    if info.provisional:
        first = start.date() if n == 0 else date.fromordinal(start.date().toordinal() + 1)
        years = "、".join(str(y) for y in missing_years(cal, first, info.due.date()))
        note = f"（暂定：{years} 年安排未录入）"
    if args.json:
        print(json.dumps({"start": start.isoformat(), "working_days": n, "due": info.due.isoformat()}))
        if note:
            print(note, file=sys.stderr)
    else:
        print(f"{info.due:%Y-%m-%d %H:%M} ({WEEKDAYS[info.due.weekday()]}){note}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from shouhou.workdays.selectors import KIND_LABELS, month_days

    year, month = parse_month(args.month)
    cal = cli_calendar()
    days = month_days(year, month, cal=cal)
    if args.json:
        print(json.dumps([{**d, "date": d["date"].isoformat()} for d in days], ensure_ascii=False))
        return 0
    if not cal.is_complete(year):
        print(f"（暂定：{year} 年的法定节假日安排尚未录入）")
    for d in days:
        label = str(KIND_LABELS[d["kind"]])
        print(f"{d['date'].isoformat()} {WEEKDAYS[d['date'].weekday()]}  {d['kind']:<11} {label}"
              f"{'  ' + d['name'] if d['name'] else ''}".rstrip())
    return 0


def _import(args: argparse.Namespace) -> int:
    from django.db import DatabaseError, connection

    from shouhou.workdays.files import read_day_rows
    from shouhou.workdays.services import calendar_import

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    rows = read_day_rows(data)
    try:
        ready = "workdays_calendarsettings" in connection.introspection.table_names()
    except DatabaseError:
        ready = False
    if not ready:
        raise UsageError("the database is not set up: run `shouhou serve` or `shouhou manage migrate` first")
    result = calendar_import(actor=None, rows=rows, year=args.year, source=path.name)
    years = ", ".join(map(str, result.years)) or "-"
    print(f"imported {len(rows)} rows: official years {years}; company days {result.company_days}; "
          f"calendar version {result.version}")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


# `due` and `show` work without a database (the shipped calendar); `import` writes to it.
register("calendar", "Working-day calendar: `calendar due START N [--json]`, `calendar show YYYY-MM [--json]`, "
         "`calendar import FILE`.", configure, run, needs_schema=lambda args: args.action == "import")
