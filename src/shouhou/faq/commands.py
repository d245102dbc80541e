"""`shouhou faq import PATH` (DESIGN §6): exit 0 when every file was written, 1 when some were
rejected (each named with the reason), 2 when the path holds nothing to import."""

from __future__ import annotations

import argparse
import sys

from shouhou.core.cli import register, setup_django


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="faq_command", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="import Markdown articles: a .md file or a folder of them (published)")
    imp.add_argument("path", help="a .md file or a folder (searched recursively)")


def run(args: argparse.Namespace) -> int:
    setup_django()
    from shouhou.faq.imports import UnusableInput, run_import

    try:
        result = run_import(args.path)
    except UnusableInput as exc:
        print(f"无法导入：{exc.zh} / cannot import: {exc.en}", file=sys.stderr)
        return 2
    for name, message in result.errors:
        print(f"{name}: {message}")
    print(result.summary())
    return result.exit_code


register("faq", "FAQ articles: import Markdown files (常见问题导入)", configure, run)
