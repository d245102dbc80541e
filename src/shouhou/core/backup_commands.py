"""`shouhou backup` and `shouhou restore` (core/backup.py; docs/operations.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shouhou.core.cli import register, setup_django


def backup_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output", "-o", type=Path, default=None,
                   help="archive to write (default ./shouhou-backup-YYYYMMDD-HHMMSS.tar; .tar.gz compresses)")


def backup_run(args: argparse.Namespace) -> int:
    setup_django()
    from django.db import OperationalError

    from shouhou.core.backup import BackupError, backup, default_output, print_summary

    try:
        summary = backup(args.output or default_output())
    except BackupError as exc:
        print(f"shouhou backup: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"shouhou backup: cannot use the database: {exc}".rstrip(), file=sys.stderr)
        return 2
    print_summary(summary, "wrote")
    return 0


def restore_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("archive", type=Path, help="an archive written by `shouhou backup`")


def restore_run(args: argparse.Namespace) -> int:
    setup_django()
    from django.db import OperationalError

    from shouhou.core.backup import BackupError, print_summary, restore

    try:
        summary = restore(args.archive)
    except BackupError as exc:
        print(f"shouhou restore: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:  # e.g. the target database was not created first
        print(f"shouhou restore: cannot use the database: {exc}".rstrip(), file=sys.stderr)
        return 2
    print_summary(summary, "restored")
    return 0


register("backup", "Copy the database and the data dir's files into one archive with a manifest "
         "(safe while Shouhou runs).", backup_configure, backup_run)
register("restore", "Restore an archive of `shouhou backup` into an empty data dir or empty database.",
         restore_configure, restore_run, needs_schema=False)  # migrating first would fill the target
