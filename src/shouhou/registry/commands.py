"""`shouhou import models|dealers|units FILE [--all-or-nothing] [--dry-run]` (DESIGN §6).

Exit 0 when every row was written, 1 when rows were rejected (the report is printed), 2 for
unusable input (missing file, unknown kind, wrong headers, empty file, not a real xlsx, zip bomb).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from shouhou.core.cli import register, setup_django

PHASES = {"read": "读取 / reading", "validate": "校验 / validating", "write": "写入 / writing"}
SHOWN_ERRORS = 50


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", help="models | dealers | units")
    parser.add_argument("file", help="a CSV (UTF-8 or GBK) or xlsx file")
    parser.add_argument("--all-or-nothing", action="store_true", help="write nothing if any row is rejected")
    parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    parser.add_argument("--bulk", action="store_true",
                        help="units on PostgreSQL: rebuild the unit indexes once instead of row by row; locks the "
                             "unit table against readers until the import ends (for initial loads)")
    parser.add_argument("--report", metavar="CSV", help="write the rejected rows to this CSV file")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


class Bar:
    """A tqdm bar on stderr with rate and ETA, fed by the importer's progress callback."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int | None, unit: str, rows: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if phase != "read":
            if self.phase != phase:
                self.close()
                print(f"{PHASES.get(phase, phase)}… ({rows:,} 行 / rows)", file=sys.stderr)
            self.phase = phase
            return
        if self.bar is None:
            byte_unit = unit == "B"
            self.bar = tqdm(total=total, unit="B" if byte_unit else "row", unit_scale=byte_unit,
                            unit_divisor=1024 if byte_unit else 1000, file=sys.stderr, desc=PHASES["read"],
                            mininterval=0.5, dynamic_ncols=True)
            self.phase = phase
        self.bar.update(max(done - self.bar.n, 0))
        self.bar.set_postfix_str(f"{rows:,} rows", refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def run(args: argparse.Namespace) -> int:
    setup_django()
    from shouhou.registry.imports import KINDS, UnusableInput, run_import
    from shouhou.registry.imports.report import write_report

    if args.kind not in KINDS:
        print(f"无法导入：未知的导入类型 {args.kind}（可选：{'、'.join(KINDS)}） / "
              f"cannot import: unknown kind {args.kind} (one of: {', '.join(KINDS)})", file=sys.stderr)
        return 2
    bar = Bar(enabled=not args.no_progress)
    try:
        result = run_import(args.kind, args.file, all_or_nothing=args.all_or_nothing, dry_run=args.dry_run,
                            progress=bar, bulk=args.bulk)
    except UnusableInput as exc:
        bar.close()
        print(f"无法导入：{exc.zh} / cannot import: {exc.en}", file=sys.stderr)
        return 2
    bar.close()
    for error in result.errors[:SHOWN_ERRORS]:
        print(error)
    if result.rejected and len(result.errors) > SHOWN_ERRORS:
        print(f"…… 另有 {len(result.errors) - SHOWN_ERRORS} 条错误未显示（用 --report 导出） / "
              f"… {len(result.errors) - SHOWN_ERRORS} more errors not shown (use --report)")
    if args.report and result.errors:
        with open(args.report, "wb") as fh:
            write_report(result.errors, fh)
        print(f"错误报告 / error report: {args.report}")
    print(result.summary())
    return result.exit_code


register("import", "Import product models, dealers or units from CSV/xlsx (导入型号、代理商、设备)", configure, run)
