"""The `shouhou` command: serve, web, worker, user, token, manage (and later: calendar, import…).

Every sub-command sets up Django itself, so `shouhou` works from any directory with nothing but
environment variables (see README "Configuration"). Before a command runs, `main` makes sure the
database schema is current (shouhou.core.schema): the embedded SQLite data dir is migrated as
`serve` does; a PostgreSQL database that is behind stops the command with what to run (exit 2).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Configure = Callable[[argparse.ArgumentParser], None]
Run = Callable[[argparse.Namespace], int]
NeedsSchema = Callable[[argparse.Namespace], bool]


@dataclass(frozen=True)
class Command:
    help_text: str
    configure: Configure
    run: Run
    # Whether this invocation uses the database (then its schema is made current first).
    needs_schema: NeedsSchema
    # Exit status when the schema is behind or the database cannot be reached.
    unavailable_exit: int


# name -> Command; apps add theirs in their `commands` module (COMMAND_MODULES).
COMMANDS: dict[str, Command] = {}


def register(name: str, help_text: str, configure: Configure, run: Run, *,
             needs_schema: bool | NeedsSchema = True, unavailable_exit: int = 2) -> None:
    """Add `shouhou NAME`. A command that manages the schema itself (`serve`), or that must run
    on an empty database (a restore), passes ``needs_schema=False``; one whose caller retries on
    a particular status (the MTA pipe: 75) passes ``unavailable_exit``."""
    check = needs_schema if callable(needs_schema) else (lambda args, value=needs_schema: value)
    COMMANDS[name] = Command(help_text, configure, run, check, unavailable_exit)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouhou.core.settings")
    import django

    django.setup()


# Modules that register sub-commands when imported; an app without commands is skipped.
COMMAND_MODULES = ("shouhou.core.commands", "shouhou.registry.commands", "shouhou.workdays.commands",
                   "shouhou.rma.commands", "shouhou.cases.commands",
                   "shouhou.faq.commands", "shouhou.mail.commands",
                   "shouhou.notify.commands", "shouhou.reports.commands",
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
    for name, command in COMMANDS.items():
        p = sub.add_parser(name, help=command.help_text, description=command.help_text)
        command.configure(p)
        p.set_defaults(func=command.run, command_name=name)
    return parser


def prepare_database(command: Command, args: argparse.Namespace) -> int | None:
    """Make the schema current before COMMAND runs (see the module docstring). None to go on,
    else the exit status, after one clear message on stderr: an expected condition, no traceback."""
    if not command.needs_schema(args):
        return None
    from django.core.exceptions import ImproperlyConfigured

    try:
        setup_django()
    except ImproperlyConfigured as exc:  # a bad environment variable: its parser says which
        print(f"shouhou: {exc}", file=sys.stderr)
        return command.unavailable_exit
    from shouhou.core.schema import SchemaProblem, ensure_schema

    try:
        ensure_schema(sys.stderr)
    except SchemaProblem as exc:
        print(exc, file=sys.stderr)
        if command.unavailable_exit == 75:  # EX_TEMPFAIL: say what the caller (the MTA) will do
            print("shouhou: 稍后重试 / temporary failure, the mail server will retry", file=sys.stderr)
        return command.unavailable_exit
    return None


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
    stopped = prepare_database(COMMANDS[args.command_name], args)
    if stopped is not None:
        return stopped
    return int(args.func(args) or 0)
