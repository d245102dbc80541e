"""The `shouhou` command: serve, web, worker, user, token, manage (and later: calendar, import…).

Every sub-command sets up Django itself, so `shouhou` works from any directory with nothing but
environment variables (see README "Configuration").
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

Configure = Callable[[argparse.ArgumentParser], None]
Run = Callable[[argparse.Namespace], int]

# name -> (help, declare arguments, run); apps add theirs in shouhou.core.commands.
COMMANDS: dict[str, tuple[str, Configure, Run]] = {}


def register(name: str, help_text: str, configure: Configure, run: Run) -> None:
    COMMANDS[name] = (help_text, configure, run)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouhou.core.settings")
    import django

    django.setup()


# Modules that register sub-commands when imported; an app without commands is skipped.
COMMAND_MODULES = ("shouhou.core.commands", "shouhou.registry.commands", "shouhou.workdays.commands",
                   "shouhou.rma.commands", "shouhou.cases.commands",
                   "shouhou.faq.commands", "shouhou.mail.commands",
                   "shouhou.notify.commands",
                   "shouhou.core.backup_commands")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    for module in COMMAND_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise

    parser = argparse.ArgumentParser(
        prog="shouhou",
        description="Shouhou (售后): after-sales service for hardware makers and their dealers.",
        epilog="Settings come from environment variables: SHOUHOU_DATA_DIR, DATABASE_URL, SECRET_KEY, "
        "ALLOWED_HOSTS, SHOUHOU_BASE_URL, EMAIL_URL. See the README.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, configure, fn) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        configure(p)
        p.set_defaults(func=fn)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["manage"]:
        # Pass everything after `manage` to Django untouched (its own --help included).
        setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["shouhou manage", *argv[1:]])
        return 0
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return int(args.func(args) or 0)
