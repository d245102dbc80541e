"""Make sure the database schema matches this version of Shouhou before a command touches it.

The embedded SQLite database is ours to manage: a command run on a fresh or older data dir
migrates it first (and loads the default policy pack), exactly as `shouhou serve` does, so
`shouhou import models FILE` works as the very first command. A shared database (PostgreSQL)
is the operator's: we never change its schema behind their back, we say what to run.
"""

from __future__ import annotations

from typing import TextIO

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor

from shouhou.core import bootstrap

MIGRATE_COMMAND = "shouhou manage migrate"


class SchemaProblem(Exception):
    """An expected condition that stops a command: printed as it is, no traceback, exit 2."""


def pending_migrations() -> list[str]:
    """`app.migration` names not yet applied to the default database, in the order they would run."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan if not backwards]


def embedded() -> bool:
    """SQLite: a file on this machine that only Shouhou uses, migrated by Shouhou itself."""
    return connection.vendor == "sqlite"


def ensure_schema(out: TextIO) -> None:
    """Migrate the embedded database when it is behind; raise SchemaProblem for a shared database
    that is behind or cannot be reached. Cheap when nothing is pending (no writes, no signals)."""
    if embedded():
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        try:
            with bootstrap.migrate_lock():
                pending = pending_migrations()
                if pending:
                    call_command("migrate", interactive=False, verbosity=0, stdout=out)
                    bootstrap.load_policy_pack()
        except DatabaseError as exc:
            raise SchemaProblem(f"shouhou: cannot set up the database {_where()}: {_first_line(exc)}") from None
        if pending:
            out.write(f"shouhou: 已初始化数据库（{len(pending)} 项迁移） / database set up "
                      f"({len(pending)} migrations applied): {_where()}\n")
        return
    try:
        pending = pending_migrations()
    except DatabaseError as exc:
        raise SchemaProblem(f"shouhou: 无法连接数据库 / cannot reach the database {_where()}: "
                            f"{_first_line(exc)}") from None
    if pending:
        shown = ", ".join(pending[:5]) + (f" … (+{len(pending) - 5})" if len(pending) > 5 else "")
        raise SchemaProblem(
            f"shouhou: 数据库结构需要升级，请先运行 / the database schema is behind this version of "
            f"Shouhou; run first:\n\n    {MIGRATE_COMMAND}\n\n"
            f"({len(pending)} migrations not applied to {_where()}: {shown})")


def _where() -> str:
    """The database as an operator knows it, without the password."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(params.get("NAME"))
    host = params.get("HOST") or "localhost"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"{connection.vendor}://{host}{port}/{params.get('NAME')}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
